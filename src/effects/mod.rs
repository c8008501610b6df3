//! The action queue: executes `Effect`s on tokio with bounded concurrency and answers with
//! `Msg`s on a channel. It owns request lanes (a newer listing, search or detail request
//! cancels the one in flight: latest wins) and cancels everything on shutdown. Changes
//! reach it only as plans the change gate approved (`Effect::Apply`), after it read the
//! facts for them (`Effect::Prepare`, with `--read-only` passed on so the gate refuses).
//! It draws nothing and never touches `State`.

mod console_audit;
mod folders;
mod review;

use crate::app::msg::{LoadMsg, RunMsg, SettingsMsg};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures::stream::StreamExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::models::Included;
use crate::api::models::UserId;
use crate::api::{ApiError, Client, ListUsersQuery, RetryNotice};
use crate::app::effect::{RequestId, Ticket};
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
    /// The settings file (none: nothing is read or remembered).
    pub settings: Option<PathBuf>,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            read_only: false,
            write_concurrency: 4,
            journal: None,
            origin: String::new(),
            settings: None,
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

/// Lanes where only the newest request matters: a newer one cancels the one in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Lane {
    Users,
    Search,
}

/// A lane of jobs done one at a time, at most one waiting, the newest replacing the one
/// waiting: holding `j` sends two detail reads, not one per row; a burst of review
/// decisions writes the file twice, the second time with all of them.
#[derive(Debug)]
struct OneAtATime<T> {
    busy: bool,
    waiting: Option<T>,
}

impl<T> Default for OneAtATime<T> {
    fn default() -> Self {
        OneAtATime {
            busy: false,
            waiting: None,
        }
    }
}

/// A lane's job under way.
type Job = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Whether a lane's jobs stop when the queue shuts down.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnShutdown {
    Cancel,
    /// Finished first: the queue's shutdown waits for them.
    Finish,
}

/// The queue. Cheap to share; `submit` never blocks.
pub struct EffectsQueue {
    context: Context,
    shutdown: CancellationToken,
    lanes: Mutex<HashMap<Lane, CancellationToken>>,
    detail: Arc<Mutex<OneAtATime<(RequestId, UserId)>>>,
    /// Review files being written (`Effect::WriteReview`).
    review_writes: Arc<Mutex<OneAtATime<review::Write>>>,
    tasks: TaskTracker,
}

/// What every effect runs with.
#[derive(Clone)]
struct Context {
    client: Client,
    tx: UnboundedSender<Msg>,
    /// `--read-only`: facts are not even read, the gate refuses every change.
    read_only: bool,
    runner: Runner,
    /// The console's org address (journal origin, export origin).
    origin: String,
    /// The settings file, if settings are remembered.
    settings: Option<PathBuf>,
}

