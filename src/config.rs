//! Every `REVIEWPOINT_*` variable, read once at startup into typed values.
//!
//! | variable                  | default                                                | meaning |
//! |---------------------------|--------------------------------------------------------|---------|
//! | `REVIEWPOINT_DB_URL`      | `postgresql://postgres:postgres@localhost:5432/reviewpoint` | the database; `postgres://`, `postgresql://` and the seed's SQLAlchemy-style `postgresql+asyncpg://` are accepted |
//! | `REVIEWPOINT_ENVIRONMENT` | `dev`                                                  | `dev`, `test` or `prod`: pool sizes, log format, whether `serve` migrates |
//! | `REVIEWPOINT_DEBUG`       | `false`                                                | `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`): debug-level logs |
//! | `REVIEWPOINT_BIND`        | `127.0.0.1:8080`                                       | the address `serve` listens on |
//! | `REVIEWPOINT_LOG`         | unset                                                  | overrides the log filter (`tracing` `EnvFilter` syntax) |
//! | `REVIEWPOINT_JWT_SECRET`  | prod: required; dev/test: random per process           | the HS256 key for bearer tokens, at least 32 bytes |
//! | `REVIEWPOINT_TOKEN_TTL_SECONDS` | `3600`                                           | lifetime of an issued token, 60 to 86400 |
//! | `REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT` | `10`                                | failed logins for one email within a window before it is locked (429) until the window ends |
//! | `REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT` | `100`                                | the same for one client address |
//! | `REVIEWPOINT_LOGIN_WINDOW_SECONDS` | `900`                                         | the window, 1 to 86400 seconds; also the longest a lock lasts |
//! | `REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS` | `30`                                 | the longest one statement may run, 1 to 600; the client gives up one second later |
//! | `REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS` | `86400`                                   | how long an `Idempotency-Key` is remembered, 1 to 604800 |
//! | `REVIEWPOINT_BODY_TIMEOUT_SECONDS` | `10`                                         | the longest a request body may take to arrive (then 408), 1 to 600 |
//! | `REVIEWPOINT_IDLE_TIMEOUT_SECONDS` | `75`                                         | a connection with no traffic for this long is closed, 1 to 3600; above a load balancer's own idle timeout (60 s is common) |
//! | `REVIEWPOINT_TRUSTED_PROXIES` | unset                                              | comma-separated addresses or CIDR ranges of proxies whose `X-Forwarded-For` names the client; unset, the peer address is the client |
//!
//! A `.env` file in the working directory is read first if present (`main`
//! does it); real environment variables win over it. An invalid value stops
//! startup with an error naming the variable. The database password never
//! appears in `Debug` output or logs: use [`DatabaseUrl::redacted`].
//!
//! This module imports nothing of ours.

use std::{fmt, net::SocketAddr, str::FromStr, time::Duration};

pub const DEFAULT_DB_URL: &str = "postgresql://postgres:postgres@localhost:5432/reviewpoint";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseUrl,
    pub environment: Environment,
    pub debug: bool,
    pub bind: SocketAddr,
    pub log_filter: Option<String>,
    /// `None` in dev and test when unset: startup generates one per process.
    pub jwt_secret: Option<Secret>,
    pub token_ttl: Duration,
    pub login_limits: LoginLimits,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub idempotency_ttl: Duration,
    pub statement_timeout: Duration,
    /// Peers whose `X-Forwarded-For` is believed (load balancers); none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// How many failed logins lock an account or a client address, and for how
