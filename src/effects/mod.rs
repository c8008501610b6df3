//! The action queue: executes `Effect`s on tokio with bounded concurrency and answers with
//! `Msg`s on a channel. It owns request lanes (a newer listing, search or detail request
//! cancels the one in flight: latest wins), cancels everything on shutdown, and is the ONE
//! place where read-only mode and write permissions are enforced: a mutating effect it may
//! not run is answered with `Msg::Refused`, never sent to the service. It draws nothing and
//! never touches `State`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::models::{Included, NewUser, UserId, UserStatus};
use crate::api::outcome::{self, CreateOutcome, DisableOutcome, EnableOutcome};
use crate::api::{ApiError, Client, ErrorKind, ListUsersQuery, RetryNotice};
use crate::app::{BulkKind, DetailData, Effect, InviteOutcome, Invitee, ItemOutcome, Msg};

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
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            read_only: false,
            write_concurrency: 4,
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
    write_concurrency: usize,
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
    if notice.rate_limited {
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
            client,
            tx,
            permits: Arc::new(Mutex::new(permits)),
            shutdown: CancellationToken::new(),
            lanes: Mutex::new(HashMap::new()),
            tasks: TaskTracker::new(),
            write_concurrency: options.write_concurrency.max(1),
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
        let token = match &effect {
            Effect::LoadUsers { .. } => self.lane_token(Lane::Users),
            Effect::SearchUsers { .. } => self.lane_token(Lane::Search),
            Effect::LoadDetail { .. } => self.lane_token(Lane::Detail),
            _ => self.shutdown.child_token(),
        };
        let client = self.client.clone();
        let tx = self.tx.clone();
        let permits = self.permits.clone();
        let concurrency = self.write_concurrency;
        self.tasks.spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = run(client, tx, permits, concurrency, effect) => {}
            }
        });
    }
}

async fn run(
    client: Client,
    tx: UnboundedSender<Msg>,
    permits: Arc<Mutex<Permits>>,
    concurrency: usize,
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
            let mut results = stream::iter(ids)
                .map(|id| {
                    let client = client.clone();
                    async move {
                        let outcome = bulk_item(&client, kind, &id).await;
                        (id, outcome)
                    }
                })
                .buffer_unordered(concurrency);
            while let Some((user_id, outcome)) = results.next().await {
                send(Msg::BulkItem {
                    run_id,
                    user_id,
                    outcome,
                });
            }
            send(Msg::BulkFinished { run_id });
        }
        Effect::InviteUsers {
            run_id,
            invitees,
            roles,
        } => {
            let mut results = stream::iter(invitees)
                .map(|invitee| {
                    let client = client.clone();
                    let roles = roles.clone();
                    async move {
                        let outcome = invite_one(&client, &invitee, roles).await;
                        (invitee.email, outcome)
                    }
                })
                .buffer_unordered(concurrency);
            while let Some((email, outcome)) = results.next().await {
                send(Msg::InviteItem {
                    run_id,
                    email,
                    outcome,
                });
            }
            send(Msg::InviteFinished { run_id });
        }
        Effect::UpdateUser {
            request_id,
            user_id,
            update,
            current_user,
        } => {
            let result = if current_user {
                client.update_current_user(&user_id, &update).await
            } else {
                client.update_user(&user_id, &update).await
            };
            send(Msg::UserUpdated {
                request_id,
                result: result.map(|r| Box::new(r.data)).map_err(|e| plain(&e)),
            });
        }
        Effect::ChangeRoles {
            run_id,
            user_id,
            add,
            remove,
        } => {
            let result = async {
                for role in &add {
                    client.add_user_to_role(role, &user_id).await?;
                }
                for role in &remove {
                    client.remove_user_from_role(role, &user_id).await?;
                }
                let user = client.get_user(&user_id).await?;
                Ok::<_, ApiError>(user.data.role_ids().collect())
            }
            .await;
            send(Msg::RolesChanged {
                run_id,
                user_id,
                result: result.map_err(|e| plain(&e)),
            });
        }
        Effect::Anonymize { run_id, ids } => {
            let result = client.anonymize_users(&ids).await;
            send(Msg::Anonymized {
                run_id,
                result: result.map(|r| r.data.attributes).map_err(|e| plain(&e)),
            });
        }
    }
}

async fn bulk_item(client: &Client, kind: BulkKind, id: &UserId) -> ItemOutcome {
    let result = match kind {
        BulkKind::Disable => outcome::disable_user(client, id).await.map(|o| match o {
            DisableOutcome::Disabled => ItemOutcome::Done("disabled".into()),
            DisableOutcome::AlreadyDisabled => ItemOutcome::Skipped("already disabled".into()),
        }),
        BulkKind::Enable => outcome::enable_user(client, id).await.map(|o| match o {
            EnableOutcome::Enabled(_) => ItemOutcome::Done("enabled".into()),
            EnableOutcome::AlreadyEnabled(_) => ItemOutcome::Skipped("already enabled".into()),
        }),
        BulkKind::ResendInvitation => client
            .send_invitations(std::slice::from_ref(id))
            .await
            .map(|_| ItemOutcome::Done("invitation sent".into())),
        BulkKind::CancelInvitations => client
            .cancel_user_invitations(id)
            .await
            .map(|_| ItemOutcome::Done("invitations cancelled".into())),
    };
    result.unwrap_or_else(|e| ItemOutcome::Failed(plain(&e)))
}

async fn invite_one(
    client: &Client,
    invitee: &Invitee,
    roles: Vec<crate::api::models::RoleId>,
) -> InviteOutcome {
    let result = async {
        let (user, created) = match outcome::find_user_by_email(client, &invitee.email).await? {
            Some(user) => (user, false),
            None => {
                let new = NewUser {
                    email: invitee.email.clone(),
                    name: invitee.name.clone(),
                    title: invitee.title.clone(),
                    roles,
                };
                match outcome::create_user(client, &new).await? {
                    CreateOutcome::Created(user) => (user, true),
                    CreateOutcome::Existing(user) => (user, false),
                }
            }
        };
        let disabled = user.attributes.disabled == Some(true)
            || user.attributes.status == Some(UserStatus::Disabled);
        if disabled {
            return Ok(InviteOutcome::Disabled(Box::new(user)));
        }
        if !created && user.attributes.status == Some(UserStatus::Active) {
            return Ok(InviteOutcome::AlreadyActive(Box::new(user)));
        }
        let sent = client
            .send_invitations(std::slice::from_ref(&user.id))
            .await?;
        let expires_at = sent
            .data
            .first()
            .and_then(|i| i.attributes.expires_at)
            .map(|t| t.unix_timestamp());
        Ok::<_, ApiError>(InviteOutcome::Invited {
            user: Box::new(user),
            created,
            expires_at,
        })
    }
    .await;
    result.unwrap_or_else(|e| InviteOutcome::Failed(plain(&e)))
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
