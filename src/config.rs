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
mod mail;
mod tls;

use std::{fmt, net::SocketAddr, time::Duration};

pub use database::{DatabaseUrl, Environment, PoolSettings};
pub use mail::{DEFAULT_MAIL_FROM, DEFAULT_RESET_URL, MailSettings, PasswordResetSettings, SmtpSecurity, SmtpUrl};
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

/// How many attempts one email (account) and one client address may make
/// within a fixed window; beyond them, 429 until the window ends. Failed
/// logins and password reset requests are each counted this way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub per_account: u32,
    pub per_client: u32,
    pub window: Duration,
}

impl RateLimits {
    /// Failed logins: never in a person's way (ten mistyped passwords in
    /// fifteen minutes), and never in a test suite's from one address.
    pub const LOGIN: Self = Self { per_account: 10, per_client: 100, window: Duration::from_secs(900) };
    /// Reset requests: three mails an hour reach anyone who lost a mail;
    /// thirty requests an hour from one address leave room for a shared
    /// office address.
    pub const PASSWORD_RESET: Self = Self { per_account: 3, per_client: 30, window: Duration::from_secs(3600) };
}

/// How many requests one client address may make within a fixed window;
/// beyond that, 429 until the window ends. Registrations are counted so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimit {
    pub per_client: u32,
    pub window: Duration,
}

