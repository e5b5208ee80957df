//! Reads on a streaming replica, writes on the primary: two containers of the
//! project's test image on a network of their own, the replica cloned from
//! the primary with pg_basebackup (the image's `POSTGRES_PRIMARY_HOST`).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use reviewpoint::{
    config::{DatabaseUrl, Environment},
    db::{self, Cluster},
    migrate::Migrator,
};
use testcontainers_modules::{
    postgres::Postgres,
    testcontainers::{
        ContainerAsync, GenericImage, ImageExt,
        core::{IntoContainerPort, WaitFor},
        runners::AsyncRunner,
    },
};
use tokio::sync::oneshot;

use crate::{
    cli::free_port,
    helpers::{TestApp, container_url, remove_when_this_process_exits},
};

/// Replication needs the entrypoint of `tests/postgres-image/`, whatever
/// `REVIEWPOINT_TEST_IMAGE` says.
const IMAGE: (&str, &str) = ("reviewpoint-postgres", "17");
const NEEDS_IMAGE: &str = "replication tests need the project's image: bash tests/postgres-image/build.sh";
const MAX_LAG: Duration = Duration::from_millis(200);

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A primary and one streaming replica, migrated, both removed on drop. Their
/// host ports are fixed, so they survive a container's restart.
struct Replicated {
    primary: ContainerAsync<Postgres>,
    replica: ContainerAsync<GenericImage>,
    ports: (u16, u16),
}

impl Replicated {
    async fn start() -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", std::process::id());
        let network = format!("rvt-replication-{id}");
        let primary_name = format!("rvt-primary-{id}");
        let ports = (free_port(), free_port());
        let primary = Postgres::default()
            .with_mapped_port(ports.0, 5432.tcp())
            .with_name(IMAGE.0)
            .with_tag(IMAGE.1)
            .with_network(&network)
            .with_container_name(&primary_name)
            .with_label("reviewpoint.test", "true")
            .start()
            .await
            .unwrap_or_else(|e| panic!("{NEEDS_IMAGE}: {e}"));
        remove_when_this_process_exits(primary.id());
        let replica = GenericImage::new(IMAGE.0, IMAGE.1)
            .with_exposed_port(5432.tcp())
            .with_wait_for(WaitFor::message_on_stderr("database system is ready to accept read-only connections"))
            .with_mapped_port(ports.1, 5432.tcp())
            .with_network(&network)
            .with_container_name(format!("rvt-replica-{id}"))
            .with_label("reviewpoint.test", "true")
            .with_env_var("POSTGRES_PRIMARY_HOST", &primary_name)
            .with_env_var("POSTGRES_PASSWORD", "postgres")
            .start()
            .await
            .unwrap_or_else(|e| panic!("{NEEDS_IMAGE}: the replica did not start: {e}"));
        remove_when_this_process_exits(replica.id());
        let pair = Self { primary, replica, ports };
        let mut client = db::connect_once(&pair.primary_url()).await.expect("connect to the primary");
        Migrator::embedded().up(&mut client).await.expect("migrate the primary");
        pair
    }

    fn primary_url(&self) -> DatabaseUrl {
        container_url(self.ports.0)
    }

    fn replica_url(&self) -> DatabaseUrl {
        container_url(self.ports.1)
    }

    /// Both servers, for the primary's pool to find whichever takes writes.
    fn either_url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&format!(
            "postgresql://postgres:postgres@127.0.0.1:{},127.0.0.1:{}/postgres?target_session_attrs=read-write",
            self.ports.0, self.ports.1
        ))
        .expect("a multi-host URL")
    }

    /// An app over both servers, and the switch that stops it.
    async fn app(&self) -> (TestApp, oneshot::Sender<()>) {
        self.app_over(self.primary_url()).await
    }

    async fn app_over(&self, primary: DatabaseUrl) -> (TestApp, oneshot::Sender<()>) {
        let replica = db::build_pool(&self.replica_url(), Environment::Dev.pool());
        self.app_with(primary, replica).await
    }

    /// An app whose replica pool is `replica` (the test may hold its connections).
    async fn app_with(&self, primary: DatabaseUrl, replica: db::Pool) -> (TestApp, oneshot::Sender<()>) {
        let primary = db::build_pool(&primary, Environment::Dev.pool());
        let state = TestApp::state_with(Cluster::new(primary, vec![("replica 1".into(), replica)], MAX_LAG));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = TestApp::serve_until(state, async {
            let _ = stopped.await;
        })
        .await;
        (app, stop)
    }

    async fn on_replica(&self, sql: &str) -> tokio_postgres::Client {
        let client = db::connect_once(&self.replica_url()).await.expect("connect to the replica");
        client.batch_execute(sql).await.expect(sql);
        client
    }
}

