//! Every pane and dialog drawn on ratatui's TestBackend at 80×24 and 160×48, with a fixed
//! clock, compared with reviewed insta snapshots; plus checks of styled highlights.

mod common;

use common::fixtures::{demo_page, NOW};
use common::{act, item_done, loaded, prepare_plan, screen, start_run, terminal_for};
use ddusers::app::action::{Action, InputRequest, StatusTab};
use ddusers::app::msg::{DetailData, Msg};
use ddusers::app::msg::{LoadMsg, RunMsg};
use ddusers::app::state::{Access, State};
use ddusers::app::{update, Effect};
use ddusers::runs::{Change, ItemResult};
use ratatui::style::{Color, Modifier};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn type_in(state: &mut State, text: &str) {
    for c in text.chars() {
        act(state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
}

/// Snapshots `setup`'s state at both sizes.
fn snap(name: &str, setup: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut state = loaded(w, h);
        setup(&mut state);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&state, w, h));
    }
}

fn open_detail(state: &mut State) {
    let effects = act(state, Action::OpenDetail);
    let Some(Effect::LoadDetail {
        request_id,
        user_id,
    }) = effects.first().cloned()
    else {
        panic!("detail loads");
    };
    let page = demo_page();
    let user = page
        .data
        .iter()
        .find(|u| u.id == user_id)
        .cloned()
        .expect("fixture user");
    update(
        state,
        Msg::Detail {
            request_id,
            user_id,
            result: Ok(Box::new(DetailData {
                user,
                included: page.included,
                orgs: vec!["Demo Org".into()],
                permissions: vec![],
            })),
        },
    );
}

#[test]
fn list_pane() {
    snap("list", |_| {});
}

#[test]
fn list_while_loading_shows_progress() {
    // The gauge's bar and its label are one measure: users loaded of the total (12 of 48,
    // a quarter). It once drew the bar from pages and the label from users, and this
    // snapshot showed a bar at 3% beside "loaded 12 / 100,000".
    snap("loading", |state| {
        state.load.done = false;
        state.load.total_pages = Some(4);
        state.load.pages_done = 1;
        state.load.total_users = Some(48);
    });
}

#[test]
fn list_filtered_with_marks() {
    snap("filtered", |state| {
        act(state, Action::ToggleMark);
        act(state, Action::ToggleMark);
        act(state, Action::StartFilter);
        type_in(state, "example.com");
    });
}

#[test]
fn list_sorted_on_the_pending_tab() {
    snap("pending_tab", |state| {
        act(state, Action::SelectTab(StatusTab::Pending));
        // `s` goes through the columns left to right: status, then name.
        act(state, Action::CycleSort);
        act(state, Action::CycleSort);
    });
}

#[test]
fn detail_pane() {
    snap("detail", |state| {
        open_detail(state);
    });
}

#[test]
fn detail_pane_while_loading() {
    snap("detail_loading", |state| {
        act(state, Action::Down);
        act(state, Action::Down);
        act(state, Action::OpenDetail);
    });
}

#[test]
fn help_overlay() {
    snap("help", |state| {
        act(state, Action::Help);
    });
}

#[test]
fn help_when_read_only_flags_changes() {
    snap("help_read_only", |state| {
        update(
            state,
            Msg::Access(Access::known(
                true,
                Some("read-only mode (started with --read-only)".into()),
            )),
        );
        act(state, Action::Help);
    });
}

#[test]
fn read_only_list() {
    snap("read_only", |state| {
        update(
            state,
            Msg::Access(Access::known(
                true,
                Some("read-only: your user lacks user_access_manage and user_access_invite".into()),
            )),
        );
        act(state, Action::Disable);
    });
}

#[test]
fn confirm_disable_dialog() {
    snap("confirm_disable", |state| {
        for _ in 0..3 {
            act(state, Action::ToggleMark);
        }
        act(state, Action::StartFilter);
        type_in(state, "alan");
        act(state, Action::Submit);
        act(state, Action::ToggleMark);
        let effects = act(state, Action::Disable);
        prepare_plan(state, &effects, "u11");
        type_in(state, "4");
    });
}

