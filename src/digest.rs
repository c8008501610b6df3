//! Content hashes for evidence: the sha256 of bytes, and canonical JSON (compact, every
//! object's keys sorted) so a hash of JSON content does not depend on field order or
//! pretty-printing. Exports and snapshots call these; anyone can check them with
//! `jq -cSj … | sha256sum`.

use serde::Serialize;

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `value` as compact JSON with every object's keys sorted.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    // serde_json's own map keeps keys sorted, so going through a Value sorts them.
    serde_json::to_vec(&serde_json::to_value(value)?)
}

/// The sha256 of `value` as canonical JSON.
pub fn canonical_sha256<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    canonical_json(value).map(|bytes| sha256_hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_and_json_is_hashed_with_sorted_keys() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a = serde_json::json!({"b": 1, "a": [{"d": 2, "c": 3}]});
        assert_eq!(
            canonical_json(&a).unwrap(),
            br#"{"a":[{"c":3,"d":2}],"b":1}"#
        );
    }
}
