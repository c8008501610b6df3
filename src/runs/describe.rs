//! The words of a plan's consequences, one line each, shared by the console's confirmation
//! dialog and the command line's summary, so both say the same thing. Plain text: callers
//! style it by the line's level and make it safe for their terminal.

use time::OffsetDateTime;

use super::gate::{KeySummary, Summary};

/// How much a line matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Refused,
}

/// One line of a summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub level: Level,
    pub text: String,
}

fn line(level: Level, text: impl Into<String>) -> Line {
    Line {
        level,
        text: text.into(),
    }
}

pub use crate::words::count;

/// 15863 → "15,863".
pub fn group(n: usize) -> String {
    crate::words::thousands(n as u64)
}

/// "2d ago", "5h ago", "just now".
pub fn ago(now: OffsetDateTime, then: OffsetDateTime) -> String {
    crate::words::ago(now.unix_timestamp(), then.unix_timestamp())
}

/// Names of the first few, "and N more".
fn names(labels: Vec<String>, shown: usize) -> String {
    let more = labels.len().saturating_sub(shown);
    let mut text = labels
        .into_iter()
        .take(shown)
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

impl Summary {
    /// The consequences, one line each: who is in it, what it breaks, what was refused.
    /// `key_owners` caps how many key owners are listed by name.
    pub fn lines(&self, key_owners: usize) -> Vec<Line> {
        // What stops the plan comes first: the rest explains it.
        let mut lines: Vec<Line> = self
            .refusals
            .iter()
            .map(|r| line(Level::Refused, r.line()))
            .collect();
        lines.push(self.who_line());
        if let Some(hidden) = self.hidden_by_filter.filter(|n| *n > 0) {
            lines.push(line(
                Level::Warn,
                format!(
                    "{} hidden by the current filter or tab",
                    if hidden == 1 {
                        "1 of them is".to_owned()
                    } else {
                        format!("{} of them are", group(hidden))
                    }
                ),
            ));
        }
        if self.destructive && !self.service_accounts.is_empty() {
            let labels = self.service_accounts.iter().map(|u| u.label()).collect();
            lines.push(line(
                Level::Warn,
                format!("service accounts: {}", names(labels, 5)),
            ));
        }
        if self.destructive && !self.admins.is_empty() {
            let labels = self.admins.iter().map(|u| u.label()).collect();
            lines.push(line(Level::Warn, format!("admins: {}", names(labels, 5))));
        }
        if self.includes_you && self.refusals.is_empty() {
            lines.push(line(Level::Warn, "includes you: your own changes run last"));
        }
        if let Some(keys) = &self.keys {
            lines.extend(self.key_lines(keys, key_owners));
        }
        if self.already_so > 0 {
            lines.push(line(
                Level::Info,
                format!(
                    "{} already so (read again, then skipped)",
                    count(self.already_so, "change")
                ),
            ));
        }
        if self.unknown_users > 0 {
            lines.push(line(
                Level::Warn,
                format!("{} not found in the org", count(self.unknown_users, "user")),
            ));
        }
        lines
    }

    /// "12 users, of which 2 admins (holding user_access_manage), 3 pending": a warning when
    /// a destructive plan touches admins or service accounts.
    fn who_line(&self) -> Line {
        let mut who = vec![count(self.users, "user")];
        let mut parts = Vec::new();
        if !self.admins.is_empty() {
            parts.push(format!(
                "{} (holding user_access_manage)",
                count(self.admins.len(), "admin")
            ));
        }
        if !self.service_accounts.is_empty() {
            parts.push(count(self.service_accounts.len(), "service account"));
        }
        if self.pending > 0 {
            parts.push(format!("{} pending", group(self.pending)));
        }
        if !parts.is_empty() {
            who.push(format!("of which {}", parts.join(", ")));
        }
        let privileged = !self.admins.is_empty() || !self.service_accounts.is_empty();
        let level = if privileged && self.destructive {
            Level::Warn
        } else {
            Level::Info
        };
        line(level, who.join(", "))
    }

    fn key_lines(&self, keys: &KeySummary, shown: usize) -> Vec<Line> {
        if !keys.known {
            return vec![line(
                Level::Warn,
                format!(
                    "application keys: unknown — {}",
                    keys.unknown_reason
                        .as_deref()
                        .unwrap_or("they could not be read")
                ),
            )];
        }
        if keys.total == 0 {
            return vec![line(
                Level::Info,
                "application keys: none of these users owns one",
            )];
        }
        let mut lines = vec![line(
            if keys.recently_used > 0 {
                Level::Warn
            } else {
                Level::Info
            },
            format!(
                "revokes {} of {}{}",
                count(keys.total, "application key"),
                count(keys.owners.len(), "user"),
                if keys.recently_used > 0 {
                    format!(
                        "; {} used in the last 30 days — automation may break",
                        group(keys.recently_used)
                    )
                } else {
                    String::new()
                }
            ),
        )];
        for owner in keys.owners.iter().take(shown) {
            let list: Vec<String> = owner
                .keys
                .iter()
                .map(|k| match k.last_used_at {
                    Some(t) => format!("{} (used {})", k.name, ago(self.read_at, t)),
                    None => format!("{} (never used)", k.name),
                })
                .collect();
            lines.push(line(
                if owner.keys.iter().any(|k| k.recently_used) {
                    Level::Warn
                } else {
                    Level::Info
                },
                format!("  {}: {}", owner.user.label(), names(list, 3)),
            ));
        }
        if keys.owners.len() > shown {
            let more = keys.owners.len() - shown;
            lines.push(line(
                Level::Info,
                format!("  and {} more", count(more, "owner")),
            ));
        }
        lines
    }
}
