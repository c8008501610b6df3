//! Audit views, the permission picker and exports.

use super::*;

#[test]
fn an_audit_view_restricts_the_list_to_its_members_and_esc_returns_to_all() {
    let mut state = loaded_with_roles();
    let all = state.view.rows.len();
    let kind = open_audit(&mut state, "admins");
    assert_eq!(kind, ViewKind::Admins);
    let expected = members_of(&kind);
    assert!(!expected.is_empty() && expected.len() < all);
    assert_eq!(shown_ids(&state), expected);
    let title = &state.audit.active.as_ref().expect("active").title;
    assert!(title.starts_with("Admins ("), "{title}");
    // Esc first clears a filter, then leaves the view.
    act(&mut state, Action::StartFilter);
    act(&mut state, Action::TextEdit(InputRequest::InsertChar('a')));
    act(&mut state, Action::Submit);
    act(&mut state, Action::Back);
    assert!(state.audit.active.is_some());
    assert_eq!(shown_ids(&state), expected);
    act(&mut state, Action::Back);
    assert!(state.audit.active.is_none());
    assert_eq!(state.view.rows.len(), all);
}

#[test]
fn an_audit_view_restricts_a_sorted_list_too_and_leaving_it_restores_everyone() {
    // Sorted views are served from a cached order; entering or leaving a view must not
    // reuse a view built without (or with) the restriction.
    let mut state = loaded_with_roles();
    command(&mut state, "sort name");
    let all = state.view.rows.len();
    let kind = open_audit(&mut state, "admins");
    let expected = members_of(&kind);
    assert_eq!(shown_ids(&state), expected);
    command(&mut state, "audit off");
    assert_eq!(state.view.rows.len(), all);
    open_audit(&mut state, "no-role");
    let no_role = members_of(&ViewKind::NoRole);
    assert_eq!(shown_ids(&state), no_role);
}

#[test]
fn audit_off_and_unknown_views() {
    let mut state = loaded_with_roles();
    open_audit(&mut state, "no-role");
    command(&mut state, "audit off");
    assert!(state.audit.active.is_none());
    assert!(command(&mut state, "audit bogus").is_empty());
    assert_eq!(state.toast.as_ref().map(|t| t.level), Some(Level::Error));
    assert!(state.audit.active.is_none());
}

#[test]
fn inactive_takes_days_and_who_can_takes_a_permission() {
    let mut state = loaded_with_roles();
    assert_eq!(
        open_audit(&mut state, "inactive 30"),
        ViewKind::Inactive { days: 30 }
    );
    assert_eq!(
        shown_ids(&state),
        members_of(&ViewKind::Inactive { days: 30 })
    );
    let kind = ViewKind::WhoCan {
        permission: "user_access_invite".into(),
    };
    assert!(command(&mut state, "who-can user_access_invite").is_empty());
    assert_eq!(state.audit.active.as_ref().map(|a| &a.kind), Some(&kind));
    assert_eq!(shown_ids(&state), members_of(&kind));
}

#[test]
fn who_can_an_unknown_permission_reads_the_catalogue_once_then_says_so() {
    let mut state = loaded_with_roles();
    let effects = command(&mut state, "who-can no_such_permission");
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("reads the catalogue, got {effects:?}");
    };
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(demo_org().2),
        }),
    );
    assert!(state.audit.active.is_none());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.level == Level::Error && t.text.contains("no_such_permission")));
    // The catalogue is known now: the next mistake is answered without a request.
    assert!(command(&mut state, "who-can still_not_one").is_empty());
}

#[test]
fn a_permission_only_the_catalogue_names_opens_once_it_arrives() {
    let mut state = loaded_with_roles();
    let mut catalogue = demo_org().2;
    catalogue.push(crate::app::fixtures::perm(
        "p-new",
        "brand_new_permission",
        "New",
    ));
    let effects = command(&mut state, "who-can brand_new_permission");
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("reads the catalogue, got {effects:?}");
    };
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(catalogue),
        }),
    );
    let active = state.audit.active.as_ref().expect("the view opens");
    assert!(active.members.is_empty(), "nobody holds it");
    assert!(active.title.ends_with("(0)"), "{}", active.title);
}

#[test]
fn a_view_opened_while_loading_is_computed_again_when_loading_ends() {
    let (mut state, request_id) = started();
    let mut first = demo_page();
    let rest = first.data.split_off(4);
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(2),
            response: first,
        }),
    );
    open_audit(&mut state, "admins");
    let early = shown_ids(&state);
    let mut second = demo_page();
    second.data = rest;
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 1,
            total_pages: Some(2),
            response: second,
        }),
    );
    assert_eq!(shown_ids(&state), early, "not recomputed page by page");
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    let all = members_of(&ViewKind::Admins);
    assert!(
        early.len() < all.len(),
        "the fixture has admins on both pages"
    );
    assert_eq!(shown_ids(&state), all);
}