/// long: counted in fixed windows, a lock lasts until its window ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_account: u32,
    pub per_client: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    /// Never in a person's way (ten mistyped passwords in fifteen minutes),
    /// and never in a test suite's from one address.
    fn default() -> Self {
        Self { per_account: 10, per_client: 100, window: Duration::from_secs(900) }
    }
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
        let environment = parse(&lookup, "REVIEWPOINT_ENVIRONMENT", "dev", str::parse)?;
        Ok(Self {
            database: parse(&lookup, "REVIEWPOINT_DB_URL", DEFAULT_DB_URL, DatabaseUrl::parse)?,
            environment,
            debug: parse(&lookup, "REVIEWPOINT_DEBUG", "false", parse_bool)?,
            bind: parse(&lookup, "REVIEWPOINT_BIND", DEFAULT_BIND, |value| {
                value.parse().map_err(|_| format!("expected host:port, got {value:?}"))
            })?,
            log_filter: lookup("REVIEWPOINT_LOG").filter(|value| !value.trim().is_empty()),
            jwt_secret: jwt_secret(&lookup, environment)?,
            token_ttl: parse(&lookup, "REVIEWPOINT_TOKEN_TTL_SECONDS", "3600", |value| match value.parse() {
                Ok(seconds @ 60..=86_400) => Ok(Duration::from_secs(seconds)),
                _ => Err(format!("expected whole seconds from 60 to 86400, got {value:?}")),
            })?,
            login_limits: LoginLimits {
                per_account: parse(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10", count)?,
                per_client: parse(&lookup, "REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "100", count)?,
                window: parse(&lookup, "REVIEWPOINT_LOGIN_WINDOW_SECONDS", "900", |value| seconds(value, 86_400))?,
            },
            body_timeout: parse(&lookup, "REVIEWPOINT_BODY_TIMEOUT_SECONDS", "10", |value| seconds(value, 600))?,
            idle_timeout: parse(&lookup, "REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "75", |value| seconds(value, 3600))?,
            idempotency_ttl: parse(&lookup, "REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "86400", |value| {
                seconds(value, 604_800)
            })?,
            statement_timeout: parse(&lookup, "REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "30", |value| {
                seconds(value, 600)
            })?,
            trusted_proxies: parse(&lookup, "REVIEWPOINT_TRUSTED_PROXIES", "", networks)?,
        })
    }

    pub fn pool(&self) -> PoolSettings {
        PoolSettings { statement_timeout: self.statement_timeout, ..self.environment.pool() }
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

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "dev" | "development" => Ok(Self::Dev),
            "test" => Ok(Self::Test),
            "prod" | "production" => Ok(Self::Prod),
            _ => Err(format!("expected dev, test or prod, got {value:?}")),
        }
    }
}

