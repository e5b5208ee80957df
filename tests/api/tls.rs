//! TLS to PostgreSQL, every `sslmode` against a real server that offers TLS
//! with a certificate from the test's own CA (a container of the test image,
//! given the certificate through POSTGRES_SSL_CERT / POSTGRES_SSL_KEY).

use std::{path::PathBuf, process::Stdio};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use reviewpoint::{
    config::{DatabaseUrl, Environment},
    db::{self, DbError},
};
use testcontainers_modules::{
    postgres::Postgres,
    testcontainers::{ContainerAsync, ImageExt, runners::AsyncRunner},
};

use crate::helpers::{DEFAULT_IMAGE, remove_when_this_process_exits};

/// A CA of the test's own, as a PEM file, and its issuer.
struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
    file: PathBuf,
}

impl Authority {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("a CA");
        let file = std::env::temp_dir().join(format!("reviewpoint-{name}-{}.crt", std::process::id()));
        std::fs::write(&file, issuer.pem()).expect("write the CA");
        Self { issuer, file }
    }
}

impl Drop for Authority {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// A server offering TLS with a certificate from `authority` for the
/// names `db.test` and 127.0.0.1 (not `localhost`).
async fn server_with_tls(authority: &Authority) -> ContainerAsync<Postgres> {
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(vec!["db.test".to_owned(), "127.0.0.1".to_owned()]).expect("params");
    let certificate = params.signed_by(&key, &authority.issuer).expect("a server certificate");
    let image = std::env::var("REVIEWPOINT_TEST_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
    let (name, tag) = image.rsplit_once(':').unwrap_or((&image, "latest"));
    let container = Postgres::default()
        .with_name(name)
        .with_tag(tag)
        .with_label("reviewpoint.test", "true")
        .with_env_var("POSTGRES_SSL_CERT", certificate.pem())
        .with_env_var("POSTGRES_SSL_KEY", key.serialize_pem())
        .start()
        .await
        .unwrap_or_else(|error| panic!("a PostgreSQL container of {image}: {error}"));
    remove_when_this_process_exits(container.id());
    container
}

fn url(host: &str, port: u16, tls: &str) -> DatabaseUrl {
    DatabaseUrl::parse(&format!("postgresql://postgres:postgres@{host}:{port}/postgres?{tls}")).expect("valid URL")
}

/// Whether the connection `url` makes is encrypted, as the server sees it.
async fn encrypted(url: &DatabaseUrl) -> Result<bool, DbError> {
    let client = db::connect_once(url).await?;
    let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await?;
    Ok(row.get(0))
}

/// The error and every cause under it, as an operator reads it in the log.
fn whole(error: &DbError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn every_sslmode_connects_as_libpq_would_and_a_foreign_root_is_refused_naming_tls_and_the_certificate() {
    let (ours, foreign) = (Authority::new("reviewpoint-test-ca"), Authority::new("someone-elses-ca"));
    let server = server_with_tls(&ours).await;
    let port = server.get_host_port_ipv4(5432).await.expect("mapped port");
    let (root, other_root) = (ours.file.display(), foreign.file.display());

    assert!(!encrypted(&url("127.0.0.1", port, "sslmode=disable")).await.expect("disable connects"));
    assert!(encrypted(&url("127.0.0.1", port, "sslmode=prefer")).await.expect("prefer"), "prefer uses the TLS offered");
    assert!(encrypted(&url("127.0.0.1", port, "")).await.expect("the default"), "the default is prefer");
    assert!(encrypted(&url("127.0.0.1", port, "sslmode=require")).await.expect("require connects"));
    let full = url("127.0.0.1", port, &format!("sslmode=verify-full&sslrootcert={root}"));
    assert!(encrypted(&full).await.expect("verify-full with the right root"));
    let any_name = url("localhost", port, &format!("sslmode=verify-ca&sslrootcert={root}"));
    assert!(encrypted(&any_name).await.expect("verify-ca does not check the host name"));

    for (what, refused) in [
        ("a foreign root", url("127.0.0.1", port, &format!("sslmode=verify-full&sslrootcert={other_root}"))),
        ("another host name", url("localhost", port, &format!("sslmode=verify-full&sslrootcert={root}"))),
        ("require with a foreign root", url("127.0.0.1", port, &format!("sslmode=require&sslrootcert={other_root}"))),
    ] {
        let error = encrypted(&refused).await.expect_err(what);
        let message = whole(&error);
        println!("{what}: {message}");
        assert!(message.contains("TLS") && message.contains("certificate"), "{what}: {message}");
        assert!(matches!(error, DbError::Unavailable { retry: db::Retry::No, .. }), "{what}: not retried: {error:?}");
    }

    let refused = format!(
        "postgresql://postgres:postgres@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={}",
        foreign.file.display()
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpoint"))
        .args(["migrate", "status"])
        .env("REVIEWPOINT_DB_URL", &refused)
        .env("REVIEWPOINT_ENVIRONMENT", "test")
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("the binary, given a root that did not sign the server's certificate: {stderr}");
    assert!(!output.status.success());
    assert!(stderr.contains("TLS") && stderr.contains("certificate"), "the startup error names TLS: {stderr}");
    assert!(!stderr.contains("postgres:postgres@"), "no password in the error: {stderr}");

    // The service's own pool, as `serve` builds it.
    let pool = db::build_pool(&full, Environment::Test.pool());
    let connection = pool.get().await.expect("a pooled connection over verify-full");
    let row = connection.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await;
    assert!(row.expect("asked").get::<_, bool>(0));
}

#[tokio::test]
async fn require_refuses_a_server_that_offers_no_tls() {
    let plain = crate::helpers::container().await;
    let port = plain.get_host_port_ipv4(5432).await.expect("mapped port");

    let error = encrypted(&url("127.0.0.1", port, "sslmode=require")).await.expect_err("no TLS offered");
    assert!(whole(&error).contains("TLS"), "{}", whole(&error));
}
