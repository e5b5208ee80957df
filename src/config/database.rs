//! The database settings: its URL (password kept out of every printout), the
//! environment, and the pool limits each environment gets.

use std::{fmt, str::FromStr, time::Duration};

use tokio_postgres::config::SslMode as DriverSslMode;

use super::tls::{DatabaseTls, SslMode};

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
    tls: DatabaseTls,
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
        let (url, tls) = take_tls_parameters(&url)?;
        let mut config: tokio_postgres::Config = url
            .parse()
            // The driver's message may quote the URL, password included: keep only our own.
            .map_err(|_| "not a valid postgresql:// URL".to_owned())?;
        if config.get_hosts().is_empty() {
            return Err("the URL names no host".into());
        }
        if let Some(name) = config.get_dbname() {
            if name.contains('\0') {
                return Err("the database name contains U+0000".into());
            }
            if name.len() > 63 {
                return Err(format!("the database name is {} bytes; PostgreSQL allows 63", name.len()));
            }
        }
        config.ssl_mode(match tls.mode {
            SslMode::Disable => DriverSslMode::Disable,
            SslMode::Prefer => DriverSslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => DriverSslMode::Require,
        });
        Ok(Self { config, tls })
    }

    pub fn connect_config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    pub fn tls(&self) -> &DatabaseTls {
        &self.tls
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
        Self { config, tls: self.tls.clone() }
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
        config.ssl_mode(self.config.get_ssl_mode());
        Self { config, tls: self.tls.clone() }
    }

    /// The same URL with another password (dev services generate theirs).
    pub fn with_password(&self, password: &str) -> Self {
        let mut config = self.config.clone();
        config.password(password);
        Self { config, tls: self.tls.clone() }
    }

    /// The same URL in plain text (`sslmode=disable`): for a connection
    /// through something that reads the protocol, such as the tests' fault
    /// proxy, which cuts a connection after a given statement.
    pub fn without_tls(&self) -> Self {
        let mut config = self.config.clone();
        config.ssl_mode(DriverSslMode::Disable);
        Self { config, tls: DatabaseTls { mode: SslMode::Disable, roots: None } }
    }

    /// `postgresql://user:***@host:port/db` (every host, when there are
    /// several), safe to log.
    pub fn redacted(&self) -> String {
        let ports = self.config.get_ports();
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(n, host)| {
                let host = match host {
                    tokio_postgres::config::Host::Tcp(host) => host.clone(),
                    #[cfg(unix)]
                    tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                };
                // One port applies to every host; otherwise one each.
                let port = ports.get(n).or(ports.first()).copied().unwrap_or(5432);
                format!("{host}:{port}")
            })
            .collect();
        let password = if self.config.get_password().is_some() { ":***" } else { "" };
        let tls = match (&self.tls.mode, &self.tls.roots) {
            (SslMode::Prefer, _) => String::new(),
            (mode, Some(roots)) => format!("?sslmode={mode}&sslrootcert={}", roots.source),
            (mode, None) => format!("?sslmode={mode}"),
        };
        format!("postgresql://{}{password}@{}/{}{tls}", self.user(), hosts.join(","), self.database_name())
    }
}

/// The URL without `sslmode` and `sslrootcert`, and the TLS settings they
/// give: tokio-postgres refuses `verify-ca`, `verify-full` and root files.
fn take_tls_parameters(url: &str) -> Result<(String, DatabaseTls), String> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), DatabaseTls::default())) };
    let (mut mode, mut root_cert, mut kept) = (None, None, Vec::new());
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let decoded = url::form_urlencoded::parse(pair.as_bytes()).next();
        match decoded {
            Some((key, value)) if key == "sslmode" => mode = Some(value.into_owned()),
            Some((key, value)) if key == "sslrootcert" => root_cert = Some(value.into_owned()),
            _ => kept.push(pair),
        }
    }
    let tls = DatabaseTls::new(mode.as_deref(), root_cert.as_deref())?;
    let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, tls))
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `dev` in a build with dev services (the default cargo features), `prod`
/// in a production build (`--no-default-features`): a deployment that
/// forgets `REVIEWPOINT_ENVIRONMENT` must not log reset links, sign tokens
/// with a random key per process and migrate by itself.
pub(super) fn default_environment(dev_services_built: bool) -> &'static str {
    if dev_services_built { "dev" } else { "prod" }
}

/// Comma-separated URLs; a comma inside one URL's host list
/// (`postgresql://h1,h2/db`) does not start a new one: only a scheme does.
pub(super) fn replica_urls(value: &str) -> Result<Vec<DatabaseUrl>, String> {
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