impl Context {
    fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }
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
        let context = Context {
            client: client.clone(),
            tx,
            read_only: options.read_only,
            origin: options.origin.clone(),
            settings: options.settings.clone(),
            runner: Runner::new(
                client,
                options.journal,
                options.origin,
                options.write_concurrency,
            ),
        };
        let queue = EffectsQueue {
            context,
            shutdown: CancellationToken::new(),
            lanes: Mutex::new(HashMap::new()),
            detail: Arc::default(),
            review_writes: Arc::default(),
            tasks: TaskTracker::new(),
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
        let token = match &effect {
            Effect::LoadUsers { .. } => self.lane_token(Lane::Users),
            Effect::SearchUsers { .. } => self.lane_token(Lane::Search),
            Effect::LoadDetail {
                request_id,
                user_id,
            } => {
                let job = (*request_id, user_id.clone());
                let lane = self.detail.clone();
                return self.one_at_a_time(lane, job, OnShutdown::Cancel, |context, job| {
                    Box::pin(async move { load_detail(&context, job.0, job.1).await })
                });
            }
            Effect::WriteReview {
                lens,
                revision,
                path,
                rows,
            } => {
                let job = review::Write {
                    lens: *lens,
                    revision: *revision,
                    path: path.clone(),
                    rows: rows.clone(),
                };
                let lane = self.review_writes.clone();
                // Quitting right after a decision still leaves it on disk.
                return self.one_at_a_time(lane, job, OnShutdown::Finish, |context, job| {
                    Box::pin(async move { context.send(review::write(job).await) })
                });
            }
            _ => self.shutdown.child_token(),
        };
        let context = self.context.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = token.cancelled() => {}
                _ = run(&context, effect) => {}
            }
        });
    }

    /// Runs `job` with `run` in `lane`: at once when the lane is idle, else after the job
    /// in flight (replacing any job that was waiting).
    fn one_at_a_time<T: Send + 'static>(
        &self,
        lane: Arc<Mutex<OneAtATime<T>>>,
        job: T,
        on_shutdown: OnShutdown,
        run: fn(Context, T) -> Job,
    ) {
        {
            let mut lane = lane.lock().unwrap_or_else(|e| e.into_inner());
            if lane.busy {
                lane.waiting = Some(job);
                return;
            }
            lane.busy = true;
        }
        let context = self.context.clone();
        let token = self.shutdown.child_token();
        self.tasks.spawn(async move {
            let mut next = Some(job);
            while let Some(job) = next.take() {
                let done = run(context.clone(), job);
                if on_shutdown == OnShutdown::Finish {
                    done.await;
                } else {
                    tokio::select! {
                        _ = token.cancelled() => return,
                        _ = done => {}
                    }
                }
                let mut lane = lane.lock().unwrap_or_else(|e| e.into_inner());
                next = lane.waiting.take();
                lane.busy = next.is_some();
            }
        });
    }
}

async fn run(context: &Context, effect: Effect) {
    match effect {
        Effect::LoadUsers { request_id, query } => load_users(context, request_id, query).await,
        Effect::SearchUsers { request_id, filter } => {
            search_users(context, request_id, filter).await
        }
        Effect::LoadDetail {
            request_id,
            user_id,
        } => load_detail(context, request_id, user_id).await,
        Effect::LoadHistory {
            request_id,
            user_id,
        } => load_history(context, request_id, user_id).await,
        Effect::LoadRoles => {
            let roles = context.client.list_all_roles().await;
            context.send(Msg::Load(LoadMsg::Roles(roles.map_err(|e| plain(&e)))));
        }
        Effect::LoadCurrentUser => load_current_user(context).await,
        Effect::Prepare { plan, draft } => {
            let options = FactsOptions {
                read_only: context.read_only,
                origin: context.runner.origin().to_owned(),
            };
            let result = gather(&context.client, &draft, &options)
                .await
                .map(Box::new)
                .map_err(|e| {
                    format!(
                        "the org could not be read to check this change ({})",
                        plain(&e)
                    )
                });
            context.send(Msg::Run(RunMsg::Prepared { plan, result }));
        }
        Effect::Apply { ticket, plan } => apply(context, ticket, *plan).await,
        Effect::ListFolder { request_id, folder } => {
            let listed = tokio::task::spawn_blocking(move || folders::list(&folder)).await;
            if let Ok(listing) = listed {
                context.send(Msg::Folder {
                    request_id,
                    listing,
                });
            }
        }
        Effect::LoadSettings => {
            if let Some(path) = &context.settings {
                let result = crate::settings::read(path).map_err(|e| e.to_string());
                context.send(Msg::Settings(SettingsMsg::Loaded(result)));
            }
        }
        Effect::SaveSettings { settings } => {
            if let Some(path) = &context.settings {
                let result = crate::settings::write(path, &settings).map_err(|e| e.to_string());
                context.send(Msg::Settings(SettingsMsg::Saved(result)));
            }
        }
        // Audits, exports and the journal.
        other => {
            let send = |msg: Msg| context.send(msg);
            console_audit::run(
                &context.client,
                &context.runner,
                &context.origin,
                other,
                &send,
            )
            .await
        }
    }
}

