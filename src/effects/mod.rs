//! The action queue: executes `Effect`s on tokio with bounded concurrency and answers with
//! `Msg`s on a channel. It owns request lanes (a newer listing, search or detail request
//! cancels the one in flight: latest wins), cancels everything on shutdown, and is the ONE
//! place where read-only mode and write permissions are enforced: a mutating effect it may
//! not run is answered with `Msg::Refused`, never sent to the service. It draws nothing and
//! never touches `State`.

mod console_audit;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::StreamExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::models::{
    AnonymizeError, AnonymizeUsersResult, Included, Patch, RoleId, UserId, UserUpdate,
};
use crate::api::{ApiError, Client, ErrorKind, ListUsersQuery, RetryNotice};
use crate::app::{BulkKind, DetailData, Effect, InviteOutcome, Invitee, ItemOutcome, Msg};
use crate::runs::{Change, ItemReport, ItemResult, Journal, Runner};

/// The permission every user-management write needs.
pub const MANAGE: &str = "user_access_manage";
/// The permission invitations need (manage also allows them).
pub const INVITE: &str = "user_access_invite";

/// How the queue runs.
#[derive(Clone, Debug)]
pub struct QueueOptions {
    /// Refuse every write (`--read-only`).
    pub read_only: bool,
    /// Users worked on at once by bulk runs and invites.
    pub write_concurrency: usize,
    /// Where every change is recorded before it is sent (none: not journaled).
    pub journal: Option<Arc<Journal>>,
    /// The org's address for the journal (base URL; never a key).
    pub origin: String,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            read_only: false,
            write_concurrency: 4,
            journal: None,
            origin: String::new(),
        }
    }
}

/// What writes are allowed, decided here only.
#[derive(Clone, Debug, Default)]
struct Permits {
    /// `--read-only`.
    forced: bool,
    /// Permission names of the current user, once known.
    permissions: Option<Vec<String>>,
}

impl Permits {
    fn has(&self, name: &str) -> bool {
        self.permissions
            .as_ref()
            .is_none_or(|p| p.iter().any(|n| n == name))
    }

    /// Why `effect` may not run, if it may not.
    fn refusal(&self, effect: &Effect) -> Option<String> {
        if !effect.is_mutating() {
            return None;
        }
        if self.forced {
            return Some("read-only mode (started with --read-only)".into());
        }
        let needs_invite_only = matches!(
            effect,
            Effect::InviteUsers { .. }
                | Effect::Bulk {
                    kind: BulkKind::ResendInvitation | BulkKind::CancelInvitations,
                    ..
                }
        );
        let allowed = if needs_invite_only {
            self.has(MANAGE) || self.has(INVITE)
        } else {
            self.has(MANAGE)
        };
        (!allowed).then(|| {
            let needed = if needs_invite_only { INVITE } else { MANAGE };
            format!("read-only: your user lacks the {needed} permission")
        })
    }

    /// What the console shows: read-only when no write at all is possible.
    fn access(&self) -> (bool, Option<String>) {
        if self.forced {
            return (
                true,
                Some("read-only mode (started with --read-only)".into()),
            );
        }
        if !self.has(MANAGE) && !self.has(INVITE) {
            return (
                true,
                Some(format!("read-only: your user lacks {MANAGE} and {INVITE}")),
            );
        }
        (false, None)
    }
}

/// Lanes where only the newest request matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Lane {
    Users,
    Search,
    Detail,
}

/// The queue. Cheap to share; `submit` never blocks.
pub struct EffectsQueue {
    client: Client,
    tx: UnboundedSender<Msg>,
    permits: Arc<Mutex<Permits>>,
    shutdown: CancellationToken,
    lanes: Mutex<HashMap<Lane, CancellationToken>>,
    tasks: TaskTracker,
    runner: Runner,
    /// The org as read for audits and exports; the console's address.
    audit: console_audit::AuditContext,
}

/// Words for an API error, for the status line.
pub fn plain(error: &ApiError) -> String {
    match error.kind() {
        ErrorKind::Network => format!("network problem — {error}"),
        _ => error.to_string(),
    }
}