impl Environment {
    /// The seed's pool sizes, mapped onto deadpool (see [`PoolSettings`]).
    pub fn pool(self) -> PoolSettings {
        let (size, overflow) = match self {
            Self::Prod => (10, 20),
            Self::Dev => (5, 10),
            // The seed used no pooling in tests: one connection per test database.
            Self::Test => (1, 0),
        };
        PoolSettings {
            size,
            overflow,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            recycle_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(300),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// Pool limits for one environment.
///
/// SQLAlchemy's `pool_size + max_overflow` maps onto deadpool as
/// `max_size = size + overflow`: up to `size` connections stay open, and
/// idle connections above `size` are closed after `idle_timeout`. deadpool's
/// timeouts all default to "wait forever", so each one is set: a request waits
/// at most `wait_timeout` for a free connection (then 503 + Retry-After).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    pub size: usize,
    pub overflow: usize,
    pub wait_timeout: Duration,
    pub connect_timeout: Duration,
    pub recycle_timeout: Duration,
    pub idle_timeout: Duration,
    /// Server-side bound on one statement, so a runaway query cannot hold a connection.
    pub statement_timeout: Duration,
}

impl PoolSettings {
    pub fn max_size(&self) -> usize {
        self.size + self.overflow
    }
}

/// The database URL, parsed; its password is kept out of every printout.
#[derive(Clone)]
pub struct DatabaseUrl {
    config: tokio_postgres::Config,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        // The seed's SQLAlchemy URLs name a driver after `+`: postgresql+asyncpg://…
        let url = match url.split_once("://") {
            Some((scheme, rest)) => match scheme.split_once('+') {
                Some(("postgresql" | "postgres", _driver)) => format!("postgresql://{rest}"),
                _ if matches!(scheme, "postgresql" | "postgres") => url.to_owned(),
                _ => return Err(format!("unsupported scheme {scheme:?}, expected postgresql://")),
            },
            None => return Err("expected a URL such as postgresql://user:password@host:5432/db".into()),
        };
        let config: tokio_postgres::Config = url
            .parse()
            // The driver's message may quote the URL, password included: keep only our own.
            .map_err(|_| "not a valid postgresql:// URL".to_owned())?;
        if config.get_hosts().is_empty() {
            return Err("the URL names no host".into());
        }
        Ok(Self { config })
    }

    pub fn connect_config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    pub fn database_name(&self) -> &str {
        self.config.get_dbname().unwrap_or_else(|| self.user())
    }

    fn user(&self) -> &str {
        self.config.get_user().unwrap_or("postgres")
    }

    /// The same server, another database (the dev bootstrap and tests use it).
    pub fn with_database(&self, name: &str) -> Self {
        let mut config = self.config.clone();
        config.dbname(name);
        Self { config }
    }

    /// The first host (or socket folder) and port.
    pub fn host_and_port(&self) -> (String, u16) {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        (host, self.config.get_ports().first().copied().unwrap_or(5432))
    }

    /// The same database and credentials at another address.
    pub fn with_host_and_port(&self, host: &str, port: u16) -> Self {
        // tokio-postgres only appends hosts, so copy what matters into a new config.
        let mut config = tokio_postgres::Config::new();
        config.host(host).port(port);
        if let Some(user) = self.config.get_user() {
            config.user(user);
        }
        if let Some(password) = self.config.get_password() {
            config.password(password);
        }
        if let Some(dbname) = self.config.get_dbname() {
            config.dbname(dbname);
        }
        if let Some(options) = self.config.get_options() {
            config.options(options);
        }
        Self { config }
    }

    /// `postgresql://user:***@host:port/db`, safe to log.
    pub fn redacted(&self) -> String {
        let (host, port) = self.host_and_port();
        let password = if self.config.get_password().is_some() { ":***" } else { "" };
        format!("postgresql://{}{password}@{host}:{port}/{}", self.user(), self.database_name())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
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
    }

    #[test]
    fn every_variable_is_read() {
        let config = config(&[
            ("REVIEWPOINT_DB_URL", "postgres://app:s3cret@db.internal:6543/rv"),
            ("REVIEWPOINT_ENVIRONMENT", "prod"),
            ("REVIEWPOINT_DEBUG", "TRUE"),
            ("REVIEWPOINT_BIND", "0.0.0.0:9000"),
            ("REVIEWPOINT_LOG", "reviewpoint=trace"),
            ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("REVIEWPOINT_TOKEN_TTL_SECONDS", "900"),
            ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"),
            ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "50"),
            ("REVIEWPOINT_LOGIN_WINDOW_SECONDS", "60"),
            ("REVIEWPOINT_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
            ("REVIEWPOINT_BODY_TIMEOUT_SECONDS", "3"),
            ("REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "30"),
            ("REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "5"),
            ("REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "600"),
        ])
        .expect("valid");
        assert_eq!(config.database.redacted(), "postgresql://app:***@db.internal:6543/rv");
        assert_eq!(config.environment, Environment::Prod);
        assert!(config.debug);
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.log_filter.as_deref(), Some("reviewpoint=trace"));
        assert_eq!(config.jwt_secret.as_ref().map(|s| s.expose().len()), Some(32));
        assert_eq!(config.token_ttl, Duration::from_secs(900));
        assert_eq!(
            config.login_limits,
            LoginLimits { per_account: 5, per_client: 50, window: Duration::from_secs(60) }
        );
        assert_eq!(config.trusted_proxies, ["10.0.0.0/8".parse().expect("net"), "::1/128".parse().expect("net")]);
        assert_eq!((config.body_timeout, config.idle_timeout), (Duration::from_secs(3), Duration::from_secs(30)));
        assert_eq!(config.pool().statement_timeout, Duration::from_secs(5));
        assert_eq!(config.idempotency_ttl, Duration::from_secs(600));
    }

    #[test]
    fn login_limits_default_to_ten_per_account_and_a_hundred_per_client_in_fifteen_minutes() {
        let defaults = config(&[]).expect("valid");
        assert_eq!(defaults.login_limits, LoginLimits::default());
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
    fn sqlalchemy_asyncpg_urls_are_accepted() {
        let config = config(&[("REVIEWPOINT_DB_URL", "postgresql+asyncpg://u:p@h:5432/d")]).expect("valid");
        assert_eq!(config.database.redacted(), "postgresql://u:***@h:5432/d");
    }

    #[test]
    fn pool_sizes_follow_the_environment() {
        let secret = ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let sizes = |env| config(&[("REVIEWPOINT_ENVIRONMENT", env), secret]).expect("valid").pool();
        assert_eq!((sizes("prod").size, sizes("prod").max_size()), (10, 30));
        assert_eq!((sizes("dev").size, sizes("dev").max_size()), (5, 15));
        assert_eq!((sizes("test").size, sizes("test").max_size()), (1, 1));
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
