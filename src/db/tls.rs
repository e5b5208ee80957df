//! The TLS connector for a database URL's `sslmode`: rustls (with ring, as
//! the rest of the build), through tokio-postgres-rustls, which adds
//! SCRAM channel binding on top.
//!
//! `prefer` and `require` encrypt without checking the certificate, as libpq
//! does; `verify-ca` checks that it chains to a trusted root; `verify-full`
//! also that it names the host connected to.

use std::sync::Arc;

use rustls::{
    ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    client::{
        WebPkiServerVerifier,
        danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    },
    crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature},
    pki_types::{CertificateDer, ServerName, UnixTime},
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::config::{DatabaseTls, SslMode};

/// The connector every connection to this database uses.
pub fn connector(tls: &DatabaseTls) -> MakeRustlsConnect {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    let verifier: Arc<dyn ServerCertVerifier> = match (&tls.roots, tls.mode) {
        (Some(roots), mode @ (SslMode::VerifyCa | SslMode::VerifyFull)) => {
            let mut store = RootCertStore::empty();
            let (added, _unusable) = store.add_parsable_certificates(roots.certificates.iter().cloned());
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone()).build();
            match webpki {
                Ok(webpki) if mode == SslMode::VerifyFull => webpki,
                Ok(webpki) => Arc::new(AnyHostName(webpki)),
                // No usable root among them: every certificate is refused.
                Err(error) => {
                    tracing::error!(%error, roots = %roots.source, added, "no usable TLS root for the database");
                    Arc::new(Unverified { provider, refuse: true })
                }
            }
        }
        _ => Arc::new(Unverified { provider, refuse: false }),
    };
    let config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct AnyHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: any certificate, as libpq accepts (the handshake's
/// signatures are still checked, so the server holds the key it presents).
#[derive(Debug)]
struct Unverified {
    provider: Arc<CryptoProvider>,
    /// Refuse every certificate instead (verify modes with no usable root).
    refuse: bool,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.refuse {
            return Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
