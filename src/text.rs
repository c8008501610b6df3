//! What may reach a terminal from data: names, emails and messages come from the service
//! and from other people, so control characters (which could move the cursor or clear the
//! screen) and bidirectional overrides (which could reorder what is shown) are replaced.
//! Used by the console's drawing and by the command line's output alike. Also how counts
//! are written for people.

/// `c`, or what to show instead: tabs and line breaks become spaces, other control and
/// bidirectional-override characters become U+FFFD.
pub fn displayable(c: char) -> char {
    let bidi_control = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if matches!(c, '\t' | '\n' | '\r') {
        ' '
    } else if c.is_control() || bidi_control {
        '\u{FFFD}'
    } else {
        c
    }
}

/// `text` with every character made displayable.
pub fn sanitize(text: &str) -> String {
    text.chars().map(displayable).collect()
}

/// 100000 → "100,000": counts as people read them.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_are_neutralised_and_scripts_kept() {
        assert_eq!(sanitize("evil\u{1b}[2Jname"), "evil\u{FFFD}[2Jname");
        assert_eq!(sanitize("abc\u{202E}def"), "abc\u{FFFD}def");
        assert_eq!(sanitize("tab\there\nnext"), "tab here next");
        assert_eq!(sanitize("محمد 山田 Zoë 🚀"), "محمد 山田 Zoë 🚀");
    }
}
