use super::*;

#[test]
fn page_of_reads_descending_lists_from_the_end() {
    let list = vec![10, 11, 12, 13, 14];
    assert_eq!(page_of(&list, false, 1, 2), vec![12, 13]);
    assert_eq!(page_of(&list, true, 0, 2), vec![14, 13]);
    assert_eq!(page_of(&list, true, 2, 2), vec![10]);
    assert!(page_of(&list, false, 3, 2).is_empty());
    assert!(page_of(&list, false, u64::MAX, 100).is_empty());
}

#[test]
fn gravatar_hashes_the_lower_cased_email() {
    assert_eq!(
        gravatar("Test-Get_user_details_returns_OK_response-1697467605@datadoghq.com"),
        "https://secure.gravatar.com/avatar/64901293a45aa6f5fa32d0fa57decdb2?s=48&d=retro"
    );
}
