use std::path::Path;

use time::OffsetDateTime;

use super::population::{start, Scope, Start};
use super::remediate::remediation;
use super::*;
use crate::app::fixtures::{demo_audit_org, NOW};
use crate::runs::Change;

fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW).expect("a time")
}

fn review_of(scope: &str) -> Review {
    let org = demo_audit_org();
    let scope = Scope::parse(scope).expect("a scope");
    start(
        &org,
        Start {
            name: "Q4 review",
            scope: &scope,
            started_at: at(),
            started_by: None,
            snapshot_file: "org.json",
            snapshot_sha256: "abc",
            content_sha256: None,
        },
    )
    .expect("a review")
}

/// Records `decision` (with `why`) on `who`'s rows, which must fit.
fn decide(review: &mut Review, who: &str, decision: Decision, why: &str) {
    review
        .decide(&user(who), decision, why, "me", at())
        .expect("the decision fits");
}

fn user(who: &str) -> RowSelector {
    RowSelector::User {
        user: who.to_owned(),
        role: None,
    }
}

#[test]
fn scopes_are_parsed_and_bad_ones_explained() {
    assert!(Scope::parse("all").unwrap().active_and_pending);
    assert_eq!(
        Scope::parse("admins").unwrap().view,
        crate::audit::ViewKind::Admins
    );
    assert!(
        !Scope::parse("view:who-can:user_access_manage")
            .unwrap()
            .active_and_pending
    );
    assert!(Scope::parse("role:").is_err());
    assert!(Scope::parse("everyone").unwrap_err().contains("role:NAME"));
}

#[test]
fn admins_get_a_row_per_privileged_role_and_disabled_users_are_left_out() {
    let review = review_of("all");
    let ada: Vec<&Item> = review
        .items
        .iter()
        .filter(|i| i.user.id.as_str() == "u01")
        .collect();
    assert_eq!(ada.len(), 1);
    assert!(ada[0].privileged);
    assert_eq!(ada[0].role_label(), "Datadog Admin Role");
    assert!(review
        .items
        .iter()
        .all(|i| !i.user.status.eq_ignore_ascii_case("disabled")));
    let bjorn = review
        .items
        .iter()
        .find(|i| i.user.id.as_str() == "u02")
        .unwrap();
    assert!(!bjorn.privileged && bjorn.role.is_none());
}

#[test]
fn keeping_a_privileged_row_needs_a_justification() {
    let mut review = review_of("admins");
    let error = review
        .decide(&user("ada@example.com"), Decision::Keep, "", "me", at())
        .unwrap_err();
    assert!(error.to_string().contains("justification"), "{error}");
    review
        .decide(
            &user("ADA@example.com"),
            Decision::Keep,
            "on-call lead",
            "me",
            at(),
        )
        .expect("kept with a reason");
    assert_eq!(review.progress().privileged_kept, 1);
}

#[test]
fn a_signed_review_cannot_change_and_a_tampered_one_is_refused() {
    let mut review = review_of("admins");
    let reviewer = crate::audit::meta::TakenBy {
        id: "u01".into(),
        email: Some("ada@example.com".into()),
        name: Some("Ada".into()),
    };
    assert!(
        review.sign(reviewer.clone(), at()).is_err(),
        "undecided rows"
    );
    for row in 0..review.items.len() {
        review
            .decide(
                &RowSelector::Rows(vec![row]),
                Decision::Disable,
                "",
                "me",
                at(),
            )
            .unwrap();
    }
    review.sign(reviewer, at()).expect("signed");
    assert!(matches!(
        review.decide(&RowSelector::Rows(vec![0]), Decision::Keep, "x", "me", at()),
        Err(ReviewError::Signed { .. })
    ));
    let bytes = review.to_bytes().unwrap();
    assert_eq!(Review::parse(&bytes, Path::new("r.json")).unwrap(), review);
    let tampered = String::from_utf8(bytes)
        .unwrap()
        .replace("\"disable\"", "\"keep\"");
    let error = Review::parse(tampered.as_bytes(), Path::new("r.json")).unwrap_err();
    assert!(error.to_string().contains("signed"), "{error}");
}

