//! The one output sanitizer: what may reach a terminal, a CSV cell or a JSON document from
//! data. Names, emails, titles and messages come from the service and from other people, so
//! control characters (which could move the cursor, clear the screen or ring the bell), C1
//! controls, bidirectional controls (which could reorder what is shown: `CFO\u{202E}gnp.exe`)
//! and zero-width characters (which could hide text) are replaced by a visible placeholder.
//! Every path that writes to a terminal goes through [`displayable`]: the console (at ingest,
//! when users, roles, orgs and messages enter the state), tables, stderr and prompts. JSON
//! keeps such characters exact as `\u` escapes ([`escape_json`]); CSV cells are neutralised
//! and never start a spreadsheet formula ([`csv_cell`]).

use std::borrow::Cow;

/// The placeholder shown for a character that must not reach a terminal.
pub const PLACEHOLDER: char = '\u{FFFD}';

/// Characters that reorder text: the bidirectional embeddings, overrides and isolates, and
/// the marks.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Characters that take no room and could hide or join text.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// True for a character that must never reach a terminal as is: C0 and C1 controls (tab
/// and line breaks included), DEL, bidirectional controls, zero-width characters, and the
/// Unicode line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_zero_width(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `c`, or what to show instead: tabs and line breaks become spaces, the other hidden
/// characters the placeholder.
pub fn displayable(c: char) -> char {
    if matches!(c, '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}') {
        ' '
    } else if is_hidden(c) {
        PLACEHOLDER
    } else {
        c
    }
}

/// `text` with every character made displayable (borrowed when nothing needed replacing).
pub fn sanitize_cow(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_hidden) {
        Cow::Owned(text.chars().map(displayable).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with every character made displayable.
pub fn sanitize(text: &str) -> String {
    sanitize_cow(text).into_owned()
}

/// A JSON document with every hidden character written as a `\u` escape, so it prints
/// safely and still parses to exactly the same value (such characters can only stand inside
/// JSON strings; C0 controls are escaped by the serializer already).
pub fn escape_json(json: &str) -> Cow<'_, str> {
    // A line break outside strings is the pretty printer's; inside them the serializer
    // escapes it already.
    let escape = |c: char| is_hidden(c) && c != '\n';
    if !json.chars().any(escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            // Every hidden character is in the Basic Multilingual Plane: one escape each.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell as it is safe to open in a spreadsheet: hidden characters replaced, and a
/// leading `'` when the cell would start a formula (`=`, `+`, `-`, `@`, tab, CR). `raw`
/// leaves the cell untouched (`--raw-csv`, for machine consumers).
pub fn csv_cell(cell: &str, raw: bool) -> Cow<'_, str> {
    if raw {
        return Cow::Borrowed(cell);
    }
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let clean = sanitize_cow(cell);
    if formula {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    #[test]
    fn escapes_and_bidi_overrides_are_neutralised_and_scripts_kept() {
        assert_eq!(sanitize("evil\u{1b}[2Jname"), "evil\u{FFFD}[2Jname");
        assert_eq!(sanitize("abc\u{202E}def"), "abc\u{FFFD}def");
        assert_eq!(sanitize("CFO\u{202E}gnp.exe"), "CFO\u{FFFD}gnp.exe");
        assert_eq!(sanitize("tab\there\nnext"), "tab here next");
        assert_eq!(
            sanitize("zero\u{200B}width\u{FEFF}"),
            "zero\u{FFFD}width\u{FFFD}"
        );
        assert_eq!(sanitize("c1\u{85}\u{9b}"), "c1\u{FFFD}\u{FFFD}");
        assert_eq!(sanitize("محمد 山田 Zoë 🚀"), "محمد 山田 Zoë 🚀");
        assert!(matches!(sanitize_cow("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_hidden_characters_exact_as_escapes() {
        let value = serde_json::json!({"name": "CFO\u{202E}gnp\u{200B}\u{85}\u{1b}"});
        let text = serde_json::to_string(&value).expect("serialises");
        let safe = escape_json(&text);
        assert!(!safe.chars().any(is_hidden), "{safe}");
        assert!(
            safe.contains("\\u202e") && safe.contains("\\u0085"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn csv_cells_never_start_a_formula_unless_raw() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")", false), "'=HYPERLINK(\"x\")");
        for start in ["+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(start, false).starts_with('\''), "{start:?}");
        }
        assert_eq!(csv_cell("bell\u{7}", false), "bell\u{FFFD}");
        assert_eq!(csv_cell("ada@example.com", false), "ada@example.com");
        assert_eq!(csv_cell("=1+1", true), "=1+1");
    }

    proptest! {
        #[test]
        fn sanitized_text_holds_no_hidden_character(text in any::<String>()) {
            let clean = sanitize(&text);
            prop_assert!(!clean.chars().any(is_hidden));
            prop_assert_eq!(clean.chars().count(), text.chars().count());
        }

        #[test]
        fn escaped_json_holds_no_hidden_character_and_parses_back(text in any::<String>()) {
            let json = serde_json::to_string(&text).expect("serialises");
            let safe = escape_json(&json);
            prop_assert!(!safe.chars().any(is_hidden));
            let back: String = serde_json::from_str(&safe).expect("parses");
            prop_assert_eq!(back, text);
        }
    }
}