/// Index and sequential scans of the service's tables on one server. A
/// backend reports its counts when it exits, so the app is stopped and its
/// connections gone before this is read.
async fn table_scans(url: &DatabaseUrl) -> i64 {
    let client = db::connect_once(url).await.expect("connect");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let open: i64 = client
            .query_one("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'reviewpoint'", &[])
            .await
            .expect("activity")
            .get(0);
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the app's connections did not close");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    table_scans_now(url).await
}

async fn stop(app: TestApp, stop: oneshot::Sender<()>) {
    let _ = stop.send(());
    drop(app);
}

/// The replica's state in `/health`, once it is `wanted` (within `within`).
async fn wait_for_replica(app: &TestApp, wanted: &str, within: Duration) -> serde_json::Value {
    let deadline = Instant::now() + within;
    loop {
        let health = app.call(Method::GET, "/api/v1/health", None, None).await.expect(200);
        if health["replicas"][0]["status"] == wanted || Instant::now() > deadline {
            return health;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn reads_run_on_the_replica_and_writes_on_the_primary() {
    let servers = Replicated::start().await;
    let (writer, stop_writer) = servers.app().await;
    let user = writer.user("reader@example.com").await;
    let file = writer.file(&user, "a.pdf").await;
    stop(writer, stop_writer).await;
    let (primary_before, replica_before) =
        (table_scans(&servers.primary_url()).await, table_scans(&servers.replica_url()).await);

    let (reader, stop_reader) = servers.app().await;
    let health = wait_for_replica(&reader, "in_rotation", Duration::from_secs(5)).await;
    let path = format!("/api/v1/files/{}", file["id"]);
    for _ in 0..50 {
        reader.call(Method::GET, &path, Some(&user.token), None).await.expect(200);
        reader.call(Method::GET, "/api/v1/files", Some(&user.token), None).await.expect(200);
        reader.call(Method::GET, "/api/v1/auth/me", Some(&user.token), None).await.expect(200);
    }
    let metrics = reader.get("/metrics").await.text().await.expect("metrics");
    stop(reader, stop_reader).await;
    let primary_reads = table_scans(&servers.primary_url()).await - primary_before;
    let replica_reads = table_scans(&servers.replica_url()).await - replica_before;

    assert_eq!(health["replicas"][0]["status"], "in_rotation", "{health}");
    assert_eq!(health["status"], "ok");
    assert!(health["replicas"][0]["lag_ms"].is_number(), "{health}");
    assert_eq!(primary_reads, 0, "no read touched the primary's tables");
    let replica_reads_counted = metrics
        .lines()
        .find_map(|line| line.strip_prefix("db_reads_total{target=\"replica\"} "))
        .and_then(|count| count.parse::<f64>().ok());
    assert!(replica_reads_counted.is_some_and(|count| count >= 150.0), "/metrics counts reads by target:\n{metrics}");
    assert!(replica_reads >= 150, "150 reads scanned the replica's tables {replica_reads} times");
}

#[tokio::test]
async fn no_read_through_one_instance_misses_a_write_made_through_another() {
    let servers = Replicated::start().await;
    let (writer, stop_writer) = servers.app().await;
    let (reader, stop_reader) = servers.app().await;
    wait_for_replica(&reader, "in_rotation", Duration::from_secs(5)).await;
    let user = writer.user("ryw@example.com").await;
    let scans_before = table_scans_now(&servers.replica_url()).await;

    let mut misses = Vec::new();
    for n in 0..100 {
        let file = writer.file(&user, &format!("{n}.pdf")).await;
        let read = reader.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), Some(&user.token), None).await;
        if read.status != 200 {
            misses.push((n, read.status));
        }
        if n % 10 == 0 {
            let page = reader.call(Method::GET, "/api/v1/files?limit=1", Some(&user.token), None).await.expect(200);
            assert_eq!(page["items"][0]["id"], file["id"], "the newest file is the one just written");
        }
    }
    let health = reader.call(Method::GET, "/api/v1/health", None, None).await.expect(200);
    stop(writer, stop_writer).await;
    stop(reader, stop_reader).await;
    let replica_reads = table_scans(&servers.replica_url()).await - scans_before;

    assert!(misses.is_empty(), "reads that missed the write just acknowledged: {misses:?}");
    assert_eq!(health["replicas"][0]["status"], "in_rotation", "{health}");
    assert!(replica_reads >= 50, "the replica served most reads ({replica_reads} scans for 110)");
}

/// Scans reported so far, without waiting for connections to close (a
/// baseline: anything unreported now is reported later, and counted).
async fn table_scans_now(url: &DatabaseUrl) -> i64 {
    let client = db::connect_once(url).await.expect("connect");
    client
        .query_one(
            "SELECT coalesce(sum(coalesce(idx_scan, 0) + coalesce(seq_scan, 0)), 0)::bigint
             FROM pg_stat_user_tables WHERE relname IN ('users', 'files')",
            &[],
        )
        .await
        .expect("scans")
        .get(0)
}

#[tokio::test]
async fn a_replica_that_stops_replaying_leaves_the_rotation_and_reads_stay_correct() {
    let servers = Replicated::start().await;
    let (app, stop_app) = servers.app().await;
    wait_for_replica(&app, "in_rotation", Duration::from_secs(5)).await;
    let user = app.user("lag@example.com").await;

    let _paused = servers.on_replica("SELECT pg_wal_replay_pause()").await;
    let paused_at = Instant::now();
    let mut reads = Vec::new();
    // Writes move the primary on; the paused replica stays where it was.
    while paused_at.elapsed() < Duration::from_secs(2) {
        let file = app.file(&user, "after-pause.pdf").await;
        let read = app.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), Some(&user.token), None).await;
        reads.push(read.status.as_u16());
        let health = app.call(Method::GET, "/api/v1/health", None, None).await.expect(200);
        if health["replicas"][0]["status"] == "lagging" {
            break;
        }
    }
    let out_after = paused_at.elapsed();
    let lagging = app.call(Method::GET, "/api/v1/health", None, None).await.expect(200);
    let file = app.file(&user, "while-lagging.pdf").await;
    let while_lagging = app.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), Some(&user.token), None).await;

    servers.on_replica("SELECT pg_wal_replay_resume()").await;
    let resumed_at = Instant::now();
    let back = wait_for_replica(&app, "in_rotation", Duration::from_secs(5)).await;
    let back_after = resumed_at.elapsed();
    stop(app, stop_app).await;
    println!("replica paused: out of rotation after {out_after:.2?}; resumed: back after {back_after:.2?}");

    assert!(reads.iter().all(|status| *status == 200), "every read answered 200: {reads:?}");
    assert_eq!(lagging["replicas"][0]["status"], "lagging", "{lagging}");
    assert!(lagging["replicas"][0]["lag_ms"].as_f64().is_some_and(|lag| lag > 200.0), "{lagging}");
    assert_eq!(lagging["status"], "ok", "a lagging replica leaves the service healthy");
    assert!(out_after < Duration::from_secs(1), "out of rotation within a second: {out_after:?}");
    assert_eq!(while_lagging.status, 200, "reads go to the primary and still see the write");
    assert_eq!(back["replicas"][0]["status"], "in_rotation", "{back}");
    assert!(back_after < Duration::from_secs(1), "back within a second: {back_after:?}");
}

