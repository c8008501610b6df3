//! How numbers, dates and ages are written for people, in one place for the console and
//! the command line alike: "15,863", "2024-03-01", "5h ago", "3 users". Pure.

/// 100000 → "100,000".
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

/// "1 user", "15,863 users", "2 service accounts", "3 matches".
pub fn count(n: usize, what: &str) -> String {
    let number = thousands(n as u64);
    if n == 1 {
        format!("{number} {what}")
    } else if what.ends_with('s') || what.ends_with("ch") {
        format!("{number} {what}es")
    } else {
        format!("{number} {what}s")
    }
}

/// A moment to the minute, UTC: "2026-11-27 06:15".
pub fn minute(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Unix seconds → "2024-03-01" ("?" when out of range).
pub fn date(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => "?".into(),
    }
}

/// How long before `now` the moment `t` was (unix seconds): "just now", "5m ago",
/// "3h ago", "12d ago", "2y ago".
pub fn ago(now: i64, t: i64) -> String {
    let secs = now.saturating_sub(t);
    if secs < 60 {
        return "just now".into();
    }
    let (n, unit) = match secs {
        s if s < 3600 => (s / 60, "m"),
        s if s < 86_400 => (s / 3600, "h"),
        s if s < 86_400 * 365 => (s / 86_400, "d"),
        s => (s / (86_400 * 365), "y"),
    };
    format!("{n}{unit} ago")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_counts_dates_and_ages_read_as_words() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(15_863), "15,863");
        assert_eq!(count(1, "user"), "1 user");
        assert_eq!(count(15_863, "user"), "15,863 users");
        assert_eq!(count(2, "service account"), "2 service accounts");
        assert_eq!(count(1, "day"), "1 day");
        assert_eq!(count(1, "run"), "1 run");
        assert_eq!(count(2, "match"), "2 matches");
        assert_eq!(date(1_709_294_400), "2024-03-01");
        assert_eq!(ago(1_000, 990), "just now");
        assert_eq!(ago(10_000, 10_000 - 3 * 3600), "3h ago");
        assert_eq!(
            ago(0, i64::MIN),
            format!("{}y ago", i64::MAX / (86_400 * 365))
        );
    }
}
