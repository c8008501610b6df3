//! The gate's rules, one at a time, on the demo fixture org (u01 and u11 are the active
//! admins; u06, also in the admin role, is disabled; u08 is a service account).

use super::*;
use crate::api::models::OrgId;
use crate::app::fixtures::demo_facts;
use crate::domain::{Confirmation, INVITE, MANAGE};
use crate::runs::journal::RunState;
use crate::runs::ItemResult;

fn disable(ids: &[&str]) -> Draft {
    let changes = ids
        .iter()
        .map(|id| Change::Disable { user: (*id).into() })
        .collect();
    Draft::new("disable", changes)
}

fn rules(verdict: &Verdict) -> Vec<Rule> {
    verdict.summary.refusals.iter().map(|r| r.rule).collect()
}

#[test]
fn a_plain_disable_passes_with_a_yes() {
    let draft = disable(&["u02"]);
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert!(verdict.plan().is_some());
    assert_eq!(verdict.summary.confirmation, Confirmation::Yes);
    assert!(verdict.summary.destructive);
}

#[test]
fn read_only_refuses_everything_before_anything_else() {
    let draft = disable(&["u02"]);
    let verdict = check(&draft, &Facts::read_only("x"), GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::ReadOnly]);
    assert!(verdict.plan().is_none());
}

#[test]
fn a_caller_without_manage_may_invite_but_not_disable() {
    let invite = Draft::new(
        "invite",
        vec![Change::Invite {
            email: "new@x.io".into(),
            name: None,
            title: None,
            roles: vec![],
        }],
    );
    let mut facts = demo_facts("u02", &invite);
    facts.caller.permissions.insert(INVITE.to_owned());
    assert!(check(&invite, &facts, GateOptions::default())
        .plan()
        .is_some());
    let draft = disable(&["u03"]);
    let verdict = check(&draft, &demo_facts("u02", &draft), GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::Permission]);
}

#[test]
fn disabling_the_caller_is_refused_unless_allowed_and_then_runs_last() {
    let draft = disable(&["u01", "u02", "u03"]);
    let facts = demo_facts("u01", &draft);
    let verdict = check(&draft, &facts, GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::SelfLockout]);
    assert!(verdict.only_self_refused());
    let line = verdict.summary.refusals[0].line();
    assert!(line.contains("--allow-self"), "{line}");
    let allowed = check(
        &draft,
        &facts,
        GateOptions {
            allow_self: true,
            ..GateOptions::default()
        },
    );
    let plan = allowed.plan().expect("allowed");
    let last = plan.items().last().expect("items");
    assert_eq!(last.change.target(), "u01");
    assert!(plan.items()[..2].iter().all(|i| i.stage < last.stage));
    assert!(allowed.summary.includes_you);
}

#[test]
fn taking_away_the_callers_only_admin_role_is_a_lockout_but_adding_a_second_first_is_not() {
    let remove = Change::RemoveRole {
        user: "u01".into(),
        role: "r-admin".into(),
    };
    let draft = Draft::new("remove", vec![remove.clone()]);
    let verdict = check(&draft, &demo_facts("u01", &draft), GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::SelfLockout]);
    // Ken holds the admin role twice over (admin + standard): removing admin from him is
    // a lockout too, since standard does not grant manage.
    let draft = Draft::new(
        "remove",
        vec![Change::RemoveRole {
            user: "u11".into(),
            role: "r-admin".into(),
        }],
    );
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::SelfLockout]);
    // Someone else's admin role: fine while another admin remains.
    let draft = Draft::new("remove", vec![remove]);
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert!(verdict.plan().is_some());
    assert!(matches!(
        verdict.summary.confirmation,
        Confirmation::Type(_)
    ));
}