#[test]
fn decisions_become_changes_and_drifted_users_are_left_out() {
    let mut review = review_of("all");
    let admin = review.find_role("datadog admin role").unwrap().clone();
    let standard = review.find_role("Datadog Standard Role").unwrap().clone();
    let change = Decision::ChangeRole {
        from: admin.clone(),
        to: standard.clone(),
    };
    decide(&mut review, "u01", change, "");
    decide(&mut review, "u02", Decision::Disable, "");
    let revoke = Decision::RevokeRole {
        role: standard.clone(),
    };
    decide(&mut review, "u03", revoke, "");
    let org = demo_audit_org();
    let plan = remediation(&review, &org, false);
    assert_eq!(
        plan.changes,
        vec![
            Change::AddRole {
                user: "u01".into(),
                role: standard.id.clone()
            },
            Change::RemoveRole {
                user: "u01".into(),
                role: admin.id.clone()
            },
            Change::Disable { user: "u02".into() },
            Change::RemoveRole {
                user: "u03".into(),
                role: standard.id.clone()
            },
        ]
    );
    // u02 changed since: left out unless forced.
    review
        .items
        .iter_mut()
        .filter(|i| i.user.id.as_str() == "u02")
        .for_each(|i| i.user.status = "pending".into());
    let plan = remediation(&review, &org, false);
    assert_eq!(plan.left_out.len(), 1);
    assert!(
        plan.left_out[0]
            .reason
            .to_lowercase()
            .contains("status pending → active"),
        "{:?}",
        plan.left_out
    );
    assert_eq!(remediation(&review, &org, true).changes.len(), 4);
}

#[test]
fn a_revoke_names_a_role_the_user_holds() {
    let mut review = review_of("all");
    let admin = review.find_role("Datadog Admin Role").unwrap().clone();
    let error = review
        .decide(
            &user("u02"),
            Decision::RevokeRole { role: admin },
            "",
            "me",
            at(),
        )
        .unwrap_err();
    assert!(
        error.to_string().contains("has no row") || error.to_string().contains("does not hold"),
        "{error}"
    );
}

fn applied_review() -> (Review, crate::runs::journal::RunState) {
    let mut review = review_of("all");
    let standard = review.find_role("Datadog Standard Role").unwrap().clone();
    decide(&mut review, "u01", Decision::Keep, "break-glass owner");
    decide(&mut review, "u02", Decision::Disable, "");
    let revoke = Decision::RevokeRole {
        role: standard.clone(),
    };
    decide(&mut review, "u03", revoke, "");
    let run = crate::runs::journal::RunState {
        run: crate::runs::RunId("20240301T120000-0001".into()),
        at: at(),
        title: "review".into(),
        origin: "test".into(),
        of: None,
        org: None,
        by: Some("u01".into()),
        changes: vec![
            Change::Disable { user: "u02".into() },
            Change::RemoveRole {
                user: "u03".into(),
                role: standard.id.clone(),
            },
        ],
        expect: Vec::new(),
        started: vec![true, true],
        before: vec![None, None],
        outcomes: vec![
            Some(crate::runs::ItemResult::done("disabled", None)),
            Some(crate::runs::ItemResult::failed("503 from the service")),
        ],
        finished_at: vec![Some(at()), Some(at())],
    };
    review.runs.push(AppliedRun {
        run: run.run.clone(),
        at: at(),
        changes: 2,
        left_out: Vec::new(),
        forced: false,
    });
    (review, run)
}