/// Concurrent clients repeating one request until told to stop (at most 60 s):
/// each answer's status, `Retry-After`, time taken and JSON body.
struct Load {
    running: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<Vec<Answer>>>,
    acknowledged: Arc<AtomicUsize>,
}

#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: bool,
    took: Duration,
    at: Instant,
    body: serde_json::Value,
}

impl Load {
    fn start(
        clients: usize,
        request: impl Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
    ) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let request = Arc::new(request);
        let tasks = (0..clients)
            .map(|client| {
                let (running, acknowledged, request) = (running.clone(), acknowledged.clone(), request.clone());
                tokio::spawn(async move {
                    let http = crate::helpers::http_client().timeout(Duration::from_secs(30)).build().expect("client");
                    let started = Instant::now();
                    let mut answers = Vec::new();
                    let mut n = 0;
                    while running.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                        let sent = Instant::now();
                        let response = request(&http, client * 1_000_000 + n).send().await.expect("answered");
                        n += 1;
                        let status = response.status().as_u16();
                        let retry_after = response.headers().contains_key("retry-after");
                        let body = response.json().await.unwrap_or(serde_json::Value::Null);
                        if status < 300 {
                            acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        answers.push(Answer { status, retry_after, took: sent.elapsed(), at: Instant::now(), body });
                    }
                    answers
                })
            })
            .collect();
        Self { running, tasks, acknowledged }
    }

    /// Waits until `more` further requests have succeeded (within 20 s).
    async fn until_acknowledged(&self, more: usize) {
        let target = self.acknowledged.load(Ordering::Relaxed) + more;
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.acknowledged.load(Ordering::Relaxed) < target {
            assert!(Instant::now() < deadline, "the load made no progress");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(self) -> Vec<Answer> {
        self.running.store(false, Ordering::Relaxed);
        let mut all = Vec::new();
        for task in self.tasks {
            all.extend(task.await.expect("load task"));
        }
        all
    }
}

#[tokio::test]
async fn a_replica_stopped_and_started_under_load_costs_no_read() {
    let servers = Replicated::start().await;
    let (app, stop_app) = servers.app().await;
    wait_for_replica(&app, "in_rotation", Duration::from_secs(5)).await;
    let user = app.user("restart@example.com").await;
    let file = app.file(&user, "kept.pdf").await;
    let (url, token) = (app.url(&format!("/api/v1/files/{}", file["id"])), user.token.clone());
    let load = Load::start(4, move |http, _| http.get(&url).bearer_auth(&token));
    load.until_acknowledged(50).await;

    servers.replica.stop().await.expect("stop the replica");
    let stopped_at = Instant::now();
    let down = wait_for_replica(&app, "down", Duration::from_secs(5)).await;
    let out_after = stopped_at.elapsed();
    load.until_acknowledged(50).await;
    servers.replica.start().await.expect("start the replica");
    let started_at = Instant::now();
    let back = wait_for_replica(&app, "in_rotation", Duration::from_secs(10)).await;
    let back_after = started_at.elapsed();
    load.until_acknowledged(50).await;
    let answers = load.stop().await;
    stop(app, stop_app).await;
    let failed: Vec<_> = answers.iter().filter(|answer| answer.status != 200).collect();
    println!(
        "replica restart under load: {} reads, {} failed; out of rotation {out_after:.2?} after the stop, \
         back {back_after:.2?} after the start",
        answers.len(),
        failed.len()
    );

    assert!(failed.is_empty(), "every read answered 200: {failed:?}");
    assert_eq!(down["replicas"][0]["status"], "down", "{down}");
    assert_eq!(down["status"], "ok", "a replica down leaves the service healthy");
    assert!(out_after < Duration::from_secs(1), "out of rotation within a second: {out_after:?}");
    assert_eq!(back["replicas"][0]["status"], "in_rotation", "{back}");
}

#[tokio::test]
async fn promoting_the_replica_after_the_primary_stops_brings_writes_back_without_a_restart() {
    let servers = Replicated::start().await;
    let (app, stop_app) = servers.app_over(servers.either_url()).await;
    let user = app.user("failover@example.com").await;
    let (url, token) = (app.url("/api/v1/files"), user.token.clone());
    let load = Load::start(4, move |http, n| {
        http.post(&url).bearer_auth(&token).json(&serde_json::json!({
            "filename": format!("{n}.pdf"), "content_type": "application/pdf"
        }))
    });
    load.until_acknowledged(50).await;

    servers.primary.stop().await.expect("stop the primary");
    let promoter = db::connect_once(&servers.replica_url()).await.expect("connect to the replica");
    promoter.batch_execute("SELECT pg_promote()").await.expect("promote");
    let promoted_at = Instant::now();
    load.until_acknowledged(1).await;
    load.until_acknowledged(50).await;
    let answers = load.stop().await;
    stop(app, stop_app).await;

    let acknowledged: Vec<i64> =
        answers.iter().filter(|answer| answer.status == 201).filter_map(|answer| answer.body["id"].as_i64()).collect();
    let found: i64 = promoter
        .query_one("SELECT count(*) FROM files WHERE id = ANY($1)", &[&acknowledged])
        .await
        .expect("count")
        .get(0);
    let unavailable: Vec<_> = answers.iter().filter(|answer| answer.status == 503).collect();
    let other: Vec<_> = answers.iter().filter(|answer| ![201, 503].contains(&answer.status)).collect();
    let longest = answers.iter().map(|answer| answer.took).max().unwrap_or_default();
    let recovered = answers
        .iter()
        .filter(|answer| answer.status == 201 && answer.at > promoted_at)
        .map(|answer| answer.at.duration_since(promoted_at))
        .min()
        .expect("a write after the promotion");
    println!(
        "failover under writes: {} requests, {} acknowledged, {} answered 503, longest {longest:.2?}, \
         writes back {recovered:.2?} after the promotion, {found} of {} acknowledged writes found",
        answers.len(),
        acknowledged.len(),
        unavailable.len(),
        acknowledged.len()
    );

    assert!(other.is_empty(), "only 201 or 503: {other:?}");
    assert!(unavailable.iter().all(|answer| answer.retry_after), "every 503 has Retry-After");
    assert!(longest < Duration::from_secs(10), "no write hangs: {longest:?}");
    assert!(recovered < Duration::from_secs(5), "writes succeed within 5 s of the promotion: {recovered:?}");
    assert_eq!(found, acknowledged.len() as i64, "every acknowledged write is on the new primary");
}

#[tokio::test]
async fn a_replica_whose_connections_are_busy_is_passed_over_at_once_and_stays_in_rotation() {
    let servers = Replicated::start().await;
    let replica = db::build_pool(&servers.replica_url(), Environment::Test.pool());
    let (app, stop_app) = servers.app_with(servers.primary_url(), replica.clone()).await;
    let user = app.user("busy@example.com").await;
    wait_for_replica(&app, "in_rotation", Duration::from_secs(5)).await;
    // Until the replica has replayed the user and serves the read itself.
    let replica_reads = async || {
        let metrics = app.get("/metrics").await.text().await.expect("metrics");
        let line = metrics.lines().find_map(|line| line.strip_prefix("db_reads_total{target=\"replica\"} "));
        line.and_then(|count| count.parse::<f64>().ok()).unwrap_or(0.0)
    };
    let waiting = Instant::now();
    let before = replica_reads().await;
    while replica_reads().await == before {
        assert!(waiting.elapsed() < Duration::from_secs(5), "the replica never served a read");
        app.call(Method::GET, "/api/v1/auth/me", Some(&user.token), None).await.expect(200);
    }
    let held = replica.get().await.expect("the replica pool's only connection");

    let started = Instant::now();
    let me = app.call(Method::GET, "/api/v1/auth/me", Some(&user.token), None).await;
    let took = started.elapsed();
    let health = app.get("/api/v1/health").await.json::<serde_json::Value>().await.expect("health");
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    drop(held);
    stop(app, stop_app).await;

    me.expect(200);
    println!("a read while the replica's pool was busy: answered from the primary in {took:.1?}");
    assert!(took < Duration::from_secs(1), "not the pool's 5 s wait: {took:?}");
    assert_eq!(health["replicas"][0]["status"], "in_rotation", "busy is not down: {health}");
    // Process-wide counters: present, not exact.
    assert!(metrics.contains(r#"db_replica_fallbacks_total{reason="replica_busy"} "#), "{metrics}");
}