fn retry_notice(notice: &RetryNotice) -> String {
    let secs = notice.wait.as_secs_f64().ceil().max(1.0) as u64;
    if notice.rate_limited && notice.attempt == 0 {
        // The pacer holding a request back before the service says 429.
        format!("Rate limited ({}) — resuming in {secs} s", notice.operation)
    } else if notice.rate_limited {
        format!("Rate limited ({}) — retrying in {secs} s", notice.operation)
    } else {
        format!("{} — retrying in {secs} s", notice.reason)
    }
}

impl EffectsQueue {
    /// A queue over `client`; its messages come out of the returned receiver.
    pub fn new(client: Client, options: QueueOptions) -> (EffectsQueue, UnboundedReceiver<Msg>) {
        let (tx, rx) = unbounded_channel();
        let notices = tx.clone();
        let client = client.with_retry_observer(Arc::new(move |notice: &RetryNotice| {
            let _ = notices.send(Msg::Notice(retry_notice(notice)));
        }));
        let permits = Permits {
            forced: options.read_only,
            permissions: None,
        };
        let (read_only, reason) = permits.access();
        let _ = tx.send(Msg::Access { read_only, reason });
        let queue = EffectsQueue {
            client: client.clone(),
            tx,
            permits: Arc::new(Mutex::new(permits)),
            shutdown: CancellationToken::new(),
            lanes: Mutex::new(HashMap::new()),
            tasks: TaskTracker::new(),
            audit: console_audit::AuditContext::new(options.origin.clone()),
            runner: Runner::new(
                client,
                options.journal,
                options.origin,
                options.write_concurrency,
            ),
        };
        (queue, rx)
    }

    /// Cancels everything in flight and waits for the tasks to stop.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// A token for a new request in `lane`, cancelling the previous one.
    fn lane_token(&self, lane: Lane) -> CancellationToken {
        let token = self.shutdown.child_token();
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = lanes.insert(lane, token.clone()) {
            old.cancel();
        }
        token
    }

    /// Runs `effect` in the background. Mutations that are not allowed are refused here.
    pub fn submit(&self, effect: Effect) {
        let refusal = self
            .permits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .refusal(&effect);
        if let Some(reason) = refusal {
            let _ = self.tx.send(Msg::Refused {
                what: effect.describe(),
                reason,
            });
            return;
        }
        if effect.is_mutating() {
            self.audit.invalidate();
        }
        let token = match &effect {
            Effect::LoadUsers { .. } => self.lane_token(Lane::Users),
            Effect::SearchUsers { .. } => self.lane_token(Lane::Search),
            Effect::LoadDetail { .. } => self.lane_token(Lane::Detail),
            _ => self.shutdown.child_token(),
        };
        let client = self.client.clone();
        let tx = self.tx.clone();
        let permits = self.permits.clone();
        let runner = self.runner.clone();
        let audit = self.audit.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = run(client, tx, permits, runner, audit, effect) => {}
            }
        });
    }
}