#[test]
fn plan_while_checking() {
    snap("plan_checking", |state| {
        act(state, Action::Down);
        act(state, Action::Disable);
    });
}

#[test]
fn a_small_disable_asks_for_y_and_says_enter_is_not_yes() {
    snap("confirm_disable_small", |state| {
        act(state, Action::Down);
        let effects = act(state, Action::Disable);
        prepare_plan(state, &effects, "u11");
        act(state, Action::Submit);
    });
}

#[test]
fn disabling_yourself_asks_for_your_email() {
    snap("plan_refused_self", |state| {
        act(state, Action::ToggleMark); // u01
        act(state, Action::ToggleMark); // u02
        let effects = act(state, Action::Disable);
        prepare_plan(state, &effects, "u01");
    });
}

#[test]
fn disabling_the_last_admins_is_refused() {
    snap("plan_refused_last_admin", |state| {
        act(state, Action::ToggleMark); // u01
        act(state, Action::Bottom);
        act(state, Action::Up);
        act(state, Action::ToggleMark); // u11
        let effects = act(state, Action::Disable);
        prepare_plan(state, &effects, "u01");
    });
}

#[test]
fn confirm_anonymize_dialog() {
    snap("confirm_anonymize", |state| {
        let effects = act(state, Action::Anonymize);
        prepare_plan(state, &effects, "u11");
        type_in(state, "anon");
    });
}

fn disable(id: &str) -> Change {
    Change::Disable { user: id.into() }
}

#[test]
fn bulk_progress() {
    snap("bulk_progress", |state| {
        for _ in 0..4 {
            act(state, Action::ToggleMark);
        }
        let ticket = start_run(state, Action::Disable);
        item_done(
            state,
            ticket,
            0,
            disable("u01"),
            ItemResult::done("disabled", None),
        );
        item_done(
            state,
            ticket,
            1,
            disable("u02"),
            ItemResult::failed("permission denied (403)"),
        );
    });
}

#[test]
fn bulk_summary() {
    snap("bulk_summary", |state| {
        for _ in 0..3 {
            act(state, Action::ToggleMark);
        }
        let ticket = start_run(state, Action::Disable);
        item_done(
            state,
            ticket,
            0,
            disable("u01"),
            ItemResult::done("disabled", None),
        );
        item_done(
            state,
            ticket,
            1,
            disable("u02"),
            ItemResult::skipped("already disabled", None),
        );
        item_done(
            state,
            ticket,
            2,
            disable("u03"),
            ItemResult::failed(
                "permission denied (403): the keys are wrong or lack the permission",
            ),
        );
        update(
            state,
            Msg::Run(RunMsg::Ended {
                ticket,
                stopped: None,
                error: None,
            }),
        );
    });
}

#[test]
fn quitting_mid_run_asks() {
    snap("quit_while_running", |state| {
        for _ in 0..3 {
            act(state, Action::ToggleMark);
        }
        let ticket = start_run(state, Action::Disable);
        item_done(
            state,
            ticket,
            0,
            disable("u01"),
            ItemResult::done("disabled", None),
        );
        act(state, Action::Quit);
    });
}

#[test]
fn invite_form() {
    snap("invite_form", |state| {
        act(state, Action::Invite);
        type_in(state, "new.person@example.com, bad@, ");
        update(
            state,
            Msg::Paste("second@example.com\nthird@example.com".into()),
        );
        act(state, Action::NextField);
        type_in(state, "New Person");
        act(state, Action::NextField);
        act(state, Action::NextField);
        act(state, Action::Down);
        act(state, Action::ToggleItem);
    });
}

/// Emails of users already say what happens to them, and sending with no role asks first.
#[test]
fn invite_form_names_existing_users_and_asks_about_no_roles() {
    snap("invite_form_existing_no_roles", |state| {
        act(state, Action::Invite);
        type_in(
            state,
            "ada@example.com, noname@example.com, new@example.com",
        );
        act(state, Action::Submit);
    });
}

