//! Dev services (Quarkus's name for the idea): `serve` in `dev`, with
//! `REVIEWPOINT_DB_URL` unset and nothing listening where the default URL
//! points, runs PostgreSQL in a container of this checkout's own and uses it.
//!
//! The container is started through testcontainers, like the tests' ones, but
//! kept: named and labelled for the checkout, reused by the next run (its data
//! stays), stopped when the server stops, removed by `reviewpoint dev-db rm`.
//! The image is the official one when it is present or can be pulled, else
//! the one `tests/postgres-image/build.sh` builds offline. Its port is
//! published on 127.0.0.1 only, and its password is generated when the
//! container is made and kept in the container's own environment, where the
//! next run reads it: no other machine can reach it, and no known password
//! opens it.
//!
//! Only in builds with the `dev-services` feature (a default one); production
//! builds leave it and its dependencies out (`--no-default-features`).

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use testcontainers_modules::{
    postgres::Postgres,
    testcontainers::{
        ContainerAsync, ImageExt, ReuseDirective,
        bollard::{
            self, Docker,
            query_parameters::{RemoveContainerOptions, StopContainerOptions},
        },
        runners::AsyncRunner,
    },
};

use crate::{
    config::{Config, DatabaseUrl, Environment},
    db,
};

/// Preferred: the image the PostgreSQL project publishes.
const OFFICIAL_IMAGE: Image = Image { name: "postgres", tag: "17", origin: "the official image" };
/// Built without a registry by `tests/postgres-image/build.sh`.
const OFFLINE_IMAGE: Image =
    Image { name: "reviewpoint-postgres", tag: "17", origin: "built offline by tests/postgres-image/build.sh" };
/// Marks the containers this module owns, with the checkout they belong to.
const CHECKOUT_LABEL: &str = "org.reviewpoint.dev-db.checkout";
/// How long a PostgreSQL on the probed address has to accept a connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a started container has to accept connections (a first start
/// runs initdb; a restart recovers the data directory).
const READY_WITHIN: Duration = Duration::from_secs(60);
/// `docker stop`'s grace period: PostgreSQL's fast shutdown takes well under it.
const STOP_WITHIN_SECONDS: i32 = 10;

#[derive(Clone, Copy)]
struct Image {
    name: &'static str,
    tag: &'static str,
    origin: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum DevServicesError {
    #[error(
        "no database answers at {address} and Docker cannot run one ({reason}). Either install and start \
         PostgreSQL there, set REVIEWPOINT_DB_URL to a database you have, or install and start Docker so \
         that dev can start a PostgreSQL container"
    )]
    NoDocker { address: String, reason: String },
    #[error(
        "no PostgreSQL image to start: postgres:17 is not here and cannot be pulled ({0}), and \
         reviewpoint-postgres:17 is not built. Offline, build it with `bash tests/postgres-image/build.sh`"
    )]
    NoImage(String),
    #[error("the dev database container {name}: {reason}")]
    Container { name: String, reason: String },
}

/// A database container started for this process.
pub struct DevDatabase {
    pub url: DatabaseUrl,
    container: ContainerAsync<Postgres>,
}

impl DevDatabase {
    /// Stops the container, keeping it and its data for the next run.
    pub async fn stop(self) {
        match self.container.stop_with_timeout(Some(STOP_WITHIN_SECONDS)).await {
            Ok(()) => tracing::info!(container = self.container.id(), "dev services: database container stopped"),
            Err(error) => tracing::warn!(%error, "dev services: stopping the database container failed"),
        }
    }
}

/// Whether `config` lets dev services stand in for the database at all: only
/// dev, only unconfigured, and not switched off.
pub fn allowed(config: &Config) -> bool {
    config.environment == Environment::Dev && config.database_is_default && config.dev_services.enabled
}

