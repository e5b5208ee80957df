//! TLS to PostgreSQL, as a database URL asks for it: libpq's `sslmode` and
//! `sslrootcert` parameters, which tokio-postgres itself does not take in
//! full (it knows neither `verify-ca` nor `verify-full`, nor root files).

use std::{fmt, str::FromStr, sync::Arc};

use rustls::pki_types::{CertificateDer, pem::PemObject};

/// libpq's `sslmode`, with libpq's meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, else plain text; the certificate is
    /// not checked. libpq's default, and so ours.
    #[default]
    Prefer,
    /// TLS or no connection; the certificate is not checked (unless
    /// `sslrootcert` names roots, as libpq does: then as `verify-ca`).
    Require,
    /// TLS, with a certificate signed by a trusted root.
    VerifyCa,
    /// TLS, with a certificate signed by a trusted root and issued for the
    /// host connected to. What production should use.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "disable" => Ok(Self::Disable),
            "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            _ => Err(format!("sslmode must be disable, prefer, require, verify-ca or verify-full, got {value:?}")),
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        })
    }
}

/// The TLS settings of one database URL.
#[derive(Clone, Debug, Default)]
pub struct DatabaseTls {
    pub mode: SslMode,
    /// The roots a certificate must chain to; `None` when it is not checked.
    pub roots: Option<TrustedRoots>,
}

/// Root certificates, and where they came from (for logs and errors).
#[derive(Clone)]
pub struct TrustedRoots {
    pub source: String,
    pub certificates: Arc<[CertificateDer<'static>]>,
}

impl fmt::Debug for TrustedRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustedRoots({}, {} certificates)", self.source, self.certificates.len())
    }
}

impl DatabaseTls {
    /// From the URL's `sslmode` and `sslrootcert` (already percent-decoded):
    /// a file of PEM certificates, or `system` for the system's roots, which
    /// `verify-ca` and `verify-full` use when `sslrootcert` is absent. The
    /// roots are read here, so a missing or empty file stops startup.
    pub fn new(mode: Option<&str>, root_cert: Option<&str>) -> Result<Self, String> {
        let mut mode = mode.map(str::parse).transpose()?.unwrap_or_default();
        let roots = match (mode, root_cert) {
            (SslMode::Disable, _) => None,
            (SslMode::Prefer, None) | (SslMode::Require, None) => None,
            (SslMode::VerifyCa | SslMode::VerifyFull, None) | (_, Some("system")) => Some(system_roots()?),
            (_, Some(path)) => Some(roots_from_file(path)?),
        };
        if mode == SslMode::Require && roots.is_some() {
            mode = SslMode::VerifyCa;
        }
        Ok(Self { mode, roots })
    }
}

fn roots_from_file(path: &str) -> Result<TrustedRoots, String> {
    let certificates: Vec<_> = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect)
        .map_err(|error| format!("sslrootcert {path:?} cannot be read as PEM certificates: {error}"))?;
    if certificates.is_empty() {
        return Err(format!("sslrootcert {path:?} holds no certificate"));
    }
    Ok(TrustedRoots { source: path.to_owned(), certificates: certificates.into() })
}

fn system_roots() -> Result<TrustedRoots, String> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(format!(
            "no system root certificates were found ({:?}); name a file with sslrootcert",
            found.errors
        ));
    }
    Ok(TrustedRoots { source: "system".to_owned(), certificates: found.certs.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_as_libpq_names_them_and_prefer_is_the_default() {
        assert_eq!(DatabaseTls::new(None, None).expect("valid").mode, SslMode::Prefer);
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert_eq!(mode.parse::<SslMode>().expect("valid").to_string(), mode);
        }
        let error = DatabaseTls::new(Some("verify_full"), None).expect_err("not a mode");
        assert!(error.contains("sslmode"), "{error}");
    }

    #[test]
    fn a_root_file_that_is_missing_or_holds_no_certificate_is_refused() {
        let missing = DatabaseTls::new(Some("verify-full"), Some("/nonexistent/root.crt")).expect_err("missing");
        assert!(missing.contains("sslrootcert") && missing.contains("/nonexistent/root.crt"), "{missing}");
        let empty = std::env::temp_dir().join(format!("reviewpoint-empty-{}.crt", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let error = DatabaseTls::new(Some("verify-ca"), empty.to_str()).expect_err("empty");
        std::fs::remove_file(&empty).expect("remove");
        assert!(error.contains("no certificate"), "{error}");
    }
}