#[test]
fn invite_results() {
    snap("invite_results", |state| {
        act(state, Action::Invite);
        type_in(
            state,
            "new@example.com, bad@, ada@example.com, later@example.com",
        );
        // No role chosen: asked once, the second send goes.
        assert!(act(state, Action::Submit).is_empty());
        let effects = act(state, Action::Submit);
        let effects = prepare_plan(state, &effects, "u11");
        let Some(Effect::Apply { ticket, plan }) = effects.first().cloned() else {
            panic!("invite starts at once, got {effects:?}");
        };
        let invite = |i: usize| plan.items()[i].change.clone();
        let mut user = common::fixtures::user("n1", "", "new@example.com", &[]);
        user.attributes.status = Some(ddusers::api::models::UserStatus::Pending);
        item_done(
            state,
            ticket,
            0,
            invite(0),
            ItemResult::Done {
                detail: "created and invited".into(),
                undo: None,
                left: None,
                user: Some(Box::new(user)),
                invitation_expires_at: Some(NOW + 2 * 86_400),
            },
        );
        let ada = demo_page().data[0].clone();
        item_done(
            state,
            ticket,
            1,
            invite(1),
            ItemResult::skipped(
                "already active: not re-invited, roles not changed",
                Some(ada),
            ),
        );
    });
}

#[test]
fn edit_form() {
    snap("edit_form", |state| {
        act(state, Action::Down);
        act(state, Action::EditUser);
        act(state, Action::NextField);
        type_in(state, "Physicist");
    });
}

#[test]
fn edit_my_profile() {
    snap("edit_me", |state| {
        act(state, Action::ShowMe);
        act(state, Action::EditUser);
    });
}

#[test]
fn role_picker() {
    snap("role_picker", |state| {
        act(state, Action::EditRoles);
        act(state, Action::Down);
        act(state, Action::ToggleItem);
    });
}

#[test]
fn role_picker_on_marked_users() {
    // Three marked users: each role says how many hold it, and what applying does.
    snap("role_picker_marked", |state| {
        for _ in 0..3 {
            act(state, Action::ToggleMark);
        }
        act(state, Action::EditRoles);
        act(state, Action::ToggleItem);
        act(state, Action::Down);
        act(state, Action::Down);
        act(state, Action::ToggleItem);
    });
}

#[test]
fn marked_only_list() {
    snap("marked_only", |state| {
        act(state, Action::ToggleMark);
        act(state, Action::Down);
        act(state, Action::ToggleMark);
        act(state, Action::ToggleMarkedOnly);
    });
}

#[test]
fn title_for_marked_users() {
    snap("edit_marked", |state| {
        act(state, Action::ToggleMark);
        act(state, Action::ToggleMark);
        act(state, Action::EditUser);
    });
}

#[test]
fn command_line() {
    snap("command_line", |state| {
        act(state, Action::CommandLine);
        type_in(state, "sort email");
    });
}

#[test]
fn error_toast_in_plain_words() {
    snap("error_toast", |state| {
        let request_id = state
            .load
            .request
            .current()
            .expect("a listing was asked for");
        state.load.done = false;
        update(state, Msg::Load(LoadMsg::UsersLoadFailed { request_id, error: "network problem — list users: could not connect to 127.0.0.1:9 (network down, or the address is wrong)".into() }));
    });
}

#[test]
fn a_tiny_terminal_gets_a_message_not_garbage() {
    let state = loaded(20, 6);
    insta::assert_snapshot!("too_small_20x6", screen(&state, 20, 6));
    // And no size panics, down to nothing at all.
    for (w, h) in [(0, 0), (1, 1), (49, 9), (50, 10), (51, 11), (300, 3)] {
        let mut state = loaded(w, h);
        act(&mut state, Action::Help);
        terminal_for(&state, w, h);
        act(&mut state, Action::Cancel);
        act(&mut state, Action::Invite);
        terminal_for(&state, w, h);
        act(&mut state, Action::Cancel);
        open_detail(&mut state);
        terminal_for(&state, w, h);
    }
}