impl ClientLimit {
    /// Registrations: a hundred an hour from one address leave room for a
    /// classroom behind one NAT, and bound the hashing one address can ask for.
    pub const REGISTRATION: Self = Self { per_client: 100, window: Duration::from_secs(3600) };
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
        fn parse<T>(
            lookup: &impl Fn(&str) -> Option<String>,
            variable: &'static str,
            default: &str,
            parse: impl Fn(&str) -> Result<T, String>,
        ) -> Result<T, ConfigError> {
            let value = lookup(variable).unwrap_or_else(|| default.to_owned());
            parse(value.trim()).map_err(|reason| ConfigError { variable, reason })
        }
        let environment =
            parse(&lookup, "REVIEWPOINT_ENVIRONMENT", default_environment(cfg!(feature = "dev-services")), str::parse)?;
        Ok(Self {
            database: parse(&lookup, "REVIEWPOINT_DB_URL", DEFAULT_DB_URL, DatabaseUrl::parse)?,
            database_is_default: lookup("REVIEWPOINT_DB_URL").is_none(),
            dev_services: DevServices {
                enabled: parse(&lookup, "REVIEWPOINT_DEV_SERVICES", "true", parse_bool)?,
                probe: optional(&lookup, "REVIEWPOINT_DEV_PROBE_ADDRESS", host_and_port)?,
                container: optional(&lookup, "REVIEWPOINT_DEV_DB_CONTAINER", container_name)?,
            },
            environment,
            debug: parse(&lookup, "REVIEWPOINT_DEBUG", "false", parse_bool)?,
            bind: parse(&lookup, "REVIEWPOINT_BIND", DEFAULT_BIND, address)?,
            metrics_bind: optional(&lookup, "REVIEWPOINT_METRICS_BIND", address)?,
            log_filter: lookup("REVIEWPOINT_LOG").filter(|value| !value.trim().is_empty()),
            jwt_secret: jwt_secret(&lookup, environment)?,
            token_ttl: parse(&lookup, "REVIEWPOINT_TOKEN_TTL_SECONDS", "900", |value| match value.parse() {
                Ok(seconds @ 60..=86_400) => Ok(Duration::from_secs(seconds)),
                _ => Err(format!("expected whole seconds from 60 to 86400, got {value:?}")),
            })?,
            refresh_ttl: parse(&lookup, "REVIEWPOINT_REFRESH_TTL_SECONDS", "2592000", |value| match value.parse() {
                Ok(seconds @ 60..=31_536_000) => Ok(Duration::from_secs(seconds)),
                _ => Err(format!("expected whole seconds from 60 to 31536000, got {value:?}")),
            })?,
            login_limits: RateLimits {
                per_account: parse(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10", count)?,
                per_client: parse(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "100", count)?,
                window: parse(&lookup, "REVIEWPOINT_LOGIN_WINDOW_SECONDS", "900", |value| seconds(value, 86_400))?,
            },
            registration_limit: ClientLimit {
                per_client: parse(&lookup, "REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "100", count)?,
                window: parse(&lookup, "REVIEWPOINT_REGISTER_WINDOW_SECONDS", "3600", |value| seconds(value, 86_400))?,
            },
            mail: MailSettings {
                smtp: smtp_url(&lookup, environment)?,
                from: parse(&lookup, "REVIEWPOINT_MAIL_FROM", DEFAULT_MAIL_FROM, mail::mailbox)?,
            },
            password_reset: PasswordResetSettings {
                link: parse(&lookup, "REVIEWPOINT_RESET_URL", DEFAULT_RESET_URL, mail::web_url)?,
                ttl: parse(&lookup, "REVIEWPOINT_RESET_TTL_SECONDS", "3600", |value| match value.parse() {
                    Ok(seconds @ 60..=86_400) => Ok(Duration::from_secs(seconds)),
                    _ => Err(format!("expected whole seconds from 60 to 86400, got {value:?}")),
                })?,
                limits: RateLimits {
                    per_account: parse(&lookup, "REVIEWPOINT_RESET_MAX_PER_EMAIL", "3", count)?,
                    per_client: parse(&lookup, "REVIEWPOINT_RESET_MAX_PER_CLIENT", "30", count)?,
                    window: parse(&lookup, "REVIEWPOINT_RESET_WINDOW_SECONDS", "3600", |value| seconds(value, 86_400))?,
                },
            },
            head_timeout: parse(&lookup, "REVIEWPOINT_HEAD_TIMEOUT_SECONDS", "10", |value| seconds(value, 600))?,
            body_timeout: parse(&lookup, "REVIEWPOINT_BODY_TIMEOUT_SECONDS", "10", |value| seconds(value, 600))?,
            idle_timeout: parse(&lookup, "REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "75", |value| seconds(value, 3600))?,
            max_connections: parse(&lookup, "REVIEWPOINT_MAX_CONNECTIONS", "1024", |value| match value.parse() {
                Ok(n @ 1..=100_000) => Ok(n),
                _ => Err(format!("expected a whole number from 1 to 100000, got {value:?}")),
            })?,
            idempotency_ttl: parse(&lookup, "REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "86400", |value| {
                seconds(value, 604_800)
            })?,
            statement_timeout: parse(&lookup, "REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "30", |value| {
                seconds(value, 600)
            })?,
            pool_size: optional(&lookup, "REVIEWPOINT_DB_POOL_SIZE", |value| connections(value, 1))?,
            pool_max_overflow: optional(&lookup, "REVIEWPOINT_DB_POOL_MAX_OVERFLOW", |value| connections(value, 0))?,
            trusted_proxies: parse(&lookup, "REVIEWPOINT_TRUSTED_PROXIES", "", networks)?,
            replicas: parse(&lookup, "REVIEWPOINT_DB_REPLICA_URLS", "", replica_urls)?,
            replica_pool_size: optional(&lookup, "REVIEWPOINT_DB_REPLICA_POOL_SIZE", |value| connections(value, 1))?,
            replica_pool_max_overflow: optional(&lookup, "REVIEWPOINT_DB_REPLICA_POOL_MAX_OVERFLOW", |value| {
                connections(value, 0)
            })?,
            replica_max_lag: parse(&lookup, "REVIEWPOINT_REPLICA_MAX_LAG_MS", "200", |value| match value.parse() {
                Ok(millis @ 1..=60_000) => Ok(Duration::from_millis(millis)),
                _ => Err(format!("expected whole milliseconds from 1 to 60000, got {value:?}")),
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

/// Shorter keys make HS256 tokens guessable offline.
pub const JWT_SECRET_MIN_BYTES: usize = 32;

fn jwt_secret(
    lookup: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<Secret>, ConfigError> {
    let variable = "REVIEWPOINT_JWT_SECRET";
    match lookup(variable).filter(|value| !value.is_empty()) {
        Some(value) if value.len() >= JWT_SECRET_MIN_BYTES => Ok(Some(Secret(value.into_bytes()))),
        Some(value) => Err(ConfigError {
            variable,
            reason: format!("must be at least {JWT_SECRET_MIN_BYTES} bytes, got {}", value.len()),
        }),
        None if environment == Environment::Prod => Err(ConfigError { variable, reason: "is required in prod".into() }),
        None => Ok(None),
    }
}

/// Prod sends its mail: without a server to send to, password reset would
/// answer 202 and never mail anyone.
fn smtp_url(
    lookup: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<SmtpUrl>, ConfigError> {
    let variable = "REVIEWPOINT_SMTP_URL";
    match optional(lookup, variable, SmtpUrl::parse)? {
        None if environment == Environment::Prod => Err(ConfigError {
            variable,
            reason: "is required in prod: password reset mail is sent over SMTP (e.g. smtps://user:password@mail.example.com)"
                .into(),
        }),
        // Reset links (and any AUTH password) would cross the network in
        // the clear, or an attacker could strip an opportunistic STARTTLS.
        Some(smtp) if environment == Environment::Prod && !smtp.is_secure_or_plain_on_purpose() => Err(ConfigError {
            variable,
            reason: format!(
                "must use TLS in prod: smtps://host or smtp://host?tls=required; for a relay on a trusted \
                 network, say smtp://host?tls=none on purpose (got {})",
                smtp.redacted()
            ),
        }),
        smtp => Ok(smtp),
    }
}

/// `dev` in a build with dev services (the default cargo features), `prod`
/// in a production build (`--no-default-features`): a deployment that
/// forgets `REVIEWPOINT_ENVIRONMENT` must not log reset links, sign tokens
/// with a random key per process and migrate by itself.
fn default_environment(dev_services_built: bool) -> &'static str {
    if dev_services_built { "dev" } else { "prod" }
}

/// Key material that no `Debug` output shows.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

fn seconds(value: &str, max: u64) -> Result<Duration, String> {
    match value.parse() {
        Ok(seconds) if (1..=max).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(format!("expected whole seconds from 1 to {max}, got {value:?}")),
    }
}

fn address(value: &str) -> Result<SocketAddr, String> {
    value.parse().map_err(|_| format!("expected host:port, got {value:?}"))
}

/// A variable with no default: `None` when unset or empty.
fn optional<T>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ConfigError> {
    match lookup(variable).filter(|value| !value.trim().is_empty()) {
        Some(value) => parse(value.trim()).map(Some).map_err(|reason| ConfigError { variable, reason }),
        None => Ok(None),
    }
}

fn connections(value: &str, min: usize) -> Result<usize, String> {
    match value.parse() {
        Ok(n) if (min..=1000).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to 1000, got {value:?}")),
    }
}

fn count(value: &str) -> Result<u32, String> {
    match value.parse() {
        Ok(n @ 1..=1_000_000) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to 1000000, got {value:?}")),
    }
}

/// `10.0.0.1, 10.1.0.0/16, ::1`: single addresses or CIDR ranges.
fn networks(value: &str) -> Result<Vec<ipnet::IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("expected IP addresses or CIDR ranges, got {part:?}"))
        })
        .collect()
}

/// Comma-separated URLs; a comma inside one URL's host list
/// (`postgresql://h1,h2/db`) does not start a new one: only a scheme does.
fn replica_urls(value: &str) -> Result<Vec<DatabaseUrl>, String> {
    let mut urls: Vec<String> = Vec::new();
    for part in value.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        match urls.last_mut() {
            Some(previous) if !part.contains("://") => {
                previous.push(',');
                previous.push_str(part);
            }
            _ => urls.push(part.to_owned()),
        }
    }
    urls.iter()
        .enumerate()
        .map(|(n, url)| {
            let parsed = DatabaseUrl::parse(url).map_err(|error| format!("replica {}: {error}", n + 1))?;
            // Read-your-writes compares the position read on one server with
            // the replay of the server the read runs on: both must be one.
            if parsed.connect_config().get_hosts().len() > 1 {
                return Err(format!("replica {}: names several hosts; give each replica a URL of its own", n + 1));
            }
            Ok(parsed)
        })
        .collect()
}

fn host_and_port(value: &str) -> Result<(String, u16), String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => match port.parse() {
            Ok(port) => Ok((host.trim_matches(['[', ']']).to_owned(), port)),
            Err(_) => Err(format!("expected host:port, got {value:?}")),
        },
        _ => Err(format!("expected host:port, got {value:?}")),
    }
}