/// Points `config` at a database: the default one when something answers at
/// the probed address, else a container started (or restarted) for it.
/// `None` when dev services do not apply or are not needed.
pub async fn provide(config: &mut Config) -> Result<Option<DevDatabase>, DevServicesError> {
    if !allowed(config) {
        return Ok(None);
    }
    let (host, port) = config.dev_services.probe.clone().unwrap_or_else(|| config.database.host_and_port());
    if answers(&host, port).await {
        config.database = config.database.with_host_and_port(&host, port);
        return Ok(None);
    }
    let address = format!("{host}:{port}");
    let database = start(config, address).await?;
    config.database = database.url.clone();
    Ok(Some(database))
}

/// `reviewpoint dev-db stop`: false when there is no such container.
pub async fn stop(config: &Config) -> Result<bool, DevServicesError> {
    let name = container_name(config);
    let docker = docker(&name)?;
    let options = StopContainerOptions { t: Some(STOP_WITHIN_SECONDS), signal: None };
    absent_is_false(docker.stop_container(&name, Some(options)).await, &name)
}

/// `reviewpoint dev-db rm`: the container and its data; false when there is
/// no such container.
pub async fn remove(config: &Config) -> Result<bool, DevServicesError> {
    let name = container_name(config);
    let docker = docker(&name)?;
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    absent_is_false(docker.remove_container(&name, Some(options)).await, &name)
}

/// The configured name, or one that tells checkouts apart.
pub fn container_name(config: &Config) -> String {
    config.dev_services.container.clone().unwrap_or_else(|| {
        let hash = Sha256::digest(env!("CARGO_MANIFEST_DIR").as_bytes());
        let short: String = hash[..4].iter().map(|byte| format!("{byte:02x}")).collect();
        format!("reviewpoint-dev-{short}")
    })
}

async fn answers(host: &str, port: u16) -> bool {
    matches!(tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect((host, port))).await, Ok(Ok(_)))
}

async fn start(config: &Config, address: String) -> Result<DevDatabase, DevServicesError> {
    let name = container_name(config);
    let started = Instant::now();
    let no_docker = |error: bollard::errors::Error| DevServicesError::NoDocker {
        address: address.clone(),
        reason: error.to_string(),
    };
    let docker = Docker::connect_with_local_defaults().map_err(no_docker)?;
    docker.ping().await.map_err(no_docker)?;
    let existing = docker.inspect_container(&name, None).await.ok();
    // A container that exists is reused whatever image is asked for.
    let image = if existing.is_some() { OFFICIAL_IMAGE } else { choose_image(&docker).await };
    let password = match existing.as_ref().and_then(kept_password) {
        Some(kept) => kept,
        None => generated_password(),
    };
    let container = Postgres::default()
        .with_password(&password)
        .with_name(image.name)
        .with_tag(image.tag)
        .with_container_name(&name)
        .with_label(CHECKOUT_LABEL, env!("CARGO_MANIFEST_DIR"))
        .with_reuse(ReuseDirective::Always)
        .with_host_config_modifier(publish_on_loopback_only)
        .start()
        .await
        .map_err(|error| match existing.is_none() && image.name == OFFICIAL_IMAGE.name {
            true => DevServicesError::NoImage(error.to_string()),
            false => DevServicesError::Container { name: name.clone(), reason: error.to_string() },
        })?;
    let failed = |reason: String| DevServicesError::Container { name: name.clone(), reason };
    let port = container.get_host_port_ipv4(5432).await.map_err(|error| failed(error.to_string()))?;
    let url = config.database.with_host_and_port("127.0.0.1", port).with_password(&password);
    wait_until_ready(&url).await.map_err(failed)?;
    let used = match &existing {
        Some(existing) => format!(
            "reused container {name} (image {})",
            existing.config.as_ref().and_then(|config| config.image.as_deref()).unwrap_or("unknown")
        ),
        None => format!("new container {name} (image {}:{}, {})", image.name, image.tag, image.origin),
    };
    tracing::info!(
        url = %url.redacted(),
        "dev services: no database at {address}, so PostgreSQL runs in a {used}, ready in {:.1} s; \
         its password is POSTGRES_PASSWORD in the container's environment (docker inspect {name}); \
         `reviewpoint dev-db rm` removes it",
        started.elapsed().as_secs_f64()
    );
    Ok(DevDatabase { url, container })
}