#[test]
fn the_evidence_pack_is_the_same_bytes_for_the_same_inputs_and_its_manifest_verifies() {
    let (review, run) = applied_review();
    let runs = [run];
    let disablings = [evidence::Disabling {
        user: "u02".into(),
        at: "2024-03-01T12:00:00Z".into(),
        by: "ada@example.com".into(),
        source: "audit trail".into(),
    }];
    let inputs = evidence::Inputs {
        review: &review,
        review_sha256: "feed",
        runs: &runs,
        disablings: &disablings,
    };
    let pack = evidence::build(&inputs);
    assert_eq!(pack, evidence::build(&inputs));
    let names: Vec<&str> = pack.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, evidence::FILES);
    let file = |name: &str| {
        let bytes = &pack.files.iter().find(|(n, _)| n == name).unwrap().1;
        String::from_utf8(bytes.clone()).unwrap()
    };
    let manifest: serde_json::Value = serde_json::from_str(&file("manifest.json")).unwrap();
    for entry in manifest["files"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        assert_eq!(
            entry["sha256"],
            crate::digest::sha256_hex(file(name).as_bytes()),
            "{name}"
        );
    }
    let remediation = file("remediation.csv");
    assert!(
        remediation.contains(
            "u02,bjorn@example.com,disable,done,disabled,2024-03-01T12:00:00.000000+00:00,ada@example.com"
        ),
        "{remediation}"
    );
    let exceptions = file("exceptions.csv");
    assert!(
        exceptions
            .contains("privileged-kept,u01,ada@example.com,Datadog Admin Role,break-glass owner"),
        "{exceptions}"
    );
    assert!(
        exceptions.contains("remediation-failed,u03"),
        "{exceptions}"
    );
    assert!(exceptions.contains("undecided"), "{exceptions}");
    let summary = file("summary.md");
    assert!(
        summary.contains("| disable | 1 |") && summary.contains("sha256sum -c"),
        "{summary}"
    );
}

#[test]
fn keys_of_another_org_may_not_sign_or_apply_the_review() {
    let mut review = review_of("all");
    review.source.org_id = Some("org-a".to_owned());
    review.source.org_name = Some("Acme".to_owned());
    assert!(review.check_org(Some("org-a")).is_ok());
    assert!(review.check_org(None).is_ok(), "unknown is not a mismatch");
    let error = review.check_org(Some("org-b")).unwrap_err().to_string();
    assert!(
        error.contains("org-a (Acme)") && error.contains("org-b"),
        "{error}"
    );
    review.source.org_id = None;
    assert!(review.check_org(Some("org-b")).is_ok());
}

/// The demo review written to a folder with its snapshot beside it.
fn review_beside_its_snapshot() -> (tempfile::TempDir, std::path::PathBuf, Review) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = crate::app::fixtures::write_demo_review(dir.path());
    let review = Review::read(&path).expect("the review reads back");
    (dir, path, review)
}

#[test]
fn a_review_opens_on_its_snapshot_when_it_is_beside_it_and_unchanged() {
    let (_dir, path, review) = review_beside_its_snapshot();
    let Ok(stand_in::Source::Snapshot {
        path: found,
        snapshot,
    }) = stand_in::source(&review, &path)
    else {
        panic!("the snapshot is found");
    };
    assert_eq!(found, path.with_file_name("q4.snapshot.json"));
    assert_eq!(snapshot.users.len(), demo_audit_org().users().len());
}

#[test]
fn a_missing_or_changed_snapshot_is_replaced_by_a_stand_in_of_the_reviews_rows() {
    let (dir, path, review) = review_beside_its_snapshot();
    let snapshot_path = dir.path().join("q4.snapshot.json");
    let mut bytes = std::fs::read(&snapshot_path).expect("read");
    bytes.push(b'\n');
    std::fs::write(&snapshot_path, &bytes).expect("changed");
    let Ok(stand_in::Source::StandIn { snapshot, why }) = stand_in::source(&review, &path) else {
        panic!("a stand-in");
    };
    assert!(
        why.contains("changed since the review was started"),
        "{why}"
    );
    std::fs::remove_file(&snapshot_path).expect("removed");
    let Ok(stand_in::Source::StandIn { why, .. }) = stand_in::source(&review, &path) else {
        panic!("a stand-in");
    };
    assert_eq!(why, "the review's snapshot q4.snapshot.json is missing");

    // The stand-in holds the review's users with their roles, as an org reads them.
    let org = crate::org::Org::from_snapshot(&snapshot, crate::org::TextPolicy::Exact);
    let users = review.users();
    assert_eq!(org.users().len(), users.len());
    for member in users {
        let user = org.by_id(&member.id).expect("every user of the review");
        let now = Member::of(&org, user);
        assert_eq!(member.drift(&now), None, "{} as frozen", member.email);
        assert_eq!((&now.name, &now.email), (&member.name, &member.email));
    }
    // It serves: the offline sandbox finds a user who may list the others.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let config = crate::sandbox::SandboxConfig {
            port: 0,
            ..Default::default()
        };
        let sandbox = crate::sandbox::Sandbox::start_offline(&snapshot, config)
            .await
            .expect("the stand-in is served");
        sandbox.shutdown().await;
    });
}

