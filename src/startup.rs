//! Builds the pool, the state and the routes; serves until SIGTERM or Ctrl-C,
//! then drains in-flight requests.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use connection_limits::LimitedAcceptor;

use poem::{
    Endpoint, Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};

use crate::{
    api,
    auth::TokenKeys,
    config::{ClientLimit, Config, Environment, PoolSettings, RateLimits},
    db::{self, Cluster},
    mail::{OutboxSender, Transport},
    migrate::{MigrateError, Migrator},
    repo::{
        FileRepository, LoginRepository, OutboxRepository, PasswordResetRepository, RegistrationRepository,
        SessionRepository,
    },
    state::{AppState, HttpLimits},
};

mod connection_limits;

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The token keys from the configured secret, or from a random one made for
/// this process (dev and test only; config refuses that in prod).
pub fn token_keys(config: &Config) -> TokenKeys {
    match &config.jwt_secret {
        Some(secret) => TokenKeys::new(secret.expose(), config.token_ttl),
        None => {
            tracing::warn!("REVIEWPOINT_JWT_SECRET is unset: using a random secret; tokens end with this process");
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).expect("the OS provides randomness");
            TokenKeys::new(&secret, config.token_ttl)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("preparing the database failed: {0}")]
    Migrate(#[from] MigrateError),
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("REVIEWPOINT_SMTP_URL: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[cfg(feature = "dev-services")]
    #[error(transparent)]
    DevServices(#[from] crate::dev_services::DevServicesError),
}

/// Requests one HTTP/2 connection may have in flight at once (hyper's
/// default is unbounded; RFC 9113 suggests no fewer than 100).
const HTTP2_MAX_STREAMS: u32 = 100;

/// A bound, not yet serving, HTTP listener (tests bind port 0 and read the address).
pub struct Listening {
    acceptor: TcpAcceptor,
    pub addr: SocketAddr,
}

pub async fn listen(addr: SocketAddr) -> Result<Listening, StartupError> {
    let acceptor =
        TcpListener::bind(addr).into_acceptor().await.map_err(|source| StartupError::Bind { addr, source })?;
    let addr = acceptor.local_addr().first().and_then(|local| local.as_socket_addr().copied()).unwrap_or(addr);
    Ok(Listening { acceptor, addr })
}

impl Listening {
    pub async fn serve(self, state: AppState, shutdown: impl Future<Output = ()> + Send) -> Result<(), StartupError> {
        let limits = state.http_limits;
        self.serve_endpoint(api::routes(state), limits, shutdown).await
    }

    async fn serve_endpoint(
        self,
        endpoint: impl Endpoint + 'static,
        limits: HttpLimits,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), StartupError> {
        // Hyper bounds the header size (431 past 400 KiB or 100 headers);
        // the acceptor bounds connections, their heads and their silences.
        Server::new_with_acceptor(LimitedAcceptor::new(self.acceptor, limits))
            .http2_max_concurrent_streams(HTTP2_MAX_STREAMS)
            .run_with_graceful_shutdown(endpoint, shutdown, Some(DRAIN_TIMEOUT))
            .await
            .map_err(StartupError::Serve)
    }
}

/// `reviewpoint serve`: in dev (or with `migrate`), first create the database
/// if missing and apply pending migrations; prod never migrates unasked.
pub async fn serve(config: Config, migrate: bool) -> Result<(), StartupError> {
    #[cfg(feature = "dev-services")]
    let mut config = config;
    #[cfg(feature = "dev-services")]
    let dev_database = crate::dev_services::provide(&mut config).await?;
    tracing::info!(
        environment = ?config.environment,
        database = %config.database.redacted(),
        bind = %config.bind,
        "starting"
    );
    if migrate || config.environment == Environment::Dev {
        prepare_database(&config).await?;
    }
    let pool = db::build_pool(&config.database, config.pool());
    let replicas = config
        .replicas
        .iter()
        .map(|url| {
            tracing::info!(replica = %url.redacted(), "reads go to this replica while it keeps up");
            (url.redacted(), db::build_pool(url, config.replica_pool()))
        })
        .collect();
    let transport = Transport::new(&config.mail)?;
    match &config.mail.smtp {
        Some(smtp) => {
            tracing::info!(smtp = %smtp.redacted(), from = %config.mail.from, "outbox mail goes to this server")
        }
        None => tracing::warn!("REVIEWPOINT_SMTP_URL is unset: outbox mail (password reset links) is logged, not sent"),
    }
    let listening = listen(config.bind).await?;
    tracing::info!(addr = %listening.addr, "listening; docs at http://{}/docs", listening.addr);
    let state = AppState {
        login_limits: config.login_limits,
        registration_limit: config.registration_limit,
        trusted_proxies: config.trusted_proxies.clone().into(),
        http_limits: HttpLimits {
            head_timeout: config.head_timeout,
            body_timeout: config.body_timeout,
            idle_timeout: config.idle_timeout,
            max_connections: config.max_connections,
        },
        idempotency_ttl: config.idempotency_ttl,
        refresh_ttl: config.refresh_ttl,
        password_reset: config.password_reset.clone(),
        ..AppState::new(Cluster::new(pool.clone(), replicas, config.replica_max_lag), token_keys(&config))
    };
    let sweeping = spawn_sweeper(&state);
    // A connection of its own: the sender's statements never wait for a
    // request's connection, nor cost a request one.
    let sender_pool = db::build_pool(&config.database, PoolSettings { size: 1, overflow: 0, ..config.pool() });
    let sender = OutboxSender::new(sender_pool.clone(), transport, config.mail.from.clone(), state.outbox.clone());
    let sending = tokio::spawn(sender.run());
    match config.metrics_bind {
        None => listening.serve(state, shutdown_signal()).await?,
        Some(metrics_bind) => {
            let limits = state.http_limits;
            let (api, metrics) = api::routes_and_metrics(state);
            let scraping = listen(metrics_bind).await?;
            tracing::info!(addr = %scraping.addr, "metrics served here, not on the API's address");
            let stopped = Arc::new(tokio::sync::Notify::new());
            let stop = stopped.clone();
            let scrapes = tokio::spawn(scraping.serve_endpoint(metrics, limits, async move { stop.notified().await }));
            let served = listening.serve_endpoint(api, limits, shutdown_signal()).await;
            stopped.notify_one();
            let _ = scrapes.await;
            served?;
        }
    }
    // Background work stops before the pools close, so none of it is cut off
    // by a closing pool (or a stopping dev database) mid-statement. A sweep
    // cut off here is idempotent and done by the next one; a mail cut off
    // mid-send is due again when its lease ends, and is sent by the next
    // sender to run: at least once.
    sweeping.abort();
    let _ = sweeping.await;
    sending.abort();
    let _ = sending.await;
    sender_pool.close();
    #[cfg(feature = "dev-services")]
    if let Some(database) = dev_database {
        // Closed first, the connections end cleanly instead of being cut.
        pool.close();
        database.stop().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Once a minute, deletes ended throttle windows, expired idempotency keys,
/// finished sessions, expired refresh tokens, spent or expired reset tokens
/// and settled outbox mail, so none piles up. Every instance sweeps: the
/// statements are idempotent, and the batched purges skip rows another
/// instance is deleting.
fn spawn_sweeper(state: &AppState) -> tokio::task::JoinHandle<()> {
    let (pool, limits, ttl) = (state.db.writer().clone(), state.login_limits, state.idempotency_ttl);
    let (reset_limits, registration_limit) = (state.password_reset.limits, state.registration_limit);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            sweep(&pool, limits, ttl, reset_limits, registration_limit).await;
        }
    })
}

/// One pass of the sweeper. Each step stands alone: one that fails is
/// logged and the others still run.
async fn sweep(
    pool: &db::Pool,
    limits: RateLimits,
    idempotency_ttl: Duration,
    reset_limits: RateLimits,
    registration_limit: ClientLimit,
) {
    let connection = match pool.get().await {
        Ok(connection) => connection,
        Err(error) => return tracing::warn!(%error, "sweeping expired rows failed: no connection"),
    };
    let db = &connection;
    let report =
        |step: &'static str| move |error: &db::DbError| tracing::warn!(%error, step, "sweeping expired rows failed");
    let batch = PURGE_BATCH;
    let login_windows = purge(|| LoginRepository::sweep(db, limits, batch)).await.inspect_err(report("login throttle"));
    let reset_windows =
        purge(|| PasswordResetRepository::sweep(db, reset_limits, batch)).await.inspect_err(report("reset throttle"));
    let registration_windows = purge(|| RegistrationRepository::sweep(db, registration_limit, batch))
        .await
        .inspect_err(report("registration throttle"));
    let keys = purge(|| FileRepository::sweep_idempotency_keys(db, idempotency_ttl, batch))
        .await
        .inspect_err(report("idempotency keys"));
    let sessions = purge_sessions(db).await.inspect_err(report("sessions"));
    let reset_tokens = purge(|| PasswordResetRepository::purge(db, batch)).await.inspect_err(report("reset tokens"));
    let mails = purge_outbox(db).await.inspect_err(report("outbox"));
    if let Ok((_, undelivered)) = mails
        && undelivered > 0
    {
        tracing::warn!(undelivered, "outbox mail expired before any attempt to send it succeeded");
    }
    tracing::debug!(
        ?login_windows,
        ?reset_windows,
        ?registration_windows,
        ?keys,
        ?sessions,
        ?reset_tokens,
        ?mails,
        "swept expired rows"
    );
}

/// Rows per purge statement: short statements, short row locks.
const PURGE_BATCH: u32 = 1000;

/// Runs one batched purge until a batch comes back short; returns the total.
async fn purge<F: Future<Output = Result<u64, db::DbError>>>(mut batch: impl FnMut() -> F) -> Result<u64, db::DbError> {
    let mut purged = 0;
    loop {
        let deleted = batch().await?;
        purged += deleted;
        if deleted < u64::from(PURGE_BATCH) {
            return Ok(purged);
        }
    }
}

/// Purges settled and expired outbox mail in batches: (settled, undelivered).
async fn purge_outbox(db: &impl db::Executor) -> Result<(u64, u64), db::DbError> {
    let mut purged = (0, 0);
    loop {
        let batch = OutboxRepository::purge(db, PURGE_BATCH).await?;
        purged = (purged.0 + batch.settled, purged.1 + batch.undelivered);
        if batch.settled + batch.undelivered < u64::from(PURGE_BATCH) {
            return Ok(purged);
        }
    }
}

/// Purges the refresh tokens nothing needs, then the finished sessions left
/// without any, in batches until a batch comes back short.
async fn purge_sessions(db: &impl db::Executor) -> Result<(u64, u64), db::DbError> {
    let mut purged = (0, 0);
    loop {
        let (sessions, tokens) = SessionRepository::purge(db, PURGE_BATCH).await?;
        purged = (purged.0 + sessions, purged.1 + tokens);
        if sessions < u64::from(PURGE_BATCH) && tokens < u64::from(PURGE_BATCH) {
            return Ok(purged);
        }
    }
}

/// Creates the configured database when it does not exist (connecting to the
/// server's `postgres` database to do so), then applies pending migrations.
pub async fn prepare_database(config: &Config) -> Result<(), MigrateError> {
    let name = config.database.database_name();
    let server = db::connect_once(&config.database.with_database("postgres")).await?;
    if !db::admin::database_exists(&server, name).await? {
        tracing::info!(database = name, "creating database");
        db::admin::create_database(&server, name).await?;
    }
    let mut client = db::connect_once(&config.database).await?;
    let applied = Migrator::embedded().up(&mut client).await?;
    tracing::info!(applied = applied.len(), "database schema is current");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: draining in-flight requests");
}