#[test]
fn marks_filter_sort_and_tabs_keep_working_inside_an_audit_view() {
    let mut state = loaded_with_roles();
    open_audit(&mut state, "admins");
    let members = shown_ids(&state);
    act(&mut state, Action::ToggleMark);
    let marked: Vec<UserId> = state.marks.iter().cloned().collect();
    assert_eq!(marked.len(), 1);
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::SelectTab(StatusTab::Active));
    assert!(shown_ids(&state).is_subset(&members));
    // Marks are ids: they survive leaving the view.
    act(&mut state, Action::Back);
    assert_eq!(state.marks.iter().cloned().collect::<Vec<_>>(), marked);
}

#[test]
fn export_carries_the_visible_ids_in_order_and_the_audit_view() {
    let mut state = loaded_with_roles();
    open_audit(&mut state, "admins");
    command(&mut state, "sort email desc");
    let visible: Vec<UserId> = state
        .view
        .rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    assert!(act(&mut state, Action::Export).is_empty(), "asks first");
    assert_eq!(state.context(), Context::Prompt);
    let Some(Overlay::Export(prompt)) = &state.overlay else {
        panic!("the export prompt");
    };
    assert!(prompt.path.value().starts_with("ddusers-admins-"));
    assert!(prompt.path.value().ends_with(".csv"));
    // Tab switches to JSON, the name follows.
    act(&mut state, Action::NextField);
    let effects = act(&mut state, Action::Submit);
    let [export @ Effect::Export {
        kind,
        rows,
        format,
        path,
        request_id,
        ..
    }] = &effects[..]
    else {
        panic!("one export effect, got {effects:?}");
    };
    assert!(!export.is_mutating());
    assert_eq!(kind.as_ref(), Some(&ViewKind::Admins));
    let ids: Vec<UserId> = rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    assert_eq!(ids, visible);
    assert_eq!(*format, ExportFormat::Json);
    assert!(path.to_string_lossy().ends_with(".json"));
    assert!(state.overlay.is_none());
    update(
        &mut state,
        Msg::Audit(AuditMsg::Exported {
            request_id: *request_id,
            result: Ok(ExportDone {
                path: "/tmp/x.json".into(),
                format: ExportFormat::Json,
                count: ids.len(),
            }),
        }),
    );
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("/tmp/x.json")));
}

#[test]
fn export_works_in_read_only_mode_and_respects_the_filter() {
    let mut state = loaded_with_roles();
    update(
        &mut state,
        Msg::Access(Access::known(true, Some("read-only mode".into()))),
    );
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::Export);
    let effects = act(&mut state, Action::Submit);
    let [Effect::Export {
        kind, rows, about, ..
    }] = &effects[..]
    else {
        panic!("exports, got {effects:?}");
    };
    assert_eq!(kind, &None);
    assert_eq!(rows, &state.view.rows);
    assert_eq!(rows.len(), state.store.counts().pending as usize);
    // The file's meta will say what narrowed the list, and whose keys read the org.
    assert_eq!(about.filter.as_deref(), Some("tab Pending"));
    assert_eq!(about.taken_by, state.me);
}

