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