/// 24 random bytes, base64url: the container's PostgreSQL password.
fn generated_password() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The password a container was made with, from its environment.
fn kept_password(container: &bollard::models::ContainerInspectResponse) -> Option<String> {
    let env = container.config.as_ref()?.env.as_ref()?;
    env.iter().find_map(|entry| entry.strip_prefix("POSTGRES_PASSWORD=")).map(str::to_owned)
}

/// Docker publishes a port on every interface unless told an address: the
/// container's PostgreSQL is for this machine only.
fn publish_on_loopback_only(host: &mut bollard::models::HostConfig) {
    let loopback = Some("127.0.0.1".to_owned());
    if let Some(bindings) = host.port_bindings.as_mut() {
        for binding in bindings.values_mut().flatten().flatten() {
            binding.host_ip.clone_from(&loopback);
        }
    }
    if host.publish_all_ports == Some(true) {
        host.publish_all_ports = Some(false);
        let any_port = bollard::models::PortBinding { host_ip: loopback, host_port: Some(String::new()) };
        host.port_bindings.get_or_insert_default().insert("5432/tcp".to_owned(), Some(vec![any_port]));
    }
}

/// The official image if present, else the offline one if built, else the
/// official one again, for testcontainers to pull.
async fn choose_image(docker: &Docker) -> Image {
    for image in [OFFICIAL_IMAGE, OFFLINE_IMAGE] {
        if docker.inspect_image(&format!("{}:{}", image.name, image.tag)).await.is_ok() {
            return image;
        }
    }
    Image { origin: "the official image, pulled", ..OFFICIAL_IMAGE }
}

/// A restarted container answers only once recovery is done: poll with real
/// connections (testcontainers waits for its log line on a first start only).
async fn wait_until_ready(url: &DatabaseUrl) -> Result<(), String> {
    let server = url.with_database("postgres");
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        match db::connect_once(&server).await {
            Ok(_) => return Ok(()),
            Err(error) if Instant::now() > deadline => {
                return Err(format!("not ready within {} s: {error}", READY_WITHIN.as_secs()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn docker(name: &str) -> Result<Docker, DevServicesError> {
    Docker::connect_with_local_defaults()
        .map_err(|error| DevServicesError::Container { name: name.to_owned(), reason: error.to_string() })
}

fn absent_is_false(result: Result<(), bollard::errors::Error>, name: &str) -> Result<bool, DevServicesError> {
    use bollard::errors::Error;
    match result {
        Ok(()) => Ok(true),
        // 304: already stopped; 404: no such container.
        Err(Error::DockerResponseServerError { status_code: 304, .. }) => Ok(true),
        Err(Error::DockerResponseServerError { status_code: 404, .. }) => Ok(false),
        Err(error) => Err(DevServicesError::Container { name: name.to_owned(), reason: error.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        // What prod requires besides.
        let secret = ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let smtp = ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:2525?tls=none");
        Config::from_lookup(|name| {
            vars.iter().chain([&secret, &smtp]).find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
        })
        .expect("valid")
    }

    #[test]
    fn only_dev_with_no_database_configured_may_start_a_container() {
        assert!(allowed(&config(&[])), "dev is the default environment");
        assert!(!allowed(&config(&[("REVIEWPOINT_ENVIRONMENT", "test")])));
        assert!(!allowed(&config(&[("REVIEWPOINT_ENVIRONMENT", "prod")])));
        assert!(!allowed(&config(&[("REVIEWPOINT_DB_URL", "postgresql://u@h/d")])), "a configured database is used");
        assert!(!allowed(&config(&[("REVIEWPOINT_DEV_SERVICES", "false")])), "switched off");
    }

    #[test]
    fn the_container_name_is_per_checkout_unless_configured() {
        let derived = container_name(&config(&[]));
        assert!(derived.starts_with("reviewpoint-dev-") && derived.len() == "reviewpoint-dev-".len() + 8);
        assert_eq!(derived, container_name(&config(&[])), "the same checkout, the same container");
        assert_eq!(container_name(&config(&[("REVIEWPOINT_DEV_DB_CONTAINER", "mine")])), "mine");
    }
}
