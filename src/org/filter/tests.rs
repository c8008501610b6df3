use time::OffsetDateTime;

use super::*;
use crate::api::models::{User, UserStatus};
use crate::app::fixtures::{page, role, user};

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

fn at(secs: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// Björn (admin, MFA on, logged in yesterday), Müller (email without the umlaut, standard,
/// never logged in, created 10 days ago), a disabled admin, and a service account.
fn org() -> Org {
    let mut bjorn = user("u-bj1", "Björn Ström", "bjorn@example.com", &["r-admin"]);
    bjorn.attributes.mfa_enabled = Some(true);
    bjorn.attributes.title = Some("Site Reliability Engineer".into());
    bjorn.attributes.last_login_time = at(NOW - DAY);
    bjorn.attributes.created_at = at(NOW - 400 * DAY);
    let mut muller = user("u-mu2", "Jürgen Müller", "jm@example.de", &["r-std"]);
    muller.attributes.created_at = at(NOW - 10 * DAY);
    let mut gone = user("u-go3", "Old Admin", "old@example.com", &["r-admin"]);
    gone.attributes.status = Some(UserStatus::Disabled);
    gone.attributes.disabled = Some(true);
    gone.attributes.last_login_time = at(NOW - 200 * DAY);
    let mut bot: User = user("u-bot4", "CI bot", "ci@example.com", &[]);
    bot.attributes.service_account = Some(true);
    let mut org = Org::new();
    org.ingest_page(&page(
        vec![bjorn, muller, gone, bot],
        &[
            &role("r-admin", "Datadog Admin Role", &[]),
            &role("r-std", "Datadog Standard Role", &[]),
        ],
        &[],
    ));
    org
}

/// The ids the filter admits.
fn ids(text: &str) -> Vec<String> {
    let org = org();
    let filter = Filter::parse(text).expect("the filter parses");
    let matcher = filter.matcher(&org, OffsetDateTime::from_unix_timestamp(NOW).unwrap());
    org.users()
        .iter()
        .filter(|u| matcher.matches(u))
        .map(|u| u.id.0.clone())
        .collect()
}

#[test]
fn free_text_is_accent_insensitive_both_ways() {
    assert_eq!(ids("bjorn"), ["u-bj1"]);
    assert_eq!(ids("BJÖRN"), ["u-bj1"]);
    assert_eq!(
        ids("muller"),
        ["u-mu2"],
        "the name, not the email, has the umlaut"
    );
    assert_eq!(ids("strom bjorn@"), ["u-bj1"], "terms are ANDed");
    assert_eq!(fold("Łukasz Straße Ærø"), "lukasz strasse aero");
    assert_eq!(
        fold("Иван 李"),
        "иван 李",
        "other scripts are lower-cased only"
    );
}

#[test]
fn every_field_matches_its_attribute() {
    assert_eq!(ids("role:admin"), ["u-bj1", "u-go3"]);
    assert_eq!(ids("role:STANDARD"), ["u-mu2"]);
    assert_eq!(ids("status:active"), ["u-bj1", "u-mu2", "u-bot4"]);
    assert_eq!(ids("status:Disabled"), ["u-go3"]);
    assert_eq!(ids("mfa:on"), ["u-bj1"]);
    assert_eq!(ids("mfa:off").len(), 3);
    assert_eq!(ids("title:reliab"), ["u-bj1"]);
    assert_eq!(ids("email:.de"), ["u-mu2"]);
    assert_eq!(ids("id:U-GO"), ["u-go3"]);
    assert_eq!(ids("svc:yes"), ["u-bot4"]);
    assert_eq!(ids("svc:no").len(), 3);
    assert_eq!(ids("login:never"), ["u-mu2", "u-bot4"]);
    assert_eq!(ids("login:<7d"), ["u-bj1"]);
    assert_eq!(
        ids("login:>90d"),
        ["u-mu2", "u-go3", "u-bot4"],
        "never logged in counts as longer ago"
    );
    assert_eq!(ids("login:>6m"), ["u-mu2", "u-go3", "u-bot4"]);
    assert_eq!(ids("created:<30d"), ["u-mu2"]);
    assert_eq!(ids("created:>1y"), ["u-bj1", "u-go3", "u-bot4"]);
    assert_eq!(ids("created:<2w"), ["u-mu2"]);
}

#[test]
fn negation_and_quotes() {
    assert_eq!(ids("role:admin !status:disabled"), ["u-bj1"]);
    assert_eq!(ids("!role:admin"), ["u-mu2", "u-bot4"]);
    assert_eq!(ids("title:\"site reliability\""), ["u-bj1"]);
    assert_eq!(ids("\"jürgen müller\""), ["u-mu2"]);
    assert!(ids("title:\"site engineer\"").is_empty());
    assert_eq!(ids(""), ["u-bj1", "u-mu2", "u-go3", "u-bot4"]);
}

#[test]
fn bad_filters_say_what_to_type() {
    let error = |text: &str| Filter::parse(text).unwrap_err().to_string();
    assert_eq!(
        error("rol:admin"),
        "unknown field \"rol\": use role status mfa title email id svc login created"
    );
    assert_eq!(
        error("status:gone"),
        "status:gone is not understood: use active, pending or disabled"
    );
    assert_eq!(error("role:"), "role: needs a value, e.g. role:admin");
    assert_eq!(
        error("mfa:maybe"),
        "mfa:maybe is not understood: use on or off"
    );
    assert!(error("login:90d").contains("never, <7d or >90d"));
    assert!(error("created:<3x").contains("units d, w, m, y"));
    assert!(error("created:<99999999999999999y").contains("not understood"));
    assert!(error("login:<-5d").contains("not understood"));
    assert_eq!(error("title:\"site"), "a quote is not closed: title:\"site");
    assert!(error("!").contains("needs a term"));
    // As typed: the terms that parse, and why the others were left out.
    let (filter, error) = Filter::parse_lenient("role:admin status:dis title:\"site rel");
    assert_eq!(
        filter.terms.len(),
        2,
        "role and the title, quote closed at the end"
    );
    assert!(error.unwrap().to_string().starts_with("status:dis"));
    // Colons that are not after a word stay text.
    assert!(Filter::parse("10:30").is_ok());
}

#[test]
fn narrowing_is_recognised_only_when_it_is_safe() {
    let f = |t: &str| Filter::parse(t).unwrap();
    assert!(f("bjo").narrows(&f("bj")));
    assert!(f("bj role:admin").narrows(&f("bj")));
    assert!(!f("bj").narrows(&f("bj role:admin")));
    assert!(f("!bj").narrows(&f("!bjo")));
    assert!(!f("!bjo").narrows(&f("!bj")));
    assert!(f("id:u-b").narrows(&f("id:u")));
    assert!(!f("status:active").narrows(&f("status:pending")));
    assert!(f("anything").narrows(&f("")));
}

#[test]
fn highlights_map_folded_matches_back_to_the_text() {
    let text = "Björn Ström";
    let ranges = highlight_ranges(text, &["bjorn", "str"]);
    let parts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(parts, ["Björn", "Str"]);
    assert!(highlight_ranges(text, &[]).is_empty());
    let overlap = highlight_ranges("aaaa", &["aa", "aaa"]);
    assert_eq!(overlap, vec![Range { start: 0, end: 4 }]);
    let ligature = highlight_ranges("Straße", &["ss"]);
    assert_eq!(&"Straße"[ligature[0].clone()], "ß");
}