#[test]
fn the_selected_row_is_highlighted_and_only_it() {
    let mut state = loaded(80, 24);
    act(&mut state, Action::Down);
    let terminal = terminal_for(&state, 80, 24);
    let buffer = terminal.backend().buffer();
    // Rows: title, tabs, filter, header, then users; the cursor is on the second user.
    let selected = &buffer[(10, 5)];
    assert_eq!(selected.bg, Color::Blue);
    assert!(selected.modifier.contains(Modifier::BOLD));
    let other = &buffer[(10, 4)];
    assert_ne!(other.bg, Color::Blue);
}

#[test]
fn no_color_draws_the_highlight_with_reverse_video_and_no_colour() {
    let mut state = loaded(80, 24);
    state.options.monochrome = true;
    act(&mut state, Action::Down);
    let terminal = terminal_for(&state, 80, 24);
    let buffer = terminal.backend().buffer();
    assert!(buffer[(10, 5)].modifier.contains(Modifier::REVERSED));
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "no foreground colour with NO_COLOR");
        assert_eq!(cell.bg, Color::Reset, "no background colour with NO_COLOR");
    }
}

#[test]
fn cjk_and_emoji_names_keep_the_columns_aligned() {
    let state = loaded(160, 48);
    let text = screen(&state, 160, 48);
    let lines: Vec<&str> = text.lines().collect();
    let col = |needle: &str| {
        lines
            .iter()
            .find(|l| l.contains(needle))
            .and_then(|l| {
                let at = l.find("@")?;
                // Column (in terminal cells) of the email's first char.
                let start = l[..at].rfind(' ')? + 1;
                Some(unicode_width::UnicodeWidthStr::width(&l[..start]))
            })
            .expect("row drawn")
    };
    assert_eq!(col("ada@example.com"), col("taro.yamada@example.jp"));
    assert_eq!(col("ada@example.com"), col("zoe@example.com"));
}

#[test]
fn resizing_mid_run_keeps_the_run_and_its_results() {
    let mut state = loaded(160, 48);
    for _ in 0..3 {
        act(&mut state, Action::ToggleMark);
    }
    let ticket = start_run(&mut state, Action::Disable);
    item_done(
        &mut state,
        ticket,
        0,
        disable("u01"),
        ItemResult::done("disabled", None),
    );
    // The terminal shrinks below the layout mid-run, then grows back.
    for (w, h) in [(20, 6), (0, 0), (80, 24), (160, 48)] {
        update(
            &mut state,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        terminal_for(&state, w, h);
    }
    item_done(
        &mut state,
        ticket,
        1,
        disable("u02"),
        ItemResult::done("disabled", None),
    );
    let shown = screen(&state, 160, 48);
    assert!(
        shown.contains("Disable 3 marked users 2 / 3"),
        "progress survives the resizes:\n{shown}"
    );
}

#[test]
fn palette_lists_the_commands_with_what_they_do() {
    snap("palette", |state| {
        act(state, Action::CommandLine);
    });
}

#[test]
fn palette_lists_the_audit_views_after_the_command_name_is_completed() {
    snap("palette_audit_views", |state| {
        act(state, Action::CommandLine);
        type_in(state, "au");
        act(state, Action::NextField);
        act(state, Action::Down);
    });
}

#[test]
fn help_searched_shows_the_matching_lines_highlighted() {
    snap("help_search", |state| {
        act(state, Action::Help);
        act(state, Action::StartFilter);
        type_in(state, "journal");
    });
}

#[test]
fn the_title_names_the_org_and_the_site() {
    snap("title_with_org", |state| {
        update(state, Msg::Load(LoadMsg::OrgName(Some("Acme Corp".into()))));
        state.options.origin_label = "datadoghq.eu".into();
    });
}

#[test]
fn the_demo_org_says_its_changes_vanish_and_how_to_reach_a_real_org() {
    snap("demo_notice", |state| {
        state.options.demo = true;
        state.demo_notice = true;
        update(state, Msg::Load(LoadMsg::OrgName(Some("Demo Org".into()))));
    });
}

#[test]
fn help_search_highlights_what_matched_and_only_that() {
    let mut state = loaded(80, 24);
    act(&mut state, Action::Help);
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "journal");
    let terminal = terminal_for(&state, 80, 24);
    let buffer = terminal.backend().buffer();
    let text = screen(&state, 80, 24);
    let row = text
        .lines()
        .position(|line| line.contains("journal: runs"))
        .expect("the J line is shown") as u16;
    let line = text.lines().nth(usize::from(row)).unwrap_or_default();
    // Columns, not bytes: the line starts with a quote and box-drawing characters.
    let before = &line[..line.find("journal: runs").unwrap_or(0)];
    let column = before.chars().count() as u16 - 1;
    assert_eq!(buffer[(column, row)].fg, Color::Magenta, "the match");
    assert_ne!(
        buffer[(column + 9, row)].fg,
        Color::Magenta,
        "what follows it"
    );
}

