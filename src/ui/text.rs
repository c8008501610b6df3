//! Width-aware text: truncation and padding by terminal columns (not bytes or chars), so
//! accents, CJK and emoji line up. Control characters never reach the screen.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn clean(c: char) -> char {
    crate::text::displayable(c)
}

/// `s` cut to at most `max` columns with "…" when cut, then padded with spaces to exactly
/// `max` columns.
pub fn fit(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(max + 4);
    let total: usize = s.chars().map(|c| clean(c).width().unwrap_or(0)).sum();
    let mut used = 0;
    if total <= max {
        for c in s.chars() {
            out.push(clean(c));
        }
        used = total;
    } else if max > 0 {
        let room = max - 1; // for the ellipsis
        for c in s.chars() {
            let c = clean(c);
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', max.saturating_sub(used)));
    out
}

/// `s` without its first `columns` columns (for scrolled inputs).
pub fn skip_columns(s: &str, columns: usize) -> String {
    let mut skipped = 0;
    s.chars()
        .skip_while(|c| {
            if skipped >= columns {
                return false;
            }
            skipped += c.width().unwrap_or(0);
            true
        })
        .map(clean)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_columns_not_chars_for_cjk_and_emoji() {
        assert_eq!(width(&fit("山田 太郎", 6)), 6);
        assert_eq!(fit("山田 太郎", 6), "山田 …");
        assert_eq!(width(&fit("Zoë 🚀 Rocket", 7)), 7);
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn a_wide_char_that_does_not_fit_leaves_padding_not_overflow() {
        // Room for 3 columns before the ellipsis; the second CJK char would need 4.
        let cut = fit("山田太郎", 4);
        assert_eq!(width(&cut), 4);
        assert_eq!(cut, "山… ");
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        assert_eq!(fit("a\u{1b}[2Jb", 6), "a\u{FFFD}[2Jb");
        assert_eq!(fit("a\tb\u{202E}c", 5), "a b\u{FFFD}c");
    }

    proptest::proptest! {
        #[test]
        fn fitted_text_is_exactly_as_wide_as_asked_and_holds_nothing_hidden(
            text in proptest::prelude::any::<String>(),
            max in 0usize..40,
        ) {
            let cut = fit(&text, max);
            proptest::prop_assert_eq!(width(&cut), max);
            proptest::prop_assert!(!cut.chars().any(crate::text::is_hidden));
        }
    }
}
