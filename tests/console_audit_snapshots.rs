//! The console's audit view, export prompt, permission picker and journal overlay drawn on
//! ratatui's TestBackend at 80×24 and 160×48 with a fixed clock, compared with reviewed
//! insta snapshots. Audit memberships come from `audit::views` over the fixture org.

mod common;

use common::fixtures::{demo_audit_org, demo_org, demo_page, NOW};
use common::{act, loaded, screen};
use ddusers::app::action::{Action, InputRequest};
use ddusers::app::journal::JournalListing;
use ddusers::app::msg::Msg;
use ddusers::app::msg::{AuditMsg, RunMsg};
use ddusers::app::state::State;
use ddusers::app::{update, Effect};
use ddusers::audit::{view, ViewKind};
use ddusers::runs::{Change, ItemResult, RunId, RunState};
use time::OffsetDateTime;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const ADDRESS: &str = "http://127.0.0.1:8126";

fn snap(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut state = loaded(w, h);
        setup(&mut state);
        // The toast expires; snapshots show the resting screen.
        update(&mut state, Msg::Tick { now: NOW + 60 });
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&state, w, h));
    }
}

fn open_audit(state: &mut State, kind: ViewKind) {
    act(state, Action::CommandLine);
    let text = match &kind {
        ViewKind::WhoCan { permission } => format!("who-can {permission}"),
        ViewKind::Inactive { days } => format!("audit inactive {days}"),
        other => format!("audit {}", other.name()),
    };
    for c in text.chars() {
        act(state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
    let effects = act(state, Action::Submit);
    // A permission the loaded org does not know is looked up in the catalogue first.
    if let Some(Effect::LoadPermissions { request_id }) = effects.first().cloned() {
        update(
            state,
            Msg::Audit(AuditMsg::Permissions {
                request_id,
                result: Ok(demo_org().2),
            }),
        );
    }
    let active = state.audit.active.as_ref().expect("the view opens");
    let org = demo_audit_org();
    let as_of = OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a time");
    let expected = view(&org, &kind, as_of).expect("view");
    assert_eq!(active.members.len(), expected.rows.len());
}

#[test]
fn audit_view_admins() {
    snap("audit_admins", |state| open_audit(state, ViewKind::Admins));
}

#[test]
fn audit_view_who_can_with_a_mark() {
    snap("audit_who_can", |state| {
        open_audit(
            state,
            ViewKind::WhoCan {
                permission: "dashboards_write".into(),
            },
        );
        act(state, Action::ToggleMark);
    });
}

/// The fixture org does not report login methods: every row says a password is assumed,
/// and why.
#[test]
fn audit_view_no_mfa_explains_the_password_assumption() {
    snap("audit_no_mfa", |state| open_audit(state, ViewKind::NoMfa));
}

#[test]
fn export_prompt() {
    snap("export_prompt", |state| {
        open_audit(state, ViewKind::Admins);
        act(state, Action::Export);
    });
}

#[test]
fn permission_picker() {
    snap("permission_picker", |state| {
        let effects = act(state, Action::PickPermission);
        let Some(Effect::LoadPermissions { request_id }) = effects.first().cloned() else {
            panic!("loads the catalogue");
        };
        update(
            state,
            Msg::Audit(AuditMsg::Permissions {
                request_id,
                result: Ok(demo_org().2),
            }),
        );
        act(state, Action::TextEdit(InputRequest::InsertChar('r')));
        act(state, Action::Down);
    });
}

fn runs() -> Vec<RunState> {
    let at = |h: i64| OffsetDateTime::from_unix_timestamp(NOW - h * 3600).expect("time");
    let users = demo_page().data;
    let id = |n: usize| users[n].id.clone();
    let disable = |n: usize| Change::Disable { user: id(n) };
    let done = |n: usize| {
        Some(ItemResult::done(
            "disabled",
            Some(Change::Enable { user: id(n) }),
        ))
    };
    vec![
        RunState {
            run: RunId("20261125T091500-3f9a".into()),
            at: at(30),
            title: "Disable 3 users (console)".into(),
            origin: ADDRESS.into(),
            of: None,
            org: None,
            by: None,
            expect: Vec::new(),
            changes: vec![disable(1), disable(2), disable(3)],
            started: vec![true, true, true],
            before: vec![None; 3],
            outcomes: vec![
                done(1),
                Some(ItemResult::Skipped {
                    detail: "already disabled".into(),
                    user: None,
                }),
                done(3),
            ],
            finished_at: Vec::new(),
        },
        RunState {
            run: RunId("20261126T101500-77c1".into()),
            at: at(5),
            title: "Disable 2 users".into(),
            origin: ADDRESS.into(),
            of: None,
            org: None,
            by: None,
            expect: Vec::new(),
            changes: vec![disable(4), disable(5)],
            started: vec![true, true],
            before: vec![None; 2],
            outcomes: vec![
                Some(ItemResult::Failed {
                    reason: "permission denied".into(),
                }),
                None,
            ],
            finished_at: Vec::new(),
        },
        RunState {
            run: RunId("20261126T120000-0b2e".into()),
            at: at(2),
            title: "Invite a@example.org".into(),
            origin: "https://api.datadoghq.eu".into(),
            of: None,
            org: None,
            by: None,
            expect: Vec::new(),
            changes: vec![Change::Invite {
                email: "a@example.org".into(),
                name: None,
                title: None,
                roles: vec![],
            }],
            started: vec![false],
            before: vec![None],
            outcomes: vec![None],
            finished_at: Vec::new(),
        },
    ]
}

fn open_journal(state: &mut State) {
    let effects = act(state, Action::Journal);
    let Some(Effect::LoadJournal { request_id }) = effects.first().cloned() else {
        panic!("reads the journal");
    };
    update(
        state,
        Msg::JournalRuns {
            request_id,
            result: Ok(Box::new(JournalListing {
                runs: runs(),
                address: ADDRESS.into(),
                path: "/home/ada/.local/share/ddusers/journal.jsonl".into(),
                skipped: 0,
            })),
        },
    );
}

#[test]
fn journal_runs() {
    snap("journal_runs", |state| {
        open_journal(state);
        act(state, Action::Down);
    });
}

#[test]
fn journal_items() {
    snap("journal_items", |state| {
        open_journal(state);
        act(state, Action::Bottom);
        act(state, Action::Submit);
    });
}

#[test]
fn journal_undo_confirm() {
    snap("journal_undo_confirm", |state| {
        open_journal(state);
        act(state, Action::Bottom);
        let effects = act(state, Action::UndoRun);
        let Some(ddusers::app::Effect::Prepare { plan, draft }) = effects.first().cloned() else {
            panic!("the undo is checked first, got {effects:?}");
        };
        let mut facts = common::fixtures::demo_facts("u11", &draft);
        facts.origin = draft.source().map(|r| r.origin.clone()).unwrap_or_default();
        ddusers::app::update(
            state,
            ddusers::app::msg::Msg::Run(RunMsg::Prepared {
                plan,
                result: Ok(Box::new(facts)),
            }),
        );
    });
}

#[test]
fn audit_view_inactive_explains_the_last_login() {
    snap("audit_inactive", |state| {
        open_audit(state, ViewKind::Inactive { days: 30 })
    });
}

#[test]
fn audit_view_pending_explains_the_invitation() {
    snap("audit_pending", |state| {
        open_audit(state, ViewKind::Pending)
    });
}

/// An older snapshot of the fixture org: Björn (u02) not there yet, a user since removed,
/// Alan (u10) then without roles.
fn older_snapshot(state: &State) -> ddusers::app::state::DiffBase {
    let mut snapshot = ddusers::org::snapshot::Snapshot::of(&state.store);
    snapshot.users.retain(|u| u.id.as_str() != "u02");
    let mut gone = snapshot.users[0].clone();
    gone.id = "u99".into();
    gone.attributes.email = Some("gone@example.com".into());
    gone.attributes.name = Some("Gone Person".into());
    snapshot.users.push(gone);
    for user in &mut snapshot.users {
        if user.id.as_str() == "u10" {
            user.relationships.roles = None;
        }
    }
    ddusers::app::state::DiffBase {
        label: "snapshot monday.json".into(),
        snapshot: std::sync::Arc::new(snapshot),
    }
}

#[test]
fn diff_with_a_snapshot_shows_a_change_column() {
    snap("diff_lens", |state| {
        let base = older_snapshot(state);
        update(state, Msg::Audit(AuditMsg::DiffBase(Ok(Box::new(base)))));
    });
}

#[test]
fn reconcile_with_a_people_list_shows_a_finding_column() {
    use ddusers::audit::reconcile::{People, PeopleColumns};
    let csv =
        "email,status\nada@example.com,\nbjorn@example.com,terminated\nzoe@example.com,left\n\
               ci-bot@example.com,\nalan@example.com,\nbarbara@example.com,\nken@example.com,\n\
               noname@example.com,\n";
    snap("reconcile_lens", |state| {
        let people = People::parse(csv.as_bytes(), "people.csv", &PeopleColumns::default())
            .expect("the fixture parses");
        update(state, Msg::Audit(AuditMsg::People(Ok(Box::new(people)))));
    });
}
