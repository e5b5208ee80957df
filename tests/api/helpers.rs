//! The harness. One PostgreSQL per test binary: a container started with
//! testcontainers, or the server named by `REVIEWPOINT_TEST_DATABASE_URL`.
//! The schema is migrated once into a template database; every test gets its
//! own clone (`CREATE DATABASE … TEMPLATE`, tens of milliseconds), dropped
//! when the test ends.

use std::{
    future::Future,
    net::SocketAddr,
    process::Command,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use reqwest::{Method, StatusCode, header::HeaderMap};
use reviewpoint::{
    auth::TokenKeys,
    config::{DatabaseUrl, Environment, PoolSettings, RateLimits},
    db::{self, Pool},
    domain::{ClientKey, Principal, RefreshToken},
    migrate::Migrator,
    repo::{LoginRepository, SessionRepository, UserRepository},
    startup,
    state::{self, AppState},
};
use testcontainers_modules::{
    postgres::Postgres,
    testcontainers::{ContainerAsync, ImageExt, runners::AsyncRunner},
};
use tokio::sync::OnceCell;

/// The official image at a current tag; offline machines build
/// `reviewpoint-postgres:17` with tests/postgres-image/build.sh and set this.
pub const DEFAULT_IMAGE: &str = "postgres:17";

const HOW_TO_GET_POSTGRES: &str = "integration tests need PostgreSQL. Either start Docker \
    (offline: `bash tests/postgres-image/build.sh`, then REVIEWPOINT_TEST_IMAGE=reviewpoint-postgres:17), \
    or point them at a server: REVIEWPOINT_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres";

struct Server {
    /// The server's maintenance database, for creating and dropping others.
    admin: DatabaseUrl,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

fn prefix() -> String {
    format!("rvt_{}_", std::process::id())
}

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let admin = match std::env::var("REVIEWPOINT_TEST_DATABASE_URL") {
                Ok(url) => DatabaseUrl::parse(&url).expect("REVIEWPOINT_TEST_DATABASE_URL is a postgresql:// URL"),
                Err(_) => start_container().await,
            };
            let client = db::connect_once(&admin).await.unwrap_or_else(|e| panic!("{HOW_TO_GET_POSTGRES}: {e:?}"));
            drop_leftovers_of_dead_runs(&client).await;
            let template = format!("{}template", prefix());
            db::admin::create_database(&client, &template).await.expect("create template");
            let mut migrating = db::connect_once(&admin.with_database(&template)).await.expect("connect to template");
            Migrator::embedded().up(&mut migrating).await.expect("migrate template");
            Server { admin, template }
        })
        .await
}

async fn start_container() -> DatabaseUrl {
    let container = container().await;
    let port = container.get_host_port_ipv4(5432).await.expect("mapped port");
    // Held in a static, the container is never dropped; the reaper removes it.
    std::mem::forget(container);
    container_url(port)
}

/// The URL of the `postgres` database of a container on `port`.
pub fn container_url(port: u16) -> DatabaseUrl {
    DatabaseUrl::parse(&format!("postgresql://postgres:postgres@127.0.0.1:{port}/postgres")).expect("valid URL")
}

/// A PostgreSQL container of the test image, removed when dropped (or, if the
/// test process dies first, by the reaper). Fault tests stop and start their own.
pub async fn container() -> ContainerAsync<Postgres> {
    let image = std::env::var("REVIEWPOINT_TEST_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name.to_owned(), tag.to_owned()),
        _ => (image.clone(), "latest".to_owned()),
    };
    let container = Postgres::default()
        .with_name(name)
        .with_tag(tag)
        .with_label("reviewpoint.test", "true")
        .start()
        .await
        .unwrap_or_else(|e| panic!("{HOW_TO_GET_POSTGRES}: starting {image} failed: {e}"));
    remove_when_this_process_exits(container.id());
    container
}

/// A builder of the tests' HTTP clients. reqwest is built on rustls without
/// a crypto provider of its own (the service's S3 client chose that build,
/// see Cargo.toml), so ring is installed as the process's provider first.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// `reqwest::get`, through [`http_client`] (ring installed first).
pub async fn get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    http_client().build()?.get(url).send().await
}

/// There is no Ryuk reaper offline, and a static is never dropped, so a
/// detached shell waits for this process to end and then removes the container.
pub fn remove_when_this_process_exits(container_id: &str) {
    when_this_process_exits(&format!("docker rm -f -v {container_id} >/dev/null 2>&1"), container_id);
}

