use super::*;

#[test]
fn sort_values_round_trip_and_others_are_refused() {
    for sort in ApplicationKeySort::ALL {
        assert_eq!(ApplicationKeySort::parse(sort.as_str()), Some(sort));
    }
    assert!(ApplicationKeySort::NameDesc.is_descending());
    assert!(!ApplicationKeySort::Last4Asc.is_descending());
    for bad in ["", "owner", "-last_used_at", "Name", "--name"] {
        assert_eq!(ApplicationKeySort::parse(bad), None, "{bad}");
    }
}

#[test]
fn a_key_with_null_scopes_and_no_last_used_at_parses() {
    let key: ApplicationKey = serde_json::from_str(
        r#"{"type":"application_keys","id":"k1","attributes":{"name":"ci","created_at":"2025-09-08T09:24:48.499395+00:00","last4":"abcd","key":"secret-never-kept","scopes":null,"future":1},"relationships":{"owned_by":{"data":{"type":"users","id":"u1"}},"leak_information":{"data":null}},"links":{}}"#,
    )
    .expect("the created-key shape parses");
    assert_eq!(key.attributes.scopes, None);
    assert_eq!(key.attributes.last_used_at, None);
    assert_eq!(key.owner_id(), Some(UserId::from("u1")));
    let written = serde_json::to_value(&key).expect("serialises");
    assert!(!written.to_string().contains("secret-never-kept"));
    assert!(written["attributes"]["scopes"].is_null());
    assert!(written["attributes"]["last_used_at"].is_null());
    assert!(written["relationships"]["leak_information"]["data"].is_null());
}

#[test]
fn included_items_keep_users_roles_and_unknown_kinds() {
    let page: ApplicationKeysResponse = serde_json::from_str(
        r#"{"data":[],"included":[{"type":"users","id":"u1","attributes":{"name":"A"}},{"type":"roles","id":"r1","attributes":{"name":"R","managed":true}},{"type":"leaked_keys","id":"x"}],"meta":{"page":{"total_filtered_count":0},"max_allowed_per_user":1000}}"#,
    )
    .expect("parses");
    assert_eq!(page.included_users().count(), 1);
    assert!(matches!(page.included[1], ApplicationKeyIncluded::Role(_)));
    assert!(matches!(page.included[2], ApplicationKeyIncluded::Other(_)));
    assert_eq!(page.total_filtered_count(), Some(0));
    assert_eq!(
        page.meta.as_ref().and_then(|m| m.max_allowed_per_user),
        Some(1000)
    );
}