async fn run(
    client: Client,
    tx: UnboundedSender<Msg>,
    permits: Arc<Mutex<Permits>>,
    runner: Runner,
    audit: console_audit::AuditContext,
    effect: Effect,
) {
    let send = |msg: Msg| {
        let _ = tx.send(msg);
    };
    match effect {
        Effect::LoadUsers { request_id, query } => {
            let mut pages = client.user_pages(query, client.page_concurrency());
            while let Some(page) = pages.next().await {
                match page {
                    Ok(page) => send(Msg::UsersPage {
                        request_id,
                        number: page.number,
                        total_pages: page.total_pages,
                        response: page.response,
                    }),
                    Err(error) => {
                        send(Msg::UsersLoadFailed {
                            request_id,
                            error: plain(&error),
                        });
                        return;
                    }
                }
            }
            send(Msg::UsersLoaded { request_id });
        }
        Effect::SearchUsers { request_id, filter } => {
            let query = ListUsersQuery {
                filter: Some(filter),
                page_size: Some(100),
                ..Default::default()
            };
            // A failed search only means fewer results; the local filter still works.
            if let Ok(response) = client.list_users(&query).await {
                send(Msg::SearchResults {
                    request_id,
                    response,
                });
            }
        }
        Effect::LoadDetail {
            request_id,
            user_id,
        } => {
            let (user, orgs, perms) = tokio::join!(
                client.get_user(&user_id),
                client.list_user_organizations(&user_id),
                client.list_user_permissions(&user_id),
            );
            let result = user.map_err(|e| plain(&e)).map(|user| {
                let orgs = orgs
                    .map(|o| {
                        o.included
                            .iter()
                            .filter_map(|i| match i {
                                Included::Org(org) => Some(
                                    org.attributes
                                        .name
                                        .clone()
                                        .unwrap_or_else(|| org.id.to_string()),
                                ),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Box::new(DetailData {
                    user: user.data,
                    included: user.included,
                    orgs,
                    permissions: perms.map(|p| p.data).unwrap_or_default(),
                })
            });
            send(Msg::Detail {
                request_id,
                user_id,
                result,
            });
        }
        Effect::LoadRoles => {
            send(Msg::Roles(
                client.list_all_roles().await.map_err(|e| plain(&e)),
            ));
        }
        Effect::LoadCurrentUser => match client.get_current_user().await {
            Ok(me) => {
                if let Ok(perms) = client.list_user_permissions(&me.data.id).await {
                    let names = perms.data.iter().map(|p| p.name().to_owned()).collect();
                    let (read_only, reason) = {
                        let mut permits = permits.lock().unwrap_or_else(|e| e.into_inner());
                        permits.permissions = Some(names);
                        permits.access()
                    };
                    send(Msg::Access { read_only, reason });
                }
                send(Msg::CurrentUser(Ok(Box::new((me.data, me.included)))));
            }
            Err(error) => send(Msg::CurrentUser(Err(plain(&error)))),
        },
        Effect::Bulk { run_id, kind, ids } => {
            let changes: Vec<Change> = ids
                .into_iter()
                .map(|user| bulk_change(kind, user))
                .collect();
            let title = format!("{} (console)", effect_title(kind.title(), &changes));
            for_each_item(&runner, &title, changes, |report| {
                send(Msg::BulkItem {
                    run_id,
                    user_id: UserId(report.change.target().to_owned()),
                    outcome: item_outcome(report.result),
                })
            })
            .await;
            send(Msg::BulkFinished { run_id });
        }
        Effect::InviteUsers {
            run_id,
            invitees,
            roles,
        } => {
            let changes: Vec<Change> = invitees
                .into_iter()
                .map(|invitee| invite_change(invitee, &roles))
                .collect();
            let title = format!("{} (console)", effect_title("Invite", &changes));
            for_each_item(&runner, &title, changes, |report| {
                send(Msg::InviteItem {
                    run_id,
                    email: report.change.target().to_owned(),
                    outcome: invite_outcome(report.result),
                })
            })
            .await;
            send(Msg::InviteFinished { run_id });
        }
        Effect::UpdateUser {
            request_id,
            user_id,
            update,
            current_user,
        } => {
            let change = update_change(user_id, &update, current_user);
            let mut result = Err("nothing happened".to_owned());
            for_each_item(&runner, "edit a user (console)", vec![change], |report| {
                result = match report.result {
                    ItemResult::Done {
                        user: Some(user), ..
                    }
                    | ItemResult::Skipped {
                        user: Some(user), ..
                    } => Ok(user),
                    other => Err(other.detail().to_owned()),
                };
            })
            .await;
            send(Msg::UserUpdated { request_id, result });
        }
        Effect::ChangeRoles {
            run_id,
            user_id,
            add,
            remove,
        } => {
            let changes: Vec<Change> = add
                .into_iter()
                .map(|role| Change::AddRole {
                    user: user_id.clone(),
                    role,
                })
                .chain(remove.into_iter().map(|role| Change::RemoveRole {
                    user: user_id.clone(),
                    role,
                }))
                .collect();
            let mut failure = None;
            let one_at_a_time = runner.with_concurrency(1);
            for_each_item(
                &one_at_a_time,
                "change roles (console)",
                changes,
                |report| {
                    if let ItemResult::Failed { reason } = report.result {
                        failure.get_or_insert(reason);
                    }
                },
            )
            .await;
            let result = match failure {
                Some(reason) => Err(reason),
                None => client
                    .get_user(&user_id)
                    .await
                    .map(|u| u.data.role_ids().collect())
                    .map_err(|e| plain(&e)),
            };
            send(Msg::RolesChanged {
                run_id,
                user_id,
                result,
            });
        }
        Effect::Anonymize { run_id, ids } => {
            let changes: Vec<Change> = ids
                .into_iter()
                .map(|user| Change::Anonymize { user })
                .collect();
            let title = format!("{} (console)", effect_title("Anonymize", &changes));
            let mut result = AnonymizeUsersResult::default();
            for_each_item(&runner, &title, changes, |report| {
                let user_id = UserId(report.change.target().to_owned());
                match report.result {
                    ItemResult::Failed { reason } => result.anonymize_errors.push(AnonymizeError {
                        user_id,
                        error: reason,
                    }),
                    _ => result.anonymized_user_ids.push(user_id),
                }
            })
            .await;
            send(Msg::Anonymized {
                run_id,
                result: Ok(result),
            });
        }
        // Audits, exports, the journal, resume and undo.
        other => console_audit::run(&client, &runner, &audit, other, &send).await,
    }
}

/// "Disable 3 users", for the journal.
fn effect_title(verb: &str, changes: &[Change]) -> String {
    match changes.len() {
        1 => format!("{verb} {}", changes[0].target()),
        n => format!("{verb} {n} users"),
    }
}

/// Records a run and hands each item's report to `on_item` as it finishes. If the journal
/// cannot record the run, nothing is sent and every item fails with the reason.
async fn for_each_item(
    runner: &Runner,
    title: &str,
    changes: Vec<Change>,
    mut on_item: impl FnMut(ItemReport),
) {
    match runner.begin(title, None, changes.clone()) {
        Ok(run) => {
            let mut reports = runner.execute(&run);
            while let Some(report) = reports.next().await {
                on_item(report);
            }
        }
        Err(error) => {
            for (index, change) in changes.into_iter().enumerate() {
                on_item(ItemReport {
                    index,
                    change,
                    result: ItemResult::Failed {
                        reason: format!("not sent: {error}"),
                    },
                });
            }
        }
    }
}

fn bulk_change(kind: BulkKind, user: UserId) -> Change {
    match kind {
        BulkKind::Disable => Change::Disable { user },
        BulkKind::Enable => Change::Enable { user },
        BulkKind::ResendInvitation => Change::ResendInvitation { user },
        BulkKind::CancelInvitations => Change::CancelInvitations { user },
    }
}

fn invite_change(invitee: Invitee, roles: &[RoleId]) -> Change {
    Change::Invite {
        email: invitee.email,
        name: invitee.name,
        title: invitee.title,
        roles: roles.to_vec(),
    }
}

fn update_change(user: UserId, update: &UserUpdate, current_user: bool) -> Change {
    Change::Update {
        user,
        name: update.name.clone(),
        email: update.email.clone(),
        title: match &update.title {
            Patch::Keep => None,
            Patch::Clear => Some(None),
            Patch::Set(title) => Some(Some(title.clone())),
        },
        current_user,
    }
}

fn item_outcome(result: ItemResult) -> ItemOutcome {
    match result {
        ItemResult::Done { detail, .. } => ItemOutcome::Done(detail),
        ItemResult::Skipped { detail, .. } => ItemOutcome::Skipped(detail),
        ItemResult::Failed { reason } => ItemOutcome::Failed(reason),
    }
}

fn invite_outcome(result: ItemResult) -> InviteOutcome {
    match result {
        ItemResult::Done {
            detail,
            user: Some(user),
            invitation_expires_at,
            ..
        } => InviteOutcome::Invited {
            user,
            created: detail.starts_with("created"),
            expires_at: invitation_expires_at,
        },
        ItemResult::Skipped {
            user: Some(user), ..
        } => InviteOutcome::AlreadyActive(user),
        other => InviteOutcome::Failed(other.detail().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::UserUpdate;

    fn every_mutating_effect() -> Vec<Effect> {
        let ids = vec![UserId::from("u1")];
        let mut effects: Vec<Effect> = [
            BulkKind::Disable,
            BulkKind::Enable,
            BulkKind::ResendInvitation,
            BulkKind::CancelInvitations,
        ]
        .into_iter()
        .map(|kind| Effect::Bulk {
            run_id: 1,
            kind,
            ids: ids.clone(),
        })
        .collect();
        effects.extend([
            Effect::InviteUsers {
                run_id: 2,
                invitees: vec![],
                roles: vec![],
            },
            Effect::UpdateUser {
                request_id: 3,
                user_id: "u1".into(),
                update: UserUpdate::default(),
                current_user: false,
            },
            Effect::ChangeRoles {
                run_id: 4,
                user_id: "u1".into(),
                add: vec![],
                remove: vec![],
            },
            Effect::Anonymize { run_id: 5, ids },
            Effect::ResumeRun {
                run_id: 6,
                run: crate::runs::RunId("20261127T061500-3f9a".into()),
            },
            Effect::UndoRun {
                run_id: 7,
                run: crate::runs::RunId("20261127T061500-3f9a".into()),
            },
        ]);
        effects
    }

    #[test]
    fn forced_read_only_refuses_every_mutating_effect_and_no_read() {
        let permits = Permits {
            forced: true,
            permissions: None,
        };
        for effect in every_mutating_effect() {
            assert!(permits.refusal(&effect).is_some(), "{effect:?}");
        }
        assert!(permits.refusal(&Effect::LoadRoles).is_none());
        assert!(permits.access().0);
    }

    #[test]
    fn a_user_with_invite_but_not_manage_may_only_invite() {
        let permits = Permits {
            forced: false,
            permissions: Some(vec![INVITE.into()]),
        };
        let invite = Effect::InviteUsers {
            run_id: 1,
            invitees: vec![],
            roles: vec![],
        };
        assert!(permits.refusal(&invite).is_none());
        let disable = Effect::Bulk {
            run_id: 1,
            kind: BulkKind::Disable,
            ids: vec![],
        };
        assert!(permits
            .refusal(&disable)
            .unwrap_or_default()
            .contains(MANAGE));
        assert!(!permits.access().0);
    }

    #[test]
    fn a_user_without_either_permission_is_read_only() {
        let permits = Permits {
            forced: false,
            permissions: Some(vec!["dashboards_read".into()]),
        };
        let (read_only, reason) = permits.access();
        assert!(read_only);
        assert!(reason.unwrap_or_default().contains(MANAGE));
    }

    #[tokio::test]
    async fn the_queue_answers_a_refused_effect_with_a_message_and_sends_nothing() {
        // An unroutable base URL: any request that slipped through would fail loudly.
        let options = crate::api::ClientOptions::new(
            "http://127.0.0.1:9".parse().expect("a valid URL"),
            crate::config::Credentials::new("k", "a"),
        );
        let client = Client::new(options).expect("client");
        let (queue, mut rx) = EffectsQueue::new(
            client,
            QueueOptions {
                read_only: true,
                ..Default::default()
            },
        );
        assert!(matches!(
            rx.recv().await,
            Some(Msg::Access {
                read_only: true,
                ..
            })
        ));
        for effect in every_mutating_effect() {
            queue.submit(effect);
            match rx.recv().await {
                Some(Msg::Refused { reason, .. }) => assert!(reason.contains("read-only")),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        queue.shutdown().await;
    }
}