#[test]
fn a_stand_in_that_cannot_be_made_says_why_and_what_to_do() {
    let mut review = review_of("all");
    for item in &mut review.items {
        item.user.roles.clear();
    }
    let error = stand_in::stand_in(&review, "the review's snapshot org.json is missing")
        .expect_err("nobody may list the users");
    let text = error.to_string();
    assert!(
        text.starts_with("the review's snapshot org.json is missing, and its own rows cannot stand in for it: no user of it is enabled and holds a role"),
        "{text}"
    );
    assert!(
        text.contains("Put the snapshot the review was started from back beside it (sha256 abc)")
    );
    review.items.clear();
    let error = stand_in::stand_in(&review, "gone").expect_err("no rows");
    assert!(error.to_string().contains("the review has no rows"));
}

#[test]
fn the_justification_rule_is_the_one_the_console_asks_by() {
    let review = review_of("all");
    let ada = review
        .items
        .iter()
        .find(|i| i.user.email == "ada@example.com")
        .expect("Ada's row");
    let taro = review
        .items
        .iter()
        .find(|i| i.user.email == "taro.yamada@example.jp")
        .expect("Taro's row");
    let role = |name: &str| review.find_role(name).expect("a role").clone();
    assert!(decide::needs_justification(ada, &Decision::Keep));
    assert!(!decide::needs_justification(taro, &Decision::Keep));
    assert!(!decide::needs_justification(ada, &Decision::Disable));
    let to = |name: &str| Decision::ChangeRole {
        from: role("Datadog Admin Role"),
        to: role(name),
    };
    assert!(!decide::needs_justification(
        ada,
        &to("Datadog Standard Role")
    ));
    assert!(decide::needs_justification(ada, &to("Datadog Admin Role")));
}

#[test]
fn decisions_recorded_elsewhere_are_carried_into_the_file_as_it_is() {
    let mut console = review_of("all");
    decide(
        &mut console,
        "taro.yamada@example.jp",
        Decision::Disable,
        "left",
    );
    let taro = console
        .items
        .iter()
        .position(|i| i.decision.is_some())
        .expect("decided");
    let carried = [RowDecision::of(&console, taro).expect("a row")];
    // The file meanwhile got a decision from the command line: it stays.
    let mut file = review_of("all");
    decide(&mut file, "alan@example.com", Decision::Keep, "");
    file.carry(&carried).expect("carried");
    assert_eq!(file.items[taro], console.items[taro]);
    assert_eq!(file.progress().decided, 2);
    // Clearing is carried too.
    let cleared = RowDecision {
        decided: None,
        ..carried[0].clone()
    };
    file.carry(&[cleared]).expect("carried");
    assert!(file.items[taro].decision.is_none());

    // A row that is not the same user any more: nothing is carried.
    let mut other = review_of("all");
    let mut wrong = carried[0].clone();
    wrong.row = (taro + 1) % other.items.len();
    let error = other
        .carry(&[carried[0].clone(), wrong])
        .expect_err("refused");
    assert!(error.to_string().contains("another review"), "{error}");
    assert_eq!(other.progress().decided, 0);
    // A signed file: final.
    let mut signed = review_of("all");
    let all = RowSelector::Rows((0..signed.items.len()).collect());
    signed
        .decide(&all, Decision::Keep, "fine", "me", at())
        .expect("decided");
    let reviewer = crate::audit::meta::TakenBy {
        id: "u01".into(),
        email: None,
        name: None,
    };
    signed.sign(reviewer, at()).expect("signed");
    let error = signed.carry(&carried).expect_err("final");
    assert!(matches!(error, ReviewError::Signed { .. }), "{error}");
}
