//! The harness's own HTTPS client for the portal's API and its
//! provider-state endpoint: one request per connection, names under
//! `.test` resolved to loopback, trust limited to the run's CA plus any
//! CA the target file names.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use rustls::pki_types::{CertificateDer, ServerName};
use thiserror::Error;
use tokio_rustls::TlsConnector;

/// The most of a response body the client reads.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum ClientError {
    #[error("bad portal URL {url}: {reason}")]
    Url { url: String, reason: String },
    #[error("could not resolve {host}")]
    Resolve {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not connect to {addr}")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS handshake with {host} failed (is its certificate issued by the run's CA or the target's `ca_file`?)")]
    Tls {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("HTTP exchange with {host} failed")]
    Http {
        host: String,
        #[source]
        source: hyper::Error,
    },
    #[error("invalid request: {0}")]
    Request(String),
    #[error("response body from {host} unreadable or over {BODY_LIMIT} bytes")]
    Body { host: String },
    #[error("no answer from {host} within {seconds} s")]
    Timeout { host: String, seconds: u64 },
    #[error("bad CA certificate: {0}")]
    Ca(String),
}

/// A response, headers lowercased.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed: Duration,
}

/// An HTTPS client bound to one origin.
#[derive(Clone)]
pub struct PortalClient {
    scheme_https: bool,
    host: String,
    port: u16,
    connector: TlsConnector,
    timeout: Duration,
}

impl PortalClient {
    /// `origin` like `https://portal.userhero.test:8443`; `ca_pems` the
    /// certificates (PEM) to trust.
    pub fn new(origin: &str, ca_pems: &[String]) -> Result<PortalClient, ClientError> {
        let url = url::Url::parse(origin).map_err(|e| ClientError::Url {
            url: origin.to_string(),
            reason: e.to_string(),
        })?;
        let host = url
            .host_str()
            .ok_or_else(|| ClientError::Url {
                url: origin.to_string(),
                reason: "no host".into(),
            })?
            .to_string();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| ClientError::Url {
                url: origin.to_string(),
                reason: "no port".into(),
            })?;
        let mut roots = rustls::RootCertStore::empty();
        for pem in ca_pems {
            for cert in rustls_pemfile::certs(&mut pem.as_bytes()) {
                let cert: CertificateDer<'static> =
                    cert.map_err(|e| ClientError::Ca(e.to_string()))?;
                roots
                    .add(cert)
                    .map_err(|e| ClientError::Ca(e.to_string()))?;
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Ca(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(PortalClient {
            scheme_https: url.scheme() == "https",
            host,
            port,
            connector: TlsConnector::from(Arc::new(config)),
            timeout: Duration::from_secs(10),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Send one request. `path` includes the query.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Response, ClientError> {
        let started = Instant::now();
        let exchange = self.exchange(method, path, headers, body);
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result.map(|mut r| {
                r.elapsed = started.elapsed();
                r
            }),
            Err(_) => Err(ClientError::Timeout {
                host: self.host.clone(),
                seconds: self.timeout.as_secs(),
            }),
        }
    }

    async fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Response, ClientError> {
        let addr = resolve(&self.host, self.port).await?;
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| ClientError::Connect {
                addr: addr.to_string(),
                source,
            })?;
        let _ = tcp.set_nodelay(true);
        let mut request = http::Request::builder().method(method).uri(path);
        let default_port = if self.scheme_https { 443 } else { 80 };
        let host_header = if self.port == default_port {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };
        request = request.header("host", host_header);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_string())))
            .map_err(|e| ClientError::Request(e.to_string()))?;
        let response = if self.scheme_https {
            let name = ServerName::try_from(self.host.clone()).map_err(|e| ClientError::Url {
                url: self.host.clone(),
                reason: e.to_string(),
            })?;
            let tls =
                self.connector
                    .connect(name, tcp)
                    .await
                    .map_err(|source| ClientError::Tls {
                        host: self.host.clone(),
                        source,
                    })?;
            self.round_trip(hyper_util::rt::TokioIo::new(tls), request)
                .await?
        } else {
            self.round_trip(hyper_util::rt::TokioIo::new(tcp), request)
                .await?
        };
        Ok(response)
    }

    async fn round_trip<T>(
        &self,
        io: T,
        request: http::Request<Full<Bytes>>,
    ) -> Result<Response, ClientError>
    where
        T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let http_err = |source| ClientError::Http {
            host: self.host.clone(),
            source,
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(http_err)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let response = sender.send_request(request).await.map_err(http_err)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = Limited::new(response.into_body(), BODY_LIMIT)
            .collect()
            .await
            .map_err(|_| ClientError::Body {
                host: self.host.clone(),
            })?
            .to_bytes();
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            elapsed: Duration::ZERO,
        })
    }
}

/// Names under `.test` and `localhost` go to loopback, as in the browser.
pub async fn resolve(host: &str, port: u16) -> Result<std::net::SocketAddr, ClientError> {
    if host.ends_with(".test") || host == "localhost" {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    let mut addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| ClientError::Resolve {
            host: host.to_string(),
            source,
        })?;
    addrs.next().ok_or_else(|| ClientError::Resolve {
        host: host.to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no address"),
    })
}