#[test]
fn the_last_active_admins_cannot_be_disabled_or_stripped_even_when_allowed() {
    for draft in [
        disable(&["u01", "u11"]),
        Draft::new(
            "strip",
            vec![
                Change::RemoveRole {
                    user: "u01".into(),
                    role: "r-admin".into(),
                },
                Change::RemoveRole {
                    user: "u11".into(),
                    role: "r-admin".into(),
                },
            ],
        ),
    ] {
        let facts = demo_facts("u02", &draft);
        let mut facts_with_manage = facts.clone();
        facts_with_manage
            .caller
            .permissions
            .insert(MANAGE.to_owned());
        let verdict = check(
            &draft,
            &facts_with_manage,
            GateOptions {
                allow_self: true,
                force: true,
            },
        );
        assert_eq!(rules(&verdict), [Rule::LastAdmin], "{}", draft.title());
    }
    // One of the two is fine.
    let draft = disable(&["u01"]);
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert!(verdict.plan().is_some());
}

#[test]
fn role_changes_add_before_they_remove() {
    let draft = Draft::new(
        "swap",
        vec![
            Change::RemoveRole {
                user: "u02".into(),
                role: "r-std".into(),
            },
            Change::AddRole {
                user: "u02".into(),
                role: "r-ro".into(),
            },
        ],
    );
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    let plan = verdict.plan().expect("allowed");
    assert!(matches!(plan.items()[0].change, Change::AddRole { .. }));
    assert!(matches!(plan.items()[1].change, Change::RemoveRole { .. }));
}

#[test]
fn confirmations_are_sized_by_count_and_privilege() {
    let many: Vec<String> = ["u02", "u03", "u04", "u05", "u07", "u09", "u10", "u12"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let draft = disable(&refs);
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert_eq!(
        verdict.summary.confirmation,
        Confirmation::Yes,
        "8 plain users"
    );
    let draft = disable(&["u08"]);
    let verdict = check(&draft, &demo_facts("u11", &draft), GateOptions::default());
    assert_eq!(
        verdict.summary.confirmation,
        Confirmation::Type("1".into()),
        "a service account"
    );
    let keys = verdict.summary.keys.expect("keys");
    assert_eq!((keys.total, keys.recently_used), (1, 1));
    let enable = Draft::new("enable", vec![Change::Enable { user: "u06".into() }]);
    let verdict = check(&enable, &demo_facts("u11", &enable), GateOptions::default());
    assert_eq!(verdict.summary.confirmation, Confirmation::Enter);
}

fn journal_run(origin: &str, org: Option<&str>) -> RunState {
    RunState {
        run: RunId("r1".into()),
        at: time::OffsetDateTime::UNIX_EPOCH,
        title: "disable".into(),
        origin: origin.into(),
        of: None,
        org: org.map(OrgId::from),
        by: None,
        changes: vec![Change::Disable { user: "u02".into() }],
        expect: Vec::new(),
        started: vec![true],
        before: vec![None],
        outcomes: vec![Some(ItemResult::done(
            "disabled",
            Some(Change::Enable { user: "u02".into() }),
        ))],
        finished_at: Vec::new(),
    }
}

#[test]
fn a_run_of_another_org_is_refused_unless_forced() {
    let run = journal_run("demo", Some("org-2"));
    let draft = Draft::undo(run, &[]);
    let facts = demo_facts("u11", &draft);
    let verdict = check(&draft, &facts, GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::OtherOrg]);
    assert!(verdict.summary.refusals[0].message.contains("org-2"));
    let forced = GateOptions {
        force: true,
        ..GateOptions::default()
    };
    assert!(check(&draft, &facts, forced).plan().is_some());
    // Same org, same address: fine.
    let draft = Draft::undo(journal_run("demo", Some("org-1")), &[]);
    assert!(check(&draft, &facts, GateOptions::default())
        .plan()
        .is_some());
}

#[test]
fn undoing_a_run_twice_is_refused_unless_forced() {
    let run = journal_run("demo", None);
    let mut earlier_undo = journal_run("demo", None);
    earlier_undo.run = RunId("r2".into());
    earlier_undo.of = Some(run.run.clone());
    let draft = Draft::undo(run, &[earlier_undo]);
    let facts = demo_facts("u11", &draft);
    let verdict = check(&draft, &facts, GateOptions::default());
    assert_eq!(rules(&verdict), [Rule::AlreadyUndone]);
    let forced = GateOptions {
        force: true,
        ..GateOptions::default()
    };
    assert!(check(&draft, &facts, forced).plan().is_some());
}
