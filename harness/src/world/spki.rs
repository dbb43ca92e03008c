//! Pinning a target portal's own certificate in the browser: fetch the
//! leaf the portal presents (verified against the trusted CAs) and compute
//! the base64 SHA-256 of its SubjectPublicKeyInfo, the form Chromium's
//! `--ignore-certificate-errors-spki-list` takes.

use std::sync::Arc;

use base64::Engine;
use rustls::pki_types::{CertificateDer, ServerName};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::run::limits;
use crate::world::portal_client::ClientError;
use crate::world::trust::{Trust, TrustError};

/// Why the portal's leaf could not be pinned.
#[derive(Debug, Error)]
pub enum PinError {
    #[error("bad portal origin {0}")]
    Origin(String),
    #[error("could not build the TLS client")]
    Tls(#[source] TrustError),
    #[error("could not reach the portal")]
    Connect(#[source] ClientError),
    /// The portal accepted the connection and never finished the handshake.
    #[error("{host} did not finish the TLS handshake within {seconds} s")]
    Timeout { host: String, seconds: u64 },
    #[error("the TLS handshake with {host} failed")]
    Handshake {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} presented no parseable leaf certificate")]
    NoLeaf(String),
}

impl PinError {
    /// The portal is not there or does not answer: nothing is worth running.
    pub fn dead_target(&self) -> bool {
        matches!(self, PinError::Connect(_) | PinError::Timeout { .. })
    }
}

/// The pin for the leaf certificate `origin` presents. Connect and
/// handshake have their deadlines ([`limits::CONNECT`],
/// [`limits::PIN_PROBE`]): a portal that accepts TCP and never answers
/// costs seconds.
pub async fn leaf_spki_pin(origin: &str, trust: &Trust) -> Result<String, PinError> {
    let bad_origin = || PinError::Origin(origin.to_string());
    let url = url::Url::parse(origin).map_err(|_| bad_origin())?;
    let host = url.host_str().ok_or_else(bad_origin)?.to_string();
    let port = url.port_or_known_default().ok_or_else(bad_origin)?;
    let config = trust.client_config().map_err(PinError::Tls)?;
    let name = ServerName::try_from(host.clone()).map_err(|_| bad_origin())?;
    let tcp = crate::world::portal_client::connect(&host, port)
        .await
        .map_err(PinError::Connect)?;
    let handshake = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp);
    let tls = tokio::time::timeout(limits::PIN_PROBE, handshake)
        .await
        .map_err(|_| PinError::Timeout {
            host: host.clone(),
            seconds: limits::PIN_PROBE.as_secs(),
        })?
        .map_err(|source| PinError::Handshake {
            host: host.clone(),
            source,
        })?;
    let leaf: CertificateDer<'static> = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|certs| certs.first())
        .ok_or_else(|| PinError::NoLeaf(host.clone()))?
        .clone()
        .into_owned();
    let spki = spki_of(&leaf).ok_or_else(|| PinError::NoLeaf(host.clone()))?;
    Ok(pin_of(spki))
}

/// base64 SHA-256 of a SubjectPublicKeyInfo DER: the form Chromium's
/// `--ignore-certificate-errors-spki-list` takes.
pub fn pin_of(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki_der))
}

/// One DER element: (tag, header+content as a slice, content, rest).
type DerElement<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// The first DER element of `input`.
fn element(input: &[u8]) -> Option<DerElement<'_>> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some((tag, &input[..end], &input[header..end], &input[end..]))
}

/// The parts of an X.509 certificate that say what it is.
#[derive(Debug, Clone, Copy)]
pub struct CertParts<'a> {
    /// The issuer and subject names, DER.
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
    /// The SubjectPublicKeyInfo, DER.
    pub spki: &'a [u8],
    /// basicConstraints says `cA: TRUE`.
    pub is_ca: bool,
}

impl CertParts<'_> {
    /// Its own issuer: a root CA, or a self-signed leaf.
    pub fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// The subject's common name, for messages.
    pub fn common_name(&self) -> Option<String> {
        const CN: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
        let at = self.subject.windows(CN.len()).position(|w| w == CN)?;
        let (_, _, value, _) = element(&self.subject[at + CN.len()..])?;
        Some(String::from_utf8_lossy(value).into_owned())
    }
}

/// basicConstraints (2.5.29.19).
const BASIC_CONSTRAINTS: [u8; 5] = [0x06, 0x03, 0x55, 0x1d, 0x13];

/// Reads an X.509 certificate's names, key and CA flag.
pub fn cert_parts(cert: &[u8]) -> Option<CertParts<'_>> {
    let (_, _, certificate, _) = element(cert)?;
    let (_, _, tbs, _) = element(certificate)?;
    let mut rest = tbs;
    let (tag, _, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    // serialNumber, signature
    for _ in 0..2 {
        rest = element(rest)?.3;
    }
    let (_, issuer, _, after) = element(rest)?;
    let (_, _, _, after) = element(after)?; // validity
    let (_, subject, _, after) = element(after)?;
    let (_, spki, _, mut rest) = element(after)?;
    let mut is_ca = false;
    while let Some((tag, _, content, after)) = element(rest) {
        if tag == 0xa3 {
            is_ca = basic_constraints_ca(content).unwrap_or(false);
        }
        rest = after;
    }
    Some(CertParts {
        issuer,
        subject,
        spki,
        is_ca,
    })
}

/// `cA` of the basicConstraints in an `[3] Extensions` content.
fn basic_constraints_ca(explicit: &[u8]) -> Option<bool> {
    let (_, _, mut extensions, _) = element(explicit)?;
    while let Some((_, _, extension, after)) = element(extensions) {
        extensions = after;
        let (_, oid, _, mut rest) = element(extension)?;
        if oid != BASIC_CONSTRAINTS {
            continue;
        }
        let (tag, _, _, after) = element(rest)?;
        if tag == 0x01 {
            rest = after; // critical
        }
        let (_, _, octets, _) = element(rest)?;
        let (_, _, constraints, _) = element(octets)?;
        return Some(matches!(element(constraints), Some((0x01, _, [v], _)) if *v != 0));
    }
    Some(false)
}

/// The SubjectPublicKeyInfo of an X.509 certificate, as DER.
pub fn spki_of(cert: &[u8]) -> Option<&[u8]> {
    Some(cert_parts(cert)?.spki)
}