/// Runs shell `command` once this process has ended, from a detached shell;
/// `what` names the leftover for the warning when that shell cannot start.
pub fn when_this_process_exits(command: &str, what: &str) {
    let script = format!("while kill -0 {pid} 2>/dev/null; do sleep 1; done; {command}", pid = std::process::id());
    let spawned = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        eprintln!("warning: cannot start the reaper ({error}); remove {what} by hand");
    }
}

/// Databases of earlier runs against the same server whose process is gone
/// (a crashed or killed run cannot clean up after itself).
async fn drop_leftovers_of_dead_runs(client: &tokio_postgres::Client) {
    for name in db::admin::databases_like(client, "rvt\\_%").await.expect("list databases") {
        let pid = name.split('_').nth(1).unwrap_or_default();
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let _ = db::admin::drop_database(client, &name).await;
        }
    }
}

/// The test server's maintenance database and a database name of this run's
/// own that does not exist yet (leftovers of dead runs are dropped at start).
pub async fn server_and_unused_name() -> (DatabaseUrl, String) {
    let server = server().await;
    (server.admin.clone(), format!("{}{}", prefix(), NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)))
}

/// A fresh, migrated database of this test's own; dropped on drop.
pub struct TestDb {
    pub url: DatabaseUrl,
    name: String,
    admin: DatabaseUrl,
}

impl TestDb {
    pub async fn new() -> Self {
        Self::create(true).await
    }

    /// A database with no schema at all, for exercising migrations.
    pub async fn empty() -> Self {
        Self::create(false).await
    }

    async fn create(migrated: bool) -> Self {
        let (admin, name) = server_and_unused_name().await;
        let client = db::connect_once(&admin).await.expect("connect to the test server");
        let created = match migrated {
            true => db::admin::create_database_from(&client, &name, &server().await.template).await,
            false => db::admin::create_database(&client, &name).await,
        };
        created.expect("create the test database");
        Self { url: admin.with_database(&name), name, admin }
    }

    /// A pool as the test environment configures it.
    pub fn pool(&self) -> Pool {
        self.pool_with(Environment::Test.pool())
    }

    pub fn pool_with(&self, settings: PoolSettings) -> Pool {
        db::build_pool(&self.url, settings)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop cannot await; a short-lived runtime on another thread can.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime
                .block_on(async {
                    let client = db::connect_once(&admin).await?;
                    db::admin::drop_database(&client, &name).await
                })
                .map_err(std::io::Error::other)
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";
/// The key test servers sign tokens with, so tests can forge their own.
pub const TOKEN_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts the status and, for errors, the problem+json shape; returns the body.
    pub fn expect(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        if status >= 400 {
            assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
            let problem = self.json();
            assert_eq!(problem["status"], status, "{problem}");
            for field in ["type", "title", "detail"] {
                assert!(problem[field].is_string(), "problem without {field}: {problem}");
            }
            return problem;
        }
        if self.text.is_empty() { serde_json::Value::Null } else { self.json() }
    }
}

/// A registered user, logged in: a fresh session.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: i64,
    pub token: String,
    pub refresh_token: String,
    /// The user and session the token names.
    pub principal: Principal,
}

