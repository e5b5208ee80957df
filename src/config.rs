//! Every `REVIEWPOINT_*` variable, read once at startup into typed values.
//!
//! | variable                  | default                                                | meaning |
//! |---------------------------|--------------------------------------------------------|---------|
//! | `REVIEWPOINT_DB_URL`      | `postgresql://postgres:postgres@localhost:5432/reviewpoint` | the database; `postgres://`, `postgresql://` and the seed's SQLAlchemy-style `postgresql+asyncpg://` are accepted; `?sslmode=disable\|prefer\|require\|verify-ca\|verify-full` (default `prefer`, as libpq) and `&sslrootcert=<PEM file>` (or `system`, the default for the verify modes) choose TLS; production should use `verify-full` |
//! | `REVIEWPOINT_ENVIRONMENT` | `dev`; `prod` in a production build (`--no-default-features`) | `dev`, `test` or `prod`: pool sizes, log format, whether `serve` migrates |
//! | `REVIEWPOINT_DEBUG`       | `false`                                                | `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`): debug-level logs |
//! | `REVIEWPOINT_METRICS_BIND` | unset                                            | serve `/metrics` on this `host:port` instead of on `REVIEWPOINT_BIND` (a port the outside cannot reach) |
//! | `REVIEWPOINT_BIND`        | `127.0.0.1:8080`                                       | the address `serve` listens on |
//! | `REVIEWPOINT_LOG`         | unset                                                  | overrides the log filter (`tracing` `EnvFilter` syntax) |
//! | `REVIEWPOINT_JWT_SECRET`  | prod: required; dev/test: random per process           | the HS256 key for bearer tokens, at least 32 bytes |
//! | `REVIEWPOINT_TOKEN_TTL_SECONDS` | `900`                                            | lifetime of an access token, 60 to 86400 |
//! | `REVIEWPOINT_REFRESH_TTL_SECONDS` | `2592000` (30 days)                            | lifetime of a refresh token, and so of an unused session, 60 to 31536000 |
//! | `REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT` | `10`                                | failed logins for one email within a window before it is locked (429) until the window ends |
//! | `REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT` | `100`                                | the same for one client address |
//! | `REVIEWPOINT_LOGIN_WINDOW_SECONDS` | `900`                                         | the window, 1 to 86400 seconds; also the longest a lock lasts |
//! | `REVIEWPOINT_REGISTER_MAX_PER_CLIENT` | `100`                                     | registrations from one client address within a window before 429 |
//! | `REVIEWPOINT_REGISTER_WINDOW_SECONDS` | `3600`                                    | that window, 1 to 86400 seconds |
//! | `REVIEWPOINT_SMTP_URL`    | prod: required; dev/test: unset                        | where mail goes: `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS) or `smtps://host:port` (TLS), optionally with `user:password@`; prod takes plain text only as `?tls=none`, said on purpose; unset, dev and test log each mail instead of sending it |
//! | `REVIEWPOINT_MAIL_FROM`   | `ReViewPoint <no-reply@localhost>`                     | the sender of every mail |
//! | `REVIEWPOINT_RESET_URL`   | `http://localhost:5173/reset-password`                 | the web app's page a reset mail links to; `token=<token>` is added to its query |
//! | `REVIEWPOINT_RESET_TTL_SECONDS` | `3600`                                           | how long a password reset link works, 60 to 86400 |
//! | `REVIEWPOINT_RESET_MAX_PER_EMAIL` | `3`                                            | reset requests for one email within a window before 429 |
//! | `REVIEWPOINT_RESET_MAX_PER_CLIENT` | `30`                                          | the same for one client address |
//! | `REVIEWPOINT_RESET_WINDOW_SECONDS` | `3600`                                        | that window, 1 to 86400 seconds |
//! | `REVIEWPOINT_DB_POOL_SIZE` | per environment (prod 10, dev 5, test 1)            | connections kept open, 1 to 1000 |
//! | `REVIEWPOINT_DB_POOL_MAX_OVERFLOW` | per environment (prod 20, dev 10, test 0)   | connections opened beyond those under load, 0 to 1000 |
//! | `REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS` | `30`                                 | the longest one statement may run, 1 to 600; the client gives up one second later |
//! | `REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS` | `86400`                                   | how long an `Idempotency-Key` is remembered, 1 to 604800 |
//! | `REVIEWPOINT_HEAD_TIMEOUT_SECONDS` | `10`                                         | the longest a request head (request line and headers) may take to arrive from its first byte (then the connection is closed), 1 to 600 |
//! | `REVIEWPOINT_BODY_TIMEOUT_SECONDS` | `10`                                         | the longest a request body may take to arrive (then 408), 1 to 600 |
//! | `REVIEWPOINT_IDLE_TIMEOUT_SECONDS` | `75`                                         | a connection with no traffic for this long is closed, 1 to 3600; above a load balancer's own idle timeout (60 s is common) |
//! | `REVIEWPOINT_MAX_CONNECTIONS` | `1024`                                            | client connections one process serves at once, 1 to 100000; more wait to be accepted |
//! | `REVIEWPOINT_TRUSTED_PROXIES` | unset                                              | comma-separated addresses or CIDR ranges of proxies whose `X-Forwarded-For` names the client; unset, the peer address is the client |
//! | `REVIEWPOINT_DB_REPLICA_URLS` | unset                                            | comma-separated URLs of streaming replicas that serve reads; unset, everything runs on `REVIEWPOINT_DB_URL` |
//! | `REVIEWPOINT_DB_REPLICA_POOL_SIZE` / `_MAX_OVERFLOW` | the environment's pool sizes | each replica's pool |
//! | `REVIEWPOINT_REPLICA_MAX_LAG_MS` | `200`                                          | a replica further behind than this leaves the rotation; also the longest a read waits for its replica to catch up, 1 to 60000 |
//! | `REVIEWPOINT_DEV_SERVICES` | `true`                                              | dev only, with `REVIEWPOINT_DB_URL` unset: start a PostgreSQL container when no database answers (`src/dev_services.rs`) |
//! | `REVIEWPOINT_DEV_PROBE_ADDRESS` | the default URL's, `localhost:5432`            | where dev looks for that database first; the default URL is used there when something answers |
//! | `REVIEWPOINT_DEV_DB_CONTAINER` | `reviewpoint-dev-` and a hash of the checkout's path | the name of that container |
//!
//! A `.env` file in the working directory is read first if present (`main`
//! does it); real environment variables win over it. An invalid value stops
//! startup with an error naming the variable. The database password never
//! appears in `Debug` output or logs: use [`DatabaseUrl::redacted`].
//!
//! This module imports nothing of ours.

