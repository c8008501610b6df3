//! The action queue: executes `Effect`s on tokio with bounded concurrency and answers with
//! `Msg`s on a channel. It owns request lanes (a newer listing, search or detail request
//! cancels the one in flight: latest wins) and cancels everything on shutdown. Changes
//! reach it only as plans the change gate approved (`Effect::Apply`), after it read the
//! facts for them (`Effect::Prepare`, with `--read-only` passed on so the gate refuses).
//! It draws nothing and never touches `State`.

mod console_audit;

use crate::app::msg::{LoadMsg, RunMsg};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::StreamExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::models::Included;
use crate::api::{ApiError, Client, ListUsersQuery, RetryNotice};
use crate::app::state::{Access, AccessCheck};
use crate::app::{DetailData, Effect, Msg};
use crate::domain::{INVITE, MANAGE};
use crate::runs::{gather, FactsOptions, ItemResult, Journal, Runner};

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

/// What the console shows as allowed, from the caller's permissions. Display only: the
/// change gate (`runs::gate`) reads the permissions again for each change and decides.
fn access(read_only: bool, permissions: Option<&[String]>) -> Access {
    if read_only {
        return Access::known(
            true,
            Some("read-only mode (started with --read-only)".into()),
        );
    }
    match permissions {
        None => Access::default(),
        Some(names) => {
            let has = |wanted: &str| names.iter().any(|n| n == wanted);
            if has(MANAGE) || has(INVITE) {
                Access::known(false, None)
            } else {
                Access::known(
                    true,
                    Some(format!("read-only: your user lacks {MANAGE} and {INVITE}")),
                )
            }
        }
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
    /// `--read-only`: facts are not even read, the gate refuses every change.
    read_only: bool,
    shutdown: CancellationToken,
    lanes: Mutex<HashMap<Lane, CancellationToken>>,
    tasks: TaskTracker,
    runner: Runner,
    /// The org as read for audits and exports; the console's address.
    audit: console_audit::AuditContext,
}

/// Words for an API error, for the status line (made safe: they quote the service).
pub fn plain(error: &ApiError) -> String {
    crate::runs::plain_error(error)
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
        if options.read_only {
            let _ = tx.send(Msg::Access(access(true, None)));
        }
        let queue = EffectsQueue {
            client: client.clone(),
            tx,
            read_only: options.read_only,
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

    /// Runs `effect` in the background. The one effect that writes carries a plan the
    /// change gate approved (a `CheckedPlan` has no other constructor).
    pub fn submit(&self, effect: Effect) {
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
        let read_only = self.read_only;
        let runner = self.runner.clone();
        let audit = self.audit.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = run(client, tx, read_only, runner, audit, effect) => {}
            }
        });
    }
}