/// Every page of the listing, as it comes.
async fn load_users(context: &Context, request_id: RequestId, query: ListUsersQuery) {
    let client = &context.client;
    let mut pages = client.user_pages(query, client.page_concurrency());
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => context.send(Msg::Load(LoadMsg::UsersPage {
                request_id,
                number: page.number,
                total_pages: page.total_pages,
                response: page.response,
            })),
            Err(error) => {
                context.send(Msg::Load(LoadMsg::UsersLoadFailed {
                    request_id,
                    error: plain(&error),
                }));
                return;
            }
        }
    }
    context.send(Msg::Load(LoadMsg::UsersLoaded { request_id }));
}

/// The server-side search while the listing loads.
async fn search_users(context: &Context, request_id: RequestId, filter: String) {
    let query = ListUsersQuery {
        filter: Some(filter),
        page_size: Some(100),
        ..Default::default()
    };
    // A failed search only means fewer results; the local filter still works.
    if let Ok(response) = context.client.list_users(&query).await {
        context.send(Msg::Load(LoadMsg::SearchResults {
            request_id,
            response,
        }));
    }
}

/// The detail's user's change history from Audit Trail; when Audit Trail refuses or fails,
/// the sentence saying why and the local journal's entries for the user instead.
async fn load_history(context: &Context, request_id: RequestId, user_id: UserId) {
    use crate::audit::history::{
        audit_query, from_audit_events, from_journal, unavailable_reason, History,
    };
    let query = audit_query(user_id.as_str());
    let searched = context
        .client
        .search_audit_events(&query, "now-90d", "now")
        .await;
    let history = match searched {
        Ok(events) => History {
            entries: from_audit_events(&events),
            unavailable: None,
        },
        Err(e) => {
            let why = unavailable_reason(&e);
            let since = time::OffsetDateTime::now_utc() - time::Duration::days(90);
            let runs = context
                .runner
                .journal()
                .and_then(|journal| crate::runs::journal::read_runs(journal.path()).ok())
                .unwrap_or_default();
            History {
                entries: from_journal(&runs, user_id.as_str(), since),
                unavailable: Some(format!("{why}; from the local journal")),
            }
        }
    };
    context.send(Msg::History {
        request_id,
        user_id,
        history,
    });
}

/// What the detail pane shows beyond the list row: the user with their roles, their orgs
/// and the service's own view of their permissions.
async fn load_detail(context: &Context, request_id: RequestId, user_id: UserId) {
    let client = &context.client;
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
    context.send(Msg::Detail {
        request_id,
        user_id,
        result,
    });
}

/// The user behind the keys, and from their permissions what the console shows as allowed.
async fn load_current_user(context: &Context) {
    let read_only = context.read_only;
    let client = &context.client;
    match client.get_current_user().await {
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
            context.send(Msg::Access(shown));
            let org = match org_name(&me.data, &me.included) {
                Some(name) => Some(name),
                None => client
                    .list_user_organizations(&me.data.id)
                    .await
                    .ok()
                    .and_then(|orgs| org_name(&me.data, &orgs.included)),
            };
            let me = Box::new((me.data, me.included));
            context.send(Msg::Load(LoadMsg::CurrentUser(Ok(me))));
            context.send(Msg::Load(LoadMsg::OrgName(org)));
        }
        Err(error) => {
            if !read_only {
                context.send(Msg::Access(Access {
                    check: AccessCheck::Failed(plain(&error)),
                    ..Access::default()
                }));
            }
            context.send(Msg::Load(LoadMsg::CurrentUser(Err(plain(&error)))));
        }
    }
}

/// The name of `user`'s org among `included` (GetCurrentUser includes it; otherwise
/// ListUserOrganizations does): the one the user belongs to, else the first.
fn org_name(user: &crate::api::models::User, included: &[Included]) -> Option<String> {
    let orgs: Vec<_> = included
        .iter()
        .filter_map(|i| match i {
            Included::Org(org) => Some(org),
            _ => None,
        })
        .collect();
    let own = user.org_id();
    orgs.iter()
        .find(|org| Some(&org.id) == own.as_ref())
        .or(orgs.first())
        .and_then(|org| org.attributes.name.clone())
}