fn command(state: &mut State, text: &str) -> Vec<Effect> {
    act(state, Action::CommandLine);
    type_in(state, text);
    act(state, Action::Submit)
}

#[test]
fn the_sorted_column_shows_its_direction_in_the_header() {
    snap("sorted_header_arrow", |state| {
        command(state, "sort last-login desc");
        // The toast passes; the header keeps saying it.
        update(state, Msg::Tick { now: NOW + 60 });
    });
}

#[test]
fn column_picker() {
    snap("column_picker", |state| {
        command(state, "columns");
        act(state, Action::Down);
        act(state, Action::MoveItemUp);
    });
}

/// The fixture org with titles and allowed login methods on some users.
fn page_with_titles() -> ddusers::api::models::UsersResponse {
    let mut page = demo_page();
    let titles = ["CTO", "Site reliability engineer", "", "Designer"];
    for (n, user) in page.data.iter_mut().enumerate() {
        let title = titles[n % titles.len()];
        user.attributes.title = (!title.is_empty()).then(|| title.to_owned());
        user.attributes.allowed_login_methods = Some(match n % 3 {
            0 => vec![],
            1 => vec!["saml".into(), "google".into()],
            _ => vec!["standard".into()],
        });
    }
    page
}

#[test]
fn chosen_columns_in_the_chosen_order() {
    for (w, h) in SIZES {
        let mut state = common::loaded_with(page_with_titles(), w, h);
        command(
            &mut state,
            "columns name,title,email,login-methods,role-count,service-account,modified",
        );
        command(&mut state, "sort title");
        update(&mut state, Msg::Tick { now: NOW + 60 });
        insta::assert_snapshot!(format!("chosen_columns_{w}x{h}"), screen(&state, w, h));
    }
}

/// A run's results with fifteen failures at 80×24: the items scroll (failures first, the
/// window's place in the last line) and the keys stay on screen.
#[test]
fn run_results_with_fifteen_failures_scroll_and_keep_their_keys() {
    use ddusers::app::state::{Purpose, RunProgress};
    let (w, h) = (80, 24);
    let mut state = loaded(w, h);
    let changes: Vec<Change> = (1..=18).map(|n| disable(&format!("u{n:02}"))).collect();
    let ticket = ddusers::app::Ticket(state.fresh_id());
    let purpose = Purpose::Bulk(ddusers::app::BulkKind::Disable);
    let title = "Disable 18 users".to_owned();
    state.run = Some(RunProgress::new(ticket, purpose, title, changes.len()));
    for (index, change) in changes.into_iter().enumerate() {
        let result = if index % 6 == 0 {
            ItemResult::done("disabled", None)
        } else {
            ItemResult::failed("the service answered 503 Service Unavailable; read again: still active, so nothing changed")
        };
        item_done(&mut state, ticket, index, change, result);
    }
    update(&mut state, common::fixtures::run_ended(ticket));
    for _ in 0..14 {
        act(&mut state, Action::Down);
    }
    let drawn = screen(&state, w, h);
    assert!(drawn.contains("Enter closes"), "{drawn}");
    insta::assert_snapshot!("run_results_fifteen_failures_80x24", drawn);
}