#[test]
fn the_permission_picker_searches_and_opens_who_can() {
    let mut state = loaded_with_roles();
    let effects = act(&mut state, Action::PickPermission);
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("loads the catalogue");
    };
    assert_eq!(state.context(), Context::Search);
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(demo_org().2),
        }),
    );
    for c in "invite".chars() {
        act(&mut state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
    let Some(Overlay::Permissions(picker)) = &state.overlay else {
        panic!("picker open");
    };
    assert_eq!(picker.matches().len(), 1);
    assert!(act(&mut state, Action::Submit).is_empty());
    assert_eq!(
        state.audit.active.as_ref().map(|a| &a.kind),
        Some(&ViewKind::WhoCan {
            permission: "user_access_invite".into()
        })
    );
    assert!(state.overlay.is_none());
    // The catalogue is the org's now: the picker opens again without a request.
    assert!(act(&mut state, Action::PickPermission).is_empty());
}

/// The effects side's answer: /home/ada/users.csv exists, nothing was written.
fn file_exists(state: &mut State, request_id: RequestId) {
    let path = "/home/ada/users.csv".into();
    let format = ExportFormat::Csv;
    let msg = AuditMsg::ExportExists {
        request_id,
        path,
        format,
    };
    update(state, Msg::Audit(msg));
}

#[test]
fn an_export_to_an_existing_file_asks_before_overwriting_and_n_goes_back_to_the_name() {
    let mut state = loaded_with_roles();
    act(&mut state, Action::Export);
    let effects = act(&mut state, Action::Submit);
    let [Effect::Export {
        request_id,
        overwrite,
        ..
    }] = &effects[..]
    else {
        panic!("one export effect, got {effects:?}");
    };
    assert!(!overwrite, "never overwrites without asking");
    file_exists(&mut state, *request_id);
    assert_eq!(
        state.context(),
        Context::Confirm,
        "file exists — overwrite? y/n"
    );
    // n: back to the name, nothing written.
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert_eq!(state.context(), Context::Prompt);
    let effects = act(&mut state, Action::Submit);
    let [Effect::Export { request_id, .. }] = &effects[..] else {
        panic!("one export effect, got {effects:?}");
    };
    file_exists(&mut state, *request_id);
    // y: the same file, overwritten.
    let effects = act(&mut state, Action::Confirm);
    let [Effect::Export {
        path, overwrite, ..
    }] = &effects[..]
    else {
        panic!("one export effect, got {effects:?}");
    };
    assert!(overwrite);
    assert_eq!(path.to_string_lossy(), "/home/ada/users.csv");
    assert!(state.overlay.is_none());
}

/// The demo org loaded with login-method overrides: Björn (u02, MFA off) SAML only, Alan
/// (u07, MFA off) SAML or a password.
fn loaded_with_login_overrides() -> State {
    let (mut state, request_id) = started();
    update(&mut state, Msg::Access(Access::known(false, None)));
    let mut response = demo_page();
    for user in &mut response.data {
        let methods: &[&str] = match user.id.as_str() {
            "u02" => &["saml"],
            "u07" => &["saml", "password"],
            _ => &[],
        };
        user.attributes.allowed_login_methods =
            Some(methods.iter().map(|m| m.to_string()).collect());
    }
    only_page_arrives(&mut state, request_id, response);
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    state
}

fn ids(list: &[&str]) -> HashSet<UserId> {
    list.iter().map(|id| UserId::from(*id)).collect()
}

fn explanation(state: &State, id: &str) -> Vec<String> {
    let active = state.audit.active.as_ref().expect("a view is open");
    let ix = state.store.index_of(&id.into()).expect("loaded");
    active.explanations.get(&ix).expect("explained").to_vec()
}

#[test]
fn no_mfa_in_the_console_leaves_out_sso_only_users_and_explains_the_rest() {
    let mut state = loaded_with_login_overrides();
    assert_eq!(open_audit(&mut state, "no-mfa"), ViewKind::NoMfa);
    // Active people with MFA off: u02 (SSO only, left out), u07, u12; u08 is a bot.
    assert_eq!(shown_ids(&state), ids(&["u07", "u12"]));
    let labels = &state.audit.active.as_ref().expect("open").explain.labels;
    assert_eq!(labels, &["Mfa", "Password login"]);
    assert_eq!(
        explanation(&state, "u07"),
        ["off", "yes (override allows password)"]
    );
    assert_eq!(
        explanation(&state, "u12"),
        ["off", "assumed (org default methods not readable)"]
    );
}

#[test]
fn login_overrides_and_outside_domains_open_from_the_command_line() {
    let mut state = loaded_with_login_overrides();
    assert_eq!(
        open_audit(&mut state, "login-overrides"),
        ViewKind::LoginOverrides
    );
    assert_eq!(shown_ids(&state), ids(&["u02", "u07"]));
    assert_eq!(explanation(&state, "u02")[0], "saml");
    // Domains may be typed with spaces; u09 (example.nl) is disabled, so not listed.
    let kind = open_audit(&mut state, "outside-domains example.com, example.nl");
    assert_eq!(
        kind,
        ViewKind::OutsideDomains {
            allowed_domains: vec!["example.com".into(), "example.nl".into()]
        }
    );
    assert_eq!(shown_ids(&state), ids(&["u03"]));
    assert_eq!(explanation(&state, "u03"), ["example.jp"]);
    // Without domains: a usage message, and the open view stays.
    assert!(command(&mut state, "audit outside-domains").is_empty());
    assert_eq!(state.toast.as_ref().map(|t| t.level), Some(Level::Error));
    assert_eq!(state.audit.active.as_ref().map(|a| &a.kind), Some(&kind));
}
