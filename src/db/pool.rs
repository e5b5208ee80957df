//! The connection pool, configured so that nothing waits forever and no dead
//! connection is handed out twice.

use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use crate::config::{DatabaseUrl, PoolSettings};

/// A connection idle longer than this is verified with an empty query before
/// reuse. Busy connections skip the round trip (deadpool's fast recycling
/// still drops any whose socket the driver saw close); quiet ones may have
/// been cut by a server restart or a firewall, and are checked first.
const VERIFY_AFTER_IDLE: Duration = Duration::from_secs(5);

/// How often connections idle past `idle_timeout` beyond `size` are closed.
const REAP_EVERY: Duration = Duration::from_secs(30);

pub fn build_pool(url: &DatabaseUrl, settings: PoolSettings) -> Pool {
    let mut pg = url.connect_config().clone();
    pg.connect_timeout(settings.connect_timeout)
        .keepalives_idle(Duration::from_secs(60))
        .application_name("reviewpoint");
    let statement_timeout = format!("-c statement_timeout={}", settings.statement_timeout.as_millis());
    let options = match pg.get_options() {
        Some(existing) => format!("{existing} {statement_timeout}"),
        None => statement_timeout,
    };
    pg.options(&options);
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = Pool::builder(manager)
        .max_size(settings.max_size())
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(settings.wait_timeout),
            create: Some(settings.connect_timeout),
            recycle: Some(settings.recycle_timeout),
        })
        .pre_recycle(Hook::async_fn(|client, metrics| {
            let idle = metrics.last_used();
            Box::pin(async move {
                if idle < VERIFY_AFTER_IDLE {
                    return Ok(());
                }
                client.simple_query("").await.map(drop).map_err(HookError::Backend)
            })
        }))
        .build()
        .expect("a runtime and timeouts are set, so building cannot fail");
    spawn_idle_reaper(&pool, settings);
    pool
}

/// Closes connections idle longer than `idle_timeout` while more than `size`
/// are open: the "overflow" above `size` is temporary. Stops with the pool.
fn spawn_idle_reaper(pool: &Pool, settings: PoolSettings) {
    let weak = pool.weak();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(REAP_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(pool) = weak.upgrade() else { return };
            let mut open = pool.status().size;
            pool.retain(|_, metrics| {
                let reap = open > settings.size && metrics.last_used() > settings.idle_timeout;
                open -= usize::from(reap);
                !reap
            });
        }
    });
}

/// One connection outside any pool, for administrative work (migrations,
/// creating databases). Its driver task ends when the client is dropped.
pub async fn connect_once(url: &DatabaseUrl) -> Result<tokio_postgres::Client, super::DbError> {
    let mut config = url.connect_config().clone();
    config.connect_timeout(Duration::from_secs(5)).application_name("reviewpoint-admin");
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "administrative connection ended");
        }
    });
    Ok(client)
}