/// The real server on a random local port, over its own test database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    /// The app's pool, for checking state through repositories.
    pub pool: Pool,
    /// Held so the database outlives the app (none when the test owns its servers).
    _db: Option<TestDb>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let db = TestDb::new().await;
        let pool = db.pool();
        Self::serve(db, pool, state::HEALTH_TIMEOUT).await
    }

    /// Serves over `pool`, which may point anywhere (a proxy, a closed port).
    pub async fn serve(db: TestDb, pool: Pool, health_timeout: Duration) -> Self {
        Self::serve_state(db, AppState { health_timeout, ..Self::state_over(pool) }).await
    }

    /// Serves with a state of the test's own making (limits, timeouts).
    pub async fn serve_state(db: TestDb, state: AppState) -> Self {
        Self { _db: Some(db), ..Self::serve_until(state, std::future::pending()).await }
    }

    /// Serves `state` over servers the test set up itself (replication);
    /// ends when `shutdown` resolves, dropping the state and its pools.
    pub async fn serve_until(state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> Self {
        let listening = startup::listen("127.0.0.1:0".parse().expect("address")).await.expect("bind");
        let addr = listening.addr;
        let pool = state.db.writer().clone();
        tokio::spawn(listening.serve(state, shutdown));
        let http = http_client().timeout(Duration::from_secs(30)).build().expect("client");
        Self { addr, http, pool, _db: None }
    }

    /// The state `spawn` serves with, over a pool of `db`.
    pub fn default_state(db: &TestDb) -> AppState {
        Self::state_over(db.pool())
    }

    fn state_over(pool: Pool) -> AppState {
        Self::state_with(db::Cluster::primary_only(pool))
    }

    /// The default state over servers the test arranged (replicas).
    pub fn state_with(cluster: db::Cluster) -> AppState {
        AppState::new(cluster, TokenKeys::new(TOKEN_SECRET, Duration::from_secs(3600)))
    }

    /// The database this app serves, for a second server process over it.
    pub fn db_url(&self) -> DatabaseUrl {
        self._db.as_ref().expect("an app over a test database").url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request sent")
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let request = self.http.request(method, self.url(path));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        Self::send(request, token).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        Self::send(self.http.request(method, self.url(path)).header("content-type", content_type).body(body), token)
            .await
    }

    async fn send(request: reqwest::RequestBuilder, token: Option<&str>) -> Reply {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.expect("request sent");
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.expect("body"),
        }
    }

    pub async fn register(&self, email: &str) -> Reply {
        let body = serde_json::json!({ "email": email, "password": PASSWORD });
        self.call(Method::POST, "/api/v1/auth/register", None, Some(body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "email": email, "password": password });
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await
    }

    /// Registers `email` and logs in.
    pub async fn user(&self, email: &str) -> TestUser {
        let user = self.register(email).await.expect(201);
        let tokens = self.login(email, PASSWORD).await.expect(200);
        let token = tokens["access_token"].as_str().expect("token").to_owned();
        let refresh_token = tokens["refresh_token"].as_str().expect("refresh token").to_owned();
        let principal = principal_of(&token);
        TestUser { id: user["id"].as_i64().expect("id"), token, refresh_token, principal }
    }

    /// Creates a file owned by `user`; returns its JSON.
    pub async fn file(&self, user: &TestUser, filename: &str) -> serde_json::Value {
        let body = serde_json::json!({ "filename": filename, "content_type": "application/pdf" });
        self.call(Method::POST, "/api/v1/files", Some(&user.token), Some(body)).await.expect(201)
    }
}

/// A live session of `user_id`, started the way login starts one: what a
/// repository test acts as. Panics when the user is not active.
pub async fn sign_in(db: &impl db::Executor, user_id: i64) -> Principal {
    let user = UserRepository::by_id(db, user_id).await.expect("read").expect("a user");
    let client = ClientKey::new("127.0.0.1".parse().expect("an address"));
    let attempt = LoginRepository::reserve(db, user.email.as_str(), &client, RateLimits::LOGIN).await.expect("counted");
    let account = attempt.credentials.clone().expect("the user's credentials");
    let (refresh, ttl) = (RefreshToken::first(), Duration::from_secs(3600));
    let started = SessionRepository::start(db, &attempt, &account, Some("tests"), &refresh, ttl).await.expect("start");
    started.expect("an active user").principal
}

/// Waits until `n` sessions of the database at `url` wait on a lock (a row
/// a test's transaction holds, say): a readiness check, not a sleep.
pub async fn until_waiting_on_locks(observer: &tokio_postgres::Client, n: i64) {
    let started = std::time::Instant::now();
    let statement =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    loop {
        let waiting: i64 = observer.query_one(statement, &[]).await.expect("pg_stat_activity").get(0);
        if waiting >= n {
            return;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let activity = "SELECT coalesce(wait_event_type, '') || ' ' || coalesce(wait_event, '') || ' ' || \
                            coalesce(state, '') || ': ' || query FROM pg_stat_activity WHERE datname = current_database()";
            let rows = observer.query(activity, &[]).await.expect("activity");
            let seen: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
            panic!("{n} sessions never waited on a lock: {seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A caller that does not exist.
pub const NOBODY: Principal = Principal { user_id: 999_999, session_id: 999_999 };

/// The user and session an access token names, read from its claims.
pub fn principal_of(token: &str) -> Principal {
    use base64::Engine;
    let claims = token.split('.').nth(1).expect("a JWT");
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&claims).expect("JSON claims");
    let id = |claim: &str| claims[claim].as_str().and_then(|id| id.parse().ok()).expect("a decimal id claim");
    Principal { user_id: id("sub"), session_id: id("sid") }
}