mod database;
mod limits;
mod mail;
mod secrets;
mod storage;
mod tls;
mod values;

use std::{net::SocketAddr, time::Duration};

use database::{default_environment, replica_urls};
use mail::smtp_url;
use secrets::jwt_secret;
use values::{
    address, connections, container_name, count, host_and_port, millis_between, networks, optional, parse_bool,
    seconds, seconds_between, whole_number, with_default,
};

pub use database::{DatabaseUrl, Environment, PoolSettings};
pub use limits::{ClientLimit, RateLimits};
pub use mail::{DEFAULT_MAIL_FROM, DEFAULT_RESET_URL, MailSettings, PasswordResetSettings, SmtpSecurity, SmtpUrl};
pub use secrets::{JWT_SECRET_MIN_BYTES, Secret};
pub use storage::{DEFAULT_S3_REGION, StorageUrl};
pub use tls::{DatabaseTls, SslMode, TrustedRoots};

pub const DEFAULT_DB_URL: &str = "postgresql://postgres:postgres@localhost:5432/reviewpoint";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseUrl,
    /// `REVIEWPOINT_DB_URL` is unset: [`DEFAULT_DB_URL`] is a guess, and in
    /// dev a container may stand in for it.
    pub database_is_default: bool,
    pub dev_services: DevServices,
    pub environment: Environment,
    pub debug: bool,
    pub bind: SocketAddr,
    /// Where `/metrics` is served instead of on `bind`, if anywhere else.
    pub metrics_bind: Option<SocketAddr>,
    pub log_filter: Option<String>,
    /// `None` in dev and test when unset: startup generates one per process.
    pub jwt_secret: Option<Secret>,
    pub token_ttl: Duration,
    pub refresh_ttl: Duration,
    pub login_limits: RateLimits,
    pub registration_limit: ClientLimit,
    pub mail: MailSettings,
    pub password_reset: PasswordResetSettings,
    pub head_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub idempotency_ttl: Duration,
    pub statement_timeout: Duration,
    /// `None`: the environment's default ([`Environment::pool`]).
    pub pool_size: Option<usize>,
    pub pool_max_overflow: Option<usize>,
    /// Peers whose `X-Forwarded-For` is believed (load balancers); none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Streaming replicas for reads; none by default.
    pub replicas: Vec<DatabaseUrl>,
    pub replica_pool_size: Option<usize>,
    pub replica_pool_max_overflow: Option<usize>,
    pub replica_max_lag: Duration,
}

