//! What the harness trusts when it talks TLS to a portal: the run's own CA,
//! and the target's `ca_file`. A `ca_file` certificate may be a CA (trusted
//! as an anchor) or the portal's own self-signed certificate, what
//! `openssl req -x509` makes, whose key is then pinned, here and in
//! Chromium. Any other certificate is refused with what to give instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use thiserror::Error;

use crate::world::spki::{cert_parts, pin_of};

/// Why a `ca_file` cannot be trusted.
#[derive(Debug, Error)]
pub enum TrustError {
    #[error("`ca_file` {path} is not PEM")]
    Pem {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`ca_file` {path} holds no certificate: give the PEM certificate of the CA that issued the portal's certificate, or the portal's own self-signed certificate")]
    Empty { path: PathBuf },
    #[error("`ca_file` {path}: certificate {index} is not X.509")]
    NotX509 { path: PathBuf, index: usize },
    #[error("`ca_file` {path}: the certificate for {subject} is neither a CA nor self-signed (it was issued by someone else): give the certificate of the CA that issued it, or serve the portal with a self-signed certificate (e.g. `openssl req -x509`) and give that")]
    EndEntity { path: PathBuf, subject: String },
    #[error("the trust anchors were refused by rustls")]
    Anchors(#[source] rustls::Error),
    #[error("the TLS verifier could not be built")]
    Verifier(#[source] rustls::client::VerifierBuilderError),
}

/// The certificates the harness trusts and the keys it pins.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    roots: Vec<CertificateDer<'static>>,
    /// SubjectPublicKeyInfo DER of self-signed certificates the target gave.
    pinned: Vec<Vec<u8>>,
}

impl Trust {
    /// Trusts `ca` as an anchor (the run's own CA).
    pub fn with_root(ca: CertificateDer<'static>) -> Trust {
        Trust {
            roots: vec![ca],
            pinned: Vec::new(),
        }
    }

    /// Adds every certificate of a target's `ca_file`: a self-signed one is
    /// both an anchor (a root CA) and a pinned key (a self-signed leaf); a
    /// CA issued by another is an anchor; anything else is an error.
    pub fn add_ca_file(&mut self, path: &Path, pem: &str) -> Result<(), TrustError> {
        let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|source| TrustError::Pem {
                path: path.to_path_buf(),
                source,
            })?;
        if certs.is_empty() {
            return Err(TrustError::Empty {
                path: path.to_path_buf(),
            });
        }
        for (index, cert) in certs.into_iter().enumerate() {
            let parts = cert_parts(&cert).ok_or_else(|| TrustError::NotX509 {
                path: path.to_path_buf(),
                index: index + 1,
            })?;
            if parts.self_issued() {
                self.pinned.push(parts.spki.to_vec());
            } else if !parts.is_ca {
                return Err(TrustError::EndEntity {
                    path: path.to_path_buf(),
                    subject: parts
                        .common_name()
                        .unwrap_or_else(|| "(no common name)".into()),
                });
            }
            self.roots.push(cert);
        }
        Ok(())
    }

    /// The Chromium pins of the keys the target's `ca_file` pinned.
    pub fn pins(&self) -> Vec<String> {
        self.pinned.iter().map(|spki| pin_of(spki)).collect()
    }

    /// A rustls client configuration (ring) that accepts a pinned key, or
    /// else a chain to one of the anchors.
    pub fn client_config(&self) -> Result<ClientConfig, TrustError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for cert in &self.roots {
            roots.add(cert.clone()).map_err(TrustError::Anchors)?;
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(TrustError::Verifier)?;
        let accepts = Accepts::PinnedOrAnchored {
            webpki,
            pinned: self.pinned.clone(),
        };
        config_accepting(accepts, provider)
    }

    /// A rustls client configuration (ring) that accepts any certificate
    /// a server shows (the handshake's signature is still checked against
    /// it): for the names proxy's tap, which asks no more of the mocked
    /// hosts than the engine behind it (`acceptInsecureCerts`) does.
    pub fn any_certificate_config() -> ClientConfig {
        config_accepting(
            Accepts::Any,
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .expect("ring supports the default protocol versions")
    }
}

fn config_accepting(
    accepts: Accepts,
    provider: Arc<CryptoProvider>,
) -> Result<ClientConfig, TrustError> {
    let verifier = Verifier {
        accepts,
        provider: provider.clone(),
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TrustError::Anchors)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// Which server certificates a [`Verifier`] accepts.
#[derive(Debug)]
enum Accepts {
    /// A leaf carrying a pinned key; otherwise WebPKI against the anchors.
    PinnedOrAnchored {
        webpki: Arc<WebPkiServerVerifier>,
        pinned: Vec<Vec<u8>>,
    },
    /// Any.
    Any,
}

/// Checks the server's certificate as [`Accepts`] says, and the
/// handshake's signature with the key of the certificate shown.
#[derive(Debug)]
struct Verifier {
    accepts: Accepts,
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
        let Accepts::PinnedOrAnchored { webpki, pinned } = &self.accepts else {
            return Ok(ServerCertVerified::assertion());
        };
        let is_pinned = cert_parts(end_entity)
            .is_some_and(|parts| pinned.iter().any(|p| p.as_slice() == parts.spki));
        if is_pinned {
            return Ok(ServerCertVerified::assertion());
        }
        webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::tls::{IssuedCert, TestCa};

    #[test]
    fn a_ca_is_an_anchor_and_pins_nothing_it_did_not_sign_itself() {
        let ca = TestCa::new().unwrap();
        let mut trust = Trust::default();
        trust
            .add_ca_file(Path::new("ca.pem"), &ca.cert_pem())
            .unwrap();
        assert_eq!(trust.roots.len(), 1);
        // A root CA is its own issuer, so its key is pinned too: harmless,
        // since no server presents the CA certificate as its leaf.
        assert_eq!(trust.pins().len(), 1);
        assert!(trust.client_config().is_ok());
    }

    #[test]
    fn a_self_signed_leaf_is_pinned_by_key() {
        let cert = IssuedCert::self_signed(&["portal.acme.test"]).unwrap();
        let mut trust = Trust::default();
        trust
            .add_ca_file(Path::new("cert.pem"), &cert.cert_pem)
            .unwrap();
        assert_eq!(trust.pins(), vec![cert.spki_sha256_base64()]);
        let parts = cert_parts(&cert.chain_der[0]).unwrap();
        assert!(parts.self_issued() && parts.is_ca);
    }

    #[test]
    fn a_leaf_issued_by_another_is_refused_with_what_to_give() {
        let ca = TestCa::new().unwrap();
        let leaf = ca.issue(&["portal.acme.test"]).unwrap();
        let parts = cert_parts(&leaf.chain_der[0]).unwrap();
        assert!(!parts.self_issued() && !parts.is_ca);
        let mut trust = Trust::default();
        let err = trust
            .add_ca_file(Path::new("leaf.pem"), &leaf.cert_pem)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("portal.acme.test"), "{text}");
        assert!(text.contains("openssl req -x509"), "{text}");
        assert!(matches!(
            trust.add_ca_file(Path::new("x.pem"), "not pem"),
            Err(TrustError::Empty { .. })
        ));
    }
}