/// Carries out a plan the gate approved, reporting each item as it finishes.
async fn apply(context: &Context, ticket: Ticket, plan: crate::runs::CheckedPlan) {
    let started = match context.runner.start(plan) {
        Ok(started) => started,
        Err(error) => {
            context.send(Msg::Run(RunMsg::Ended {
                ticket,
                stopped: None,
                error: Some(error.to_string()),
            }));
            return;
        }
    };
    context.send(Msg::Run(RunMsg::Started {
        ticket,
        run: started.run.clone(),
        total: started.total,
    }));
    let mut reports = started.reports;
    let mut unfinished = false;
    while let Some(report) = reports.next().await {
        unfinished |= matches!(report.result, ItemResult::Unfinished { .. });
        context.send(Msg::Run(RunMsg::Item {
            ticket,
            report: Box::new(report),
        }));
    }
    context.send(Msg::Run(RunMsg::Ended {
        ticket,
        stopped: started.breaker.tripped().filter(|_| unfinished),
        error: None,
    }));
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

    #[test]
    fn the_org_named_is_the_users_own_among_those_included() {
        let org = |id: &str, name: &str| -> Included {
            serde_json::from_value(serde_json::json!({
                "type": "orgs", "id": id, "attributes": {"name": name}
            }))
            .expect("an org")
        };
        let user: crate::api::models::User = serde_json::from_value(serde_json::json!({
            "type": "users", "id": "u1", "attributes": {},
            "relationships": {"org": {"data": {"type": "orgs", "id": "o2"}}}
        }))
        .expect("a user");
        let included = [org("o1", "Parent Corp"), org("o2", "Acme Corp")];
        assert_eq!(org_name(&user, &included).as_deref(), Some("Acme Corp"));
        // Not said which: the first; none included: unknown.
        assert_eq!(
            org_name(&user, &included[..1]).as_deref(),
            Some("Parent Corp")
        );
        assert_eq!(org_name(&user, &[]), None);
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

    #[tokio::test(flavor = "multi_thread")]
    async fn a_burst_of_detail_reads_sends_two_and_answers_the_newest() {
        let sandbox = crate::sandbox::Sandbox::start(crate::sandbox::SandboxConfig {
            users: 40,
            latency: std::time::Duration::from_millis(30),
            ..Default::default()
        })
        .await
        .expect("sandbox");
        let client = Client::new(crate::api::ClientOptions::new(
            crate::config::parse_base_url(&sandbox.base_url(), false).expect("url"),
            crate::config::Credentials::new(
                crate::sandbox::DEMO_API_KEY,
                crate::sandbox::DEMO_ADMIN_APP_KEY,
            ),
        ))
        .expect("client");
        let query = ListUsersQuery {
            page_size: Some(20),
            ..Default::default()
        };
        let users = client.list_users(&query).await.expect("users").data;
        assert_eq!(users.len(), 20);
        let before = sandbox.stats().requests;
        let (queue, mut rx) = EffectsQueue::new(client, QueueOptions::default());
        // Holding `j`: twenty rows in a few milliseconds.
        for (n, user) in users.iter().take(20).enumerate() {
            queue.submit(Effect::LoadDetail {
                request_id: RequestId(n as u64 + 1),
                user_id: user.id.clone(),
            });
        }
        let mut answered = Vec::new();
        while let Some(msg) = rx.recv().await {
            if let Msg::Detail { request_id, .. } = msg {
                answered.push(request_id);
                if request_id == RequestId(20) {
                    break;
                }
            }
        }
        assert_eq!(
            answered,
            [RequestId(1), RequestId(20)],
            "the first, then the newest"
        );
        // Each detail read is three requests (user, orgs, permissions).
        assert_eq!(sandbox.stats().requests - before, 6);
        queue.shutdown().await;
        sandbox.shutdown().await;
    }
}
