//! Pinning a target portal's own certificate in the browser: fetch the
//! leaf the portal presents (verified against the trusted CAs) and compute
//! the base64 SHA-256 of its SubjectPublicKeyInfo, the form Chromium's
//! `--ignore-certificate-errors-spki-list` takes.

use std::sync::Arc;

use base64::Engine;
use rustls::pki_types::{CertificateDer, ServerName};
use sha2::{Digest, Sha256};

/// The pin for the leaf certificate `origin` presents, if it can be had.
pub async fn leaf_spki_pin(origin: &str, ca_pems: &[String]) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    let host = url.host_str()?.to_string();
    let port = url.port_or_known_default()?;
    let mut roots = rustls::RootCertStore::empty();
    for pem in ca_pems {
        for cert in rustls_pemfile::certs(&mut pem.as_bytes()).flatten() {
            let _ = roots.add(cert);
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .ok()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let addr = crate::portal_client::resolve(&host, port).await.ok()?;
    let tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(host).ok()?, tcp)
        .await
        .ok()?;
    let leaf: CertificateDer<'static> = tls
        .get_ref()
        .1
        .peer_certificates()?
        .first()?
        .clone()
        .into_owned();
    let spki = spki_of(&leaf)?;
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki)))
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

/// The SubjectPublicKeyInfo of an X.509 certificate, as DER.
pub fn spki_of(cert: &[u8]) -> Option<&[u8]> {
    let (_, _, certificate, _) = element(cert)?;
    let (_, _, tbs, _) = element(certificate)?;
    let mut rest = tbs;
    let (tag, _, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        rest = element(rest)?.3;
    }
    Some(element(rest)?.1)
}