/// Dev services: whether dev may start a database, where it looks for one
/// first, and the container's name (`None`: one derived from the checkout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevServices {
    pub enabled: bool,
    pub probe: Option<(String, u16)>,
    pub container: Option<String>,
}

/// A startup error that names the offending variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = with_default(
            &lookup,
            "REVIEWPOINT_ENVIRONMENT",
            default_environment(cfg!(feature = "dev-services")),
            str::parse,
        )?;
        Ok(Self {
            database: with_default(&lookup, "REVIEWPOINT_DB_URL", DEFAULT_DB_URL, DatabaseUrl::parse)?,
            database_is_default: lookup("REVIEWPOINT_DB_URL").is_none(),
            dev_services: DevServices {
                enabled: with_default(&lookup, "REVIEWPOINT_DEV_SERVICES", "true", parse_bool)?,
                probe: optional(&lookup, "REVIEWPOINT_DEV_PROBE_ADDRESS", host_and_port)?,
                container: optional(&lookup, "REVIEWPOINT_DEV_DB_CONTAINER", container_name)?,
            },
            environment,
            debug: with_default(&lookup, "REVIEWPOINT_DEBUG", "false", parse_bool)?,
            bind: with_default(&lookup, "REVIEWPOINT_BIND", DEFAULT_BIND, address)?,
            metrics_bind: optional(&lookup, "REVIEWPOINT_METRICS_BIND", address)?,
            log_filter: lookup("REVIEWPOINT_LOG").filter(|value| !value.trim().is_empty()),
            jwt_secret: jwt_secret(&lookup, environment)?,
            token_ttl: with_default(&lookup, "REVIEWPOINT_TOKEN_TTL_SECONDS", "900", |value| {
                seconds_between(value, 60, 86_400)
            })?,
            refresh_ttl: with_default(&lookup, "REVIEWPOINT_REFRESH_TTL_SECONDS", "2592000", |value| {
                seconds_between(value, 60, 31_536_000)
            })?,
            login_limits: RateLimits {
                per_account: with_default(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10", count)?,
                per_client: with_default(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "100", count)?,
                window: with_default(&lookup, "REVIEWPOINT_LOGIN_WINDOW_SECONDS", "900", |value| {
                    seconds(value, 86_400)
                })?,
            },
            registration_limit: ClientLimit {
                per_client: with_default(&lookup, "REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "100", count)?,
                window: with_default(&lookup, "REVIEWPOINT_REGISTER_WINDOW_SECONDS", "3600", |value| {
                    seconds(value, 86_400)
                })?,
            },
            mail: MailSettings {
                smtp: smtp_url(&lookup, environment)?,
                from: with_default(&lookup, "REVIEWPOINT_MAIL_FROM", DEFAULT_MAIL_FROM, mail::mailbox)?,
            },
            password_reset: PasswordResetSettings {
                link: with_default(&lookup, "REVIEWPOINT_RESET_URL", DEFAULT_RESET_URL, mail::web_url)?,
                ttl: with_default(&lookup, "REVIEWPOINT_RESET_TTL_SECONDS", "3600", |value| {
                    seconds_between(value, 60, 86_400)
                })?,
                limits: RateLimits {
                    per_account: with_default(&lookup, "REVIEWPOINT_RESET_MAX_PER_EMAIL", "3", count)?,
                    per_client: with_default(&lookup, "REVIEWPOINT_RESET_MAX_PER_CLIENT", "30", count)?,
                    window: with_default(&lookup, "REVIEWPOINT_RESET_WINDOW_SECONDS", "3600", |value| {
                        seconds(value, 86_400)
                    })?,
                },
            },
            head_timeout: with_default(&lookup, "REVIEWPOINT_HEAD_TIMEOUT_SECONDS", "10", |value| seconds(value, 600))?,
            body_timeout: with_default(&lookup, "REVIEWPOINT_BODY_TIMEOUT_SECONDS", "10", |value| seconds(value, 600))?,
            idle_timeout: with_default(&lookup, "REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "75", |value| {
                seconds(value, 3600)
            })?,
            max_connections: with_default(&lookup, "REVIEWPOINT_MAX_CONNECTIONS", "1024", |value| {
                whole_number(value, 1, 100_000)
            })?,
            idempotency_ttl: with_default(&lookup, "REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "86400", |value| {
                seconds(value, 604_800)
            })?,
            statement_timeout: with_default(&lookup, "REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "30", |value| {
                seconds(value, 600)
            })?,
            pool_size: optional(&lookup, "REVIEWPOINT_DB_POOL_SIZE", |value| connections(value, 1))?,
            pool_max_overflow: optional(&lookup, "REVIEWPOINT_DB_POOL_MAX_OVERFLOW", |value| connections(value, 0))?,
            trusted_proxies: with_default(&lookup, "REVIEWPOINT_TRUSTED_PROXIES", "", networks)?,
            replicas: with_default(&lookup, "REVIEWPOINT_DB_REPLICA_URLS", "", replica_urls)?,
            replica_pool_size: optional(&lookup, "REVIEWPOINT_DB_REPLICA_POOL_SIZE", |value| connections(value, 1))?,
            replica_pool_max_overflow: optional(&lookup, "REVIEWPOINT_DB_REPLICA_POOL_MAX_OVERFLOW", |value| {
                connections(value, 0)
            })?,
            replica_max_lag: with_default(&lookup, "REVIEWPOINT_REPLICA_MAX_LAG_MS", "200", |value| {
                millis_between(value, 1, 60_000)
            })?,
        })
    }

    /// Each replica's pool: the primary's settings, with the replica sizes
    /// where they are configured.
    pub fn replica_pool(&self) -> PoolSettings {
        let primary = self.pool();
        PoolSettings {
            size: self.replica_pool_size.unwrap_or(primary.size),
            overflow: self.replica_pool_max_overflow.unwrap_or(primary.overflow),
            ..primary
        }
    }

    /// The environment's pool, with the sizes and statement timeout configured.
    pub fn pool(&self) -> PoolSettings {
        let defaults = self.environment.pool();
        PoolSettings {
            size: self.pool_size.unwrap_or(defaults.size),
            overflow: self.pool_max_overflow.unwrap_or(defaults.overflow),
            statement_timeout: self.statement_timeout,
            ..defaults
        }
    }
}

#[cfg(test)]
mod tests;
