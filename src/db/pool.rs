//! The connection pool, configured so that nothing waits forever and no dead
//! connection is handed out twice.

use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, RecyclingMethod, Runtime, Status, Timeouts};

use super::{Connection, DbError};
use crate::config::{DatabaseUrl, PoolSettings};

/// How much longer than the server's `statement_timeout` the client waits for
/// an answer: normally the server's own timeout answers first.
const DEADLINE_MARGIN: Duration = Duration::from_secs(1);

/// deadpool's pool, handing out [`Connection`]s whose every await is bounded.
#[derive(Clone)]
pub struct Pool {
    inner: deadpool_postgres::Pool,
    /// The longest a statement may take before its connection counts as dead.
    deadline: Duration,
    /// The longest a checkout may take, waiting and connecting included.
    checkout: Duration,
}

impl Pool {
    /// A connection, or `Unavailable` within the wait and connect timeouts.
    pub async fn get(&self) -> Result<Connection, DbError> {
        let started = std::time::Instant::now();
        let checked_out = tokio::time::timeout(self.checkout, self.inner.get()).await;
        super::metrics::observe_pool_wait(started.elapsed().as_secs_f64());
        match checked_out {
            Ok(client) => Ok(Connection::new(client?, self.deadline)),
            Err(_) => Err(DbError::timed_out(self.checkout)),
        }
    }

    pub fn status(&self) -> Status {
        self.inner.status()
    }

    /// Closes the idle connections and refuses new checkouts.
    pub fn close(&self) {
        self.inner.close();
    }
}

/// A connection idle longer than this is verified with an empty query before
/// reuse. Busy connections skip the round trip (deadpool's fast recycling
/// still drops any whose socket the driver saw close); quiet ones may have
/// been cut by a server restart or a firewall, and are checked first.
const VERIFY_AFTER_IDLE: Duration = Duration::from_secs(5);

/// How often connections idle past `idle_timeout` beyond `size` are closed.
const REAP_EVERY: Duration = Duration::from_secs(30);

pub fn build_pool(url: &DatabaseUrl, settings: PoolSettings) -> Pool {
    let deadline = settings.statement_timeout + DEADLINE_MARGIN;
    let mut pg = url.connect_config().clone();
    // On a real network a peer that vanished is noticed by the kernel too:
    // idle connections by keepalive probes (after about 25 s), busy ones when
    // sent data stays unacknowledged past a request's budget, so that a
    // socket a silent network left behind is closed, not handed out again.
    pg.connect_timeout(settings.connect_timeout)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3)
        .tcp_user_timeout(deadline.min(super::REQUEST_BUDGET))
        .application_name("reviewpoint");
    // Generic plans: each statement is planned once per connection. Left to
    // choose, PostgreSQL keeps planning the list queries on every call: the
    // generic plan's estimate for `LIMIT $n` is a tenth of the owner's rows,
    // so on a large table it never looks cheaper than a custom plan, and
    // planning then costs more than running (measured with 1M files: 108 µs
    // of PostgreSQL CPU per list request against 59 µs, 10.5k req/s against
    // 15k). Every statement in `queries/` is an index lookup whose plan does
    // not depend on its values; tests/api/query_plans.rs checks both plans.
    let session = format!(
        "-c statement_timeout={} -c plan_cache_mode=force_generic_plan",
        settings.statement_timeout.as_millis()
    );
    let options = match pg.get_options() {
        Some(existing) => format!("{existing} {session}"),
        None => session,
    };
    pg.options(&options);
    let tls = super::tls::connector(url.tls());
    let manager = Manager::from_config(pg, tls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(settings.max_size())
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(settings.wait_timeout),
            create: Some(settings.connect_timeout),
            recycle: Some(settings.recycle_timeout),
        })
        // deadpool runs this hook outside its recycle timeout: bound it here.
        .pre_recycle(Hook::async_fn(move |client, metrics| {
            let idle = metrics.last_used();
            Box::pin(async move {
                if idle < VERIFY_AFTER_IDLE {
                    return Ok(());
                }
                match tokio::time::timeout(settings.recycle_timeout, client.simple_query("")).await {
                    Ok(answer) => answer.map(drop).map_err(HookError::Backend),
                    Err(_) => Err(HookError::message("no answer to the pre-use check")),
                }
            })
        }))
        .build()
        .expect("a runtime and timeouts are set, so building cannot fail");
    spawn_idle_reaper(&pool, settings);
    // Waiting for a slot and connecting together stay within the wait timeout,
    // so a request's worst case is that plus one statement deadline.
    Pool { inner: pool, deadline, checkout: settings.wait_timeout }
}

/// Closes connections idle longer than `idle_timeout` while more than `size`
/// are open: the "overflow" above `size` is temporary. Stops with the pool.
fn spawn_idle_reaper(pool: &deadpool_postgres::Pool, settings: PoolSettings) {
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
pub async fn connect_once(url: &DatabaseUrl) -> Result<tokio_postgres::Client, DbError> {
    let mut config = url.connect_config().clone();
    config.connect_timeout(Duration::from_secs(5)).application_name("reviewpoint-admin");
    let (client, connection) = config.connect(super::tls::connector(url.tls())).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "administrative connection ended");
        }
    });
    Ok(client)
}