/// A pending user whose invitation was cancelled: the detail says so, with no old expiry.
#[test]
fn detail_of_a_cancelled_invitation() {
    snap("detail_invitation_cancelled", |state| {
        act(state, Action::SelectTab(StatusTab::Pending));
        open_detail(state);
        let id = state
            .selected()
            .map(|u| u.id.clone())
            .expect("a pending user");
        let info = ddusers::app::state::InvitationInfo {
            sent_at: NOW - 86_400,
            expires_at: None,
            cancelled_at: Some(NOW),
        };
        state.invitations.insert(id, info);
    });
}

/// The screen, then each row with highlighted (underlined) text, everything else as `·`.
fn screen_with_highlights(state: &State, w: u16, h: u16) -> String {
    let terminal = terminal_for(state, w, h);
    let buffer = terminal.backend().buffer();
    let mut out = terminal.backend().to_string();
    out.push_str("--- highlighted ---\n");
    for y in 0..h {
        let cells: Vec<_> = (0..w).map(|x| &buffer[(x, y)]).collect();
        if !cells
            .iter()
            .any(|c| c.modifier.contains(Modifier::UNDERLINED))
        {
            continue;
        }
        let row: String = cells
            .iter()
            .map(|c| {
                if c.modifier.contains(Modifier::UNDERLINED) {
                    c.symbol().to_owned()
                } else {
                    "·".to_owned()
                }
            })
            .collect();
        out.push_str(&format!("{y:2} {row}\n"));
    }
    out
}

#[test]
fn filter_matches_are_highlighted_accents_folded() {
    for (w, h) in SIZES {
        let mut state = loaded(w, h);
        act(&mut state, Action::StartFilter);
        // Björn Ångström's name matches through the folded "ö" and "Å"; the email plainly.
        type_in(&mut state, "bjorn angstrom");
        insta::assert_snapshot!(
            format!("filter_highlights_{w}x{h}"),
            screen_with_highlights(&state, w, h)
        );
    }
}

#[test]
fn a_bad_filter_term_is_explained_on_the_filter_line() {
    snap("filter_bad_term", |state| {
        act(state, Action::StartFilter);
        type_in(state, "role:admin colour:red");
    });
}

#[test]
fn detail_pane_with_a_folded_group_and_a_search() {
    snap("detail_folded", |state| {
        open_detail(state);
        act(state, Action::FoldGroup);
    });
    snap("detail_searched", |state| {
        open_detail(state);
        state.focus = ddusers::app::state::Focus::Detail;
        act(state, Action::StartFilter);
        type_in(state, "dash");
    });
}

#[test]
fn detail_with_its_change_history() {
    use ddusers::audit::history::{History, HistoryEntry, HistorySource};
    snap("detail_history", |state| {
        open_detail(state);
        let Some(detail) = state.detail.as_ref() else {
            panic!("detail open");
        };
        let request_id = detail
            .request
            .current()
            .expect("the detail's read is issued");
        let user_id = detail.user_id.clone();
        let entry = |at: &str, change: &str| HistoryEntry {
            at: at.into(),
            actor: "ada.admin@demo-org.example".into(),
            action: "modified".into(),
            change: change.into(),
            source: HistorySource::AuditTrail,
        };
        update(
            state,
            Msg::History {
                request_id,
                user_id,
                history: History {
                    entries: vec![
                    entry(
                        "2026-11-28T09:15:02Z",
                        "ada.admin@demo-org.example disabled for user Bo",
                    ),
                    entry(
                        "2026-10-02T16:40:11Z",
                        "ada.admin@demo-org.example added role Datadog Standard Role for user Bo",
                    ),
                    ],
                    unavailable: None,
                },
            },
        );
    });
}