/// Docker's rule for container names.
fn container_name(value: &str) -> Result<String, String> {
    let mut chars = value.chars();
    let valid = chars.next().is_some_and(|first| first.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(format!("expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got {value:?}"))
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string()))
    }

    #[test]
    fn defaults_match_the_seed() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.database.redacted(), "postgresql://postgres:***@localhost:5432/reviewpoint");
        assert_eq!(config.environment, Environment::Dev);
        assert!(!config.debug);
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert_eq!(config.pool().max_size(), 15);
        assert!(config.database_is_default);
        assert_eq!(config.dev_services, DevServices { enabled: true, probe: None, container: None });
        assert!(config.replicas.is_empty(), "no replica unless configured");
        assert_eq!(config.replica_pool().max_size(), config.pool().max_size());
        assert_eq!(config.replica_max_lag, Duration::from_millis(200));
        assert_eq!((config.token_ttl, config.refresh_ttl), (Duration::from_secs(900), Duration::from_secs(2_592_000)));
    }

    #[test]
    fn every_variable_is_read() {
        let config = config(&[
            ("REVIEWPOINT_DB_URL", "postgres://app:s3cret@db.internal:6543/rv"),
            ("REVIEWPOINT_ENVIRONMENT", "prod"),
            ("REVIEWPOINT_DEBUG", "TRUE"),
            ("REVIEWPOINT_BIND", "0.0.0.0:9000"),
            ("REVIEWPOINT_METRICS_BIND", "127.0.0.1:9100"),
            ("REVIEWPOINT_LOG", "reviewpoint=trace"),
            ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("REVIEWPOINT_SMTP_URL", "smtp://mail.internal:2525?tls=required"),
            ("REVIEWPOINT_MAIL_FROM", "Reviews <reviews@example.com>"),
            ("REVIEWPOINT_RESET_URL", "https://app.example.com/account/reset?lang=en"),
            ("REVIEWPOINT_RESET_TTL_SECONDS", "900"),
            ("REVIEWPOINT_RESET_MAX_PER_EMAIL", "2"),
            ("REVIEWPOINT_RESET_MAX_PER_CLIENT", "20"),
            ("REVIEWPOINT_RESET_WINDOW_SECONDS", "600"),
            ("REVIEWPOINT_TOKEN_TTL_SECONDS", "600"),
            ("REVIEWPOINT_REFRESH_TTL_SECONDS", "86400"),
            ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"),
            ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "50"),
            ("REVIEWPOINT_LOGIN_WINDOW_SECONDS", "60"),
            ("REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "7"),
            ("REVIEWPOINT_REGISTER_WINDOW_SECONDS", "120"),
            ("REVIEWPOINT_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
            ("REVIEWPOINT_HEAD_TIMEOUT_SECONDS", "4"),
            ("REVIEWPOINT_BODY_TIMEOUT_SECONDS", "3"),
            ("REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "30"),
            ("REVIEWPOINT_MAX_CONNECTIONS", "64"),
            ("REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "5"),
            ("REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "600"),
            (
                "REVIEWPOINT_DB_REPLICA_URLS",
                "postgresql://r1:5432/rv, postgres://u:p@r2:5433/rv?target_session_attrs=any",
            ),
            ("REVIEWPOINT_DB_REPLICA_POOL_SIZE", "3"),
            ("REVIEWPOINT_DB_REPLICA_POOL_MAX_OVERFLOW", "2"),
            ("REVIEWPOINT_REPLICA_MAX_LAG_MS", "750"),
            ("REVIEWPOINT_DEV_SERVICES", "off"),
            ("REVIEWPOINT_DEV_PROBE_ADDRESS", "127.0.0.1:6543"),
            ("REVIEWPOINT_DEV_DB_CONTAINER", "my-dev.db_1"),
        ])
        .expect("valid");
        assert_eq!(config.database.redacted(), "postgresql://app:***@db.internal:6543/rv");
        assert!(!config.database_is_default);
        let replicas: Vec<String> = config.replicas.iter().map(DatabaseUrl::redacted).collect();
        assert_eq!(replicas, ["postgresql://postgres@r1:5432/rv", "postgresql://u:***@r2:5433/rv"]);
        assert_eq!((config.replica_pool().size, config.replica_pool().max_size()), (3, 5));
        assert_eq!(config.replica_max_lag, Duration::from_millis(750));
        assert_eq!(
            config.dev_services,
            DevServices {
                enabled: false,
                probe: Some(("127.0.0.1".into(), 6543)),
                container: Some("my-dev.db_1".into())
            }
        );
        assert_eq!(config.environment, Environment::Prod);
        assert!(config.debug);
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.metrics_bind.map(|bind| bind.to_string()).as_deref(), Some("127.0.0.1:9100"));
        assert_eq!(config.log_filter.as_deref(), Some("reviewpoint=trace"));
        assert_eq!(config.jwt_secret.as_ref().map(|s| s.expose().len()), Some(32));
        assert_eq!(config.token_ttl, Duration::from_secs(600));
        assert_eq!(config.refresh_ttl, Duration::from_secs(86_400));
        assert_eq!(config.login_limits, RateLimits { per_account: 5, per_client: 50, window: Duration::from_secs(60) });
        assert_eq!(config.registration_limit, ClientLimit { per_client: 7, window: Duration::from_secs(120) });
        assert_eq!(config.trusted_proxies, ["10.0.0.0/8".parse().expect("net"), "::1/128".parse().expect("net")]);
        assert_eq!((config.body_timeout, config.idle_timeout), (Duration::from_secs(3), Duration::from_secs(30)));
        assert_eq!((config.head_timeout, config.max_connections), (Duration::from_secs(4), 64));
        assert_eq!(config.pool().statement_timeout, Duration::from_secs(5));
        assert_eq!(config.idempotency_ttl, Duration::from_secs(600));
        assert_eq!(
            config.mail.smtp.as_ref().map(SmtpUrl::redacted).as_deref(),
            Some("smtp://mail.internal:2525?tls=required")
        );
        assert_eq!(config.mail.from.to_string(), "Reviews <reviews@example.com>");
        assert_eq!(config.password_reset.link.as_str(), "https://app.example.com/account/reset?lang=en");
        assert_eq!(config.password_reset.ttl, Duration::from_secs(900));
        assert_eq!(
            config.password_reset.limits,
            RateLimits { per_account: 2, per_client: 20, window: Duration::from_secs(600) }
        );
    }

    #[test]
    fn mail_is_logged_in_dev_and_required_in_prod() {
        let dev = config(&[]).expect("valid");
        assert!(dev.mail.smtp.is_none(), "dev logs its mail unless told where to send it");
        assert_eq!(dev.password_reset, PasswordResetSettings::default());
        let prod =
            [("REVIEWPOINT_ENVIRONMENT", "prod"), ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef")];
        let error = config(&prod).expect_err("prod without SMTP");
        assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
        assert!(error.reason.contains("required in prod"), "{}", error.reason);
        let error = config(&[("REVIEWPOINT_SMTP_URL", "http://mail")]).expect_err("not SMTP");
        assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
        assert_eq!(
            config(&[("REVIEWPOINT_MAIL_FROM", "not an address")]).expect_err("bad").variable,
            "REVIEWPOINT_MAIL_FROM"
        );
        assert_eq!(
            config(&[("REVIEWPOINT_RESET_URL", "/reset")]).expect_err("relative").variable,
            "REVIEWPOINT_RESET_URL"
        );
    }

    #[test]
    fn a_production_build_runs_as_prod_unless_told_otherwise() {
        assert_eq!(default_environment(false).parse::<Environment>(), Ok(Environment::Prod));
        assert_eq!(default_environment(true).parse::<Environment>(), Ok(Environment::Dev));
        assert_eq!(config(&[]).expect("valid").environment, Environment::Dev, "this build has dev services");
    }

    #[test]
    fn prod_mails_over_tls_or_over_plain_text_only_when_told_so() {
        let prod = |smtp: &str| {
            config(&[
                ("REVIEWPOINT_ENVIRONMENT", "prod"),
                ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
                ("REVIEWPOINT_SMTP_URL", smtp),
            ])
        };
        for refused in ["smtp://u:secret@mail.example.com", "smtp://mail.example.com?tls=opportunistic"] {
            let error = prod(refused).expect_err(refused);
            assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
            assert!(error.reason.contains("must use TLS in prod") && !error.reason.contains("secret"), "{error}");
        }
        for accepted in ["smtps://mail.example.com", "smtp://mail.example.com?tls=required", "smtp://relay:25?tls=none"]
        {
            assert!(prod(accepted).is_ok(), "{accepted}");
        }
        let dev = config(&[("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:2525")]).expect("dev takes plain SMTP");
        let smtp = dev.mail.smtp.expect("set");
        assert_eq!(smtp.security(), SmtpSecurity::Plain);
        let on_purpose = SmtpUrl::parse("smtp://relay:25/hello.example?tls=none").expect("valid");
        assert_eq!(on_purpose.expose(), "smtp://relay:25/hello.example", "lettre never sees tls=none");
    }

    #[test]
    fn login_limits_default_to_ten_per_account_and_a_hundred_per_client_in_fifteen_minutes() {
        let defaults = config(&[]).expect("valid");
        assert_eq!(defaults.login_limits, RateLimits::LOGIN);
        assert_eq!(defaults.login_limits.window, Duration::from_secs(900));
        assert!(defaults.trusted_proxies.is_empty(), "no X-Forwarded-For is believed by default");
        let error = config(&[("REVIEWPOINT_TRUSTED_PROXIES", "10.0.0.0/33")]).expect_err("not a range");
        assert_eq!(error.variable, "REVIEWPOINT_TRUSTED_PROXIES");
        assert!(config(&[("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "0")]).is_err());
    }

    #[test]
    fn prod_requires_a_long_jwt_secret_and_dev_may_omit_it() {
        let error = config(&[("REVIEWPOINT_ENVIRONMENT", "prod")]).expect_err("required");
        assert_eq!(error.variable, "REVIEWPOINT_JWT_SECRET");
        let error = config(&[("REVIEWPOINT_JWT_SECRET", "short")]).expect_err("too short");
        assert_eq!(error.to_string(), "REVIEWPOINT_JWT_SECRET: must be at least 32 bytes, got 5");
        assert!(config(&[]).expect("dev").jwt_secret.is_none());
    }

    #[test]
    fn a_database_name_postgresql_cannot_have_is_refused_at_configuration() {
        let long = format!("postgresql://u@h/{}", "a".repeat(64));
        let error = config(&[("REVIEWPOINT_DB_URL", &long)]).expect_err("too long");
        assert_eq!(error.variable, "REVIEWPOINT_DB_URL");
        assert!(error.reason.contains("63"), "{error}");
        assert!(config(&[("REVIEWPOINT_DB_URL", "postgresql://u@h/Review-Point")]).is_ok(), "capitals and dashes");
    }

    #[test]
    fn a_replica_url_that_reaches_several_servers_is_refused() {
        let several = "postgresql://r1:5432/rv,postgresql://u@r2a,r2b:5433/rv";
        let error = config(&[("REVIEWPOINT_DB_REPLICA_URLS", several)]).expect_err("two hosts in one replica");
        assert_eq!(error.variable, "REVIEWPOINT_DB_REPLICA_URLS");
        assert!(error.reason.starts_with("replica 2: names several hosts"), "{error}");
    }

    #[test]
    fn sqlalchemy_asyncpg_urls_are_accepted() {
        let config = config(&[("REVIEWPOINT_DB_URL", "postgresql+asyncpg://u:p@h:5432/d")]).expect("valid");
        assert_eq!(config.database.redacted(), "postgresql://u:***@h:5432/d");
    }

    #[test]
    fn pool_sizes_follow_the_environment() {
        let secret = ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let smtp = ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:2525?tls=none");
        let sizes = |env| config(&[("REVIEWPOINT_ENVIRONMENT", env), secret, smtp]).expect("valid").pool();
        assert_eq!((sizes("prod").size, sizes("prod").max_size()), (10, 30));
        assert_eq!((sizes("dev").size, sizes("dev").max_size()), (5, 15));
        assert_eq!((sizes("test").size, sizes("test").max_size()), (1, 1));
        let configured = config(&[
            ("REVIEWPOINT_ENVIRONMENT", "prod"),
            secret,
            smtp,
            ("REVIEWPOINT_DB_POOL_SIZE", "4"),
            ("REVIEWPOINT_DB_POOL_MAX_OVERFLOW", "0"),
        ])
        .expect("valid")
        .pool();
        assert_eq!((configured.size, configured.max_size()), (4, 4));
        let error = config(&[("REVIEWPOINT_DB_POOL_SIZE", "0")]).expect_err("a pool needs a connection");
        assert_eq!(error.variable, "REVIEWPOINT_DB_POOL_SIZE");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("REVIEWPOINT_ENVIRONMENT", "staging"),
            ("REVIEWPOINT_DEBUG", "maybe"),
            ("REVIEWPOINT_DB_URL", "mysql://u:p@h/d"),
            ("REVIEWPOINT_DB_URL", "not a url"),
            ("REVIEWPOINT_BIND", "localhost"),
            ("REVIEWPOINT_TOKEN_TTL_SECONDS", "10"),
            ("REVIEWPOINT_TOKEN_TTL_SECONDS", "soon"),
            ("REVIEWPOINT_REFRESH_TTL_SECONDS", "59"),
            ("REVIEWPOINT_DEV_SERVICES", "sometimes"),
            ("REVIEWPOINT_DB_REPLICA_URLS", "postgresql://r1/rv,mysql://r2/rv"),
            ("REVIEWPOINT_REPLICA_MAX_LAG_MS", "0"),
            ("REVIEWPOINT_DEV_PROBE_ADDRESS", "localhost"),
            ("REVIEWPOINT_DEV_PROBE_ADDRESS", ":5432"),
            ("REVIEWPOINT_DEV_DB_CONTAINER", "-starts-with-a-dash"),
            ("REVIEWPOINT_DEV_DB_CONTAINER", "has space"),
        ] {
            let error = config(&[(variable, value)]).expect_err(value);
            assert_eq!(error.variable, variable);
            assert!(error.to_string().starts_with(variable), "{error}");
        }
    }

    #[test]
    fn the_password_never_prints() {
        let config = config(&[
            ("REVIEWPOINT_DB_URL", "postgresql://u:hunter22@h/d"),
            ("REVIEWPOINT_JWT_SECRET", "hunter22hunter22hunter22hunter22"),
        ])
        .expect("valid");
        let printed = format!("{config:?} {}", config.database.redacted());
        assert!(!printed.contains("hunter22"), "{printed}");
        let error = config_error_for("postgresql://u:hunter22@h:notaport/d");
        assert!(!error.contains("hunter22"), "{error}");
    }

    fn config_error_for(url: &str) -> String {
        config(&[("REVIEWPOINT_DB_URL", url)]).expect_err("invalid").to_string()
    }
}