async fn run(
    client: Client,
    tx: UnboundedSender<Msg>,
    read_only: bool,
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
                    Ok(page) => send(Msg::Load(LoadMsg::UsersPage {
                        request_id,
                        number: page.number,
                        total_pages: page.total_pages,
                        response: page.response,
                    })),
                    Err(error) => {
                        send(Msg::Load(LoadMsg::UsersLoadFailed {
                            request_id,
                            error: plain(&error),
                        }));
                        return;
                    }
                }
            }
            send(Msg::Load(LoadMsg::UsersLoaded { request_id }));
        }
        Effect::SearchUsers { request_id, filter } => {
            let query = ListUsersQuery {
                filter: Some(filter),
                page_size: Some(100),
                ..Default::default()
            };
            // A failed search only means fewer results; the local filter still works.
            if let Ok(response) = client.list_users(&query).await {
                send(Msg::Load(LoadMsg::SearchResults {
                    request_id,
                    response,
                }));
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
            send(Msg::Load(LoadMsg::Roles(
                client.list_all_roles().await.map_err(|e| plain(&e)),
            )));
        }
        Effect::LoadCurrentUser => match client.get_current_user().await {
            Ok(me) => {
                let names = client
                    .list_user_permissions(&me.data.id)
                    .await
                    .map(|perms| {
                        perms
                            .data
                            .iter()
                            .map(|p| p.name().to_owned())
                            .collect::<Vec<_>>()
                    });
                let shown = match names {
                    Ok(names) => access(read_only, Some(&names)),
                    Err(error) if !read_only => Access {
                        check: AccessCheck::Failed(plain(&error)),
                        ..Access::default()
                    },
                    Err(_) => access(true, None),
                };
                send(Msg::Access(shown));
                send(Msg::Load(LoadMsg::CurrentUser(Ok(Box::new((
                    me.data,
                    me.included,
                ))))));
            }
            Err(error) => {
                if !read_only {
                    send(Msg::Access(Access {
                        check: AccessCheck::Failed(plain(&error)),
                        ..Access::default()
                    }));
                }
                send(Msg::Load(LoadMsg::CurrentUser(Err(plain(&error)))));
            }
        },
        Effect::Prepare { plan, draft } => {
            let options = FactsOptions {
                read_only,
                origin: runner.origin().to_owned(),
            };
            let result = gather(&client, &draft, &options)
                .await
                .map(Box::new)
                .map_err(|e| {
                    format!(
                        "the org could not be read to check this change ({})",
                        plain(&e)
                    )
                });
            send(Msg::Run(RunMsg::Prepared { plan, result }));
        }
        Effect::Apply { ticket, plan } => {
            let started = match runner.start(*plan) {
                Ok(started) => started,
                Err(error) => {
                    send(Msg::Run(RunMsg::Ended {
                        ticket,
                        stopped: None,
                        error: Some(error.to_string()),
                    }));
                    return;
                }
            };
            send(Msg::Run(RunMsg::Started {
                ticket,
                run: started.run.clone(),
                total: started.total,
            }));
            let mut reports = started.reports;
            let mut unfinished = false;
            while let Some(report) = reports.next().await {
                unfinished |= matches!(report.result, ItemResult::Unfinished { .. });
                send(Msg::Run(RunMsg::Item {
                    ticket,
                    report: Box::new(report),
                }));
            }
            send(Msg::Run(RunMsg::Ended {
                ticket,
                stopped: started.breaker.tripped().filter(|_| unfinished),
                error: None,
            }));
        }
        // Audits, exports, the journal, resume and undo.
        other => console_audit::run(&client, &runner, &audit, other, &send).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::PlanId;
    use crate::runs::{check, Change, Draft, GateOptions, Rule};

    #[test]
    fn access_is_unknown_until_the_permissions_are_read() {
        assert_eq!(access(false, None).check, AccessCheck::Checking);
        assert!(access(false, None).blocked().is_some());
        let invite_only = access(false, Some(&[INVITE.to_owned()]));
        assert_eq!(invite_only.blocked(), None);
        let neither = access(false, Some(&["dashboards_read".to_owned()]));
        assert!(neither.blocked().unwrap_or_default().contains(MANAGE));
        assert!(access(true, None).read_only);
    }

    #[tokio::test]
    async fn under_read_only_a_plan_is_refused_without_a_single_request() {
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
        assert!(matches!(rx.recv().await, Some(Msg::Access(a)) if a.read_only));
        let draft = Draft::new(
            "disable 1 user",
            vec![Change::Disable { user: "u1".into() }],
        );
        queue.submit(Effect::Prepare {
            plan: PlanId(1),
            draft: Box::new(draft.clone()),
        });
        let Some(Msg::Run(RunMsg::Prepared {
            result: Ok(facts), ..
        })) = rx.recv().await
        else {
            panic!("the facts of a read-only console are known without reading");
        };
        let verdict = check(&draft, &facts, GateOptions::default());
        assert!(verdict.plan().is_none());
        assert_eq!(verdict.summary.refusals[0].rule, Rule::ReadOnly);
        queue.shutdown().await;
    }
}
