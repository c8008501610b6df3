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

#[test]
fn invite_results() {
    snap("invite_results", |state| {
        act(state, Action::Invite);
        type_in(
            state,
            "new@example.com, bad@, ada@example.com, later@example.com",
        );
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
            ItemResult::skipped("already active: not re-invited", Some(ada)),
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
        shown.contains("Disable 3 users 2 / 3"),
        "progress survives the resizes:\n{shown}"
    );
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
