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
    let check = match (&tls.roots, tls.mode) {
        (Some(roots), mode @ (SslMode::VerifyCa | SslMode::VerifyFull)) => {
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(roots.certificates.iter().cloned());
            match WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone()).build() {
                Ok(chain) => Check::Chain { chain, host_name: mode == SslMode::VerifyFull },
                Err(error) => {
                    tracing::error!(%error, roots = %roots.source, "no usable TLS root for the database");
                    Check::RefuseAll
                }
            }
        }
        _ => Check::Nothing,
    };
    let verifier = Arc::new(Verifier { check, provider });
    let config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// What is checked of the server's certificate. The handshake's signatures
/// are checked in every case, so the server holds the key it presents.
#[derive(Debug)]
enum Check {
    /// `prefer` and `require`: any certificate, as libpq accepts.
    Nothing,
    /// `verify-ca` (the chain) and `verify-full` (the chain and the host name).
    Chain { chain: Arc<WebPkiServerVerifier>, host_name: bool },
    /// A verify mode whose roots hold no usable certificate.
    RefuseAll,
}

#[derive(Debug)]
struct Verifier {
    check: Check,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        let (chain, host_name) = match &self.check {
            Check::Nothing => return Ok(ServerCertVerified::assertion()),
            Check::RefuseAll => return Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            Check::Chain { chain, host_name } => (chain, *host_name),
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !host_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
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
