//! The harness's own HTTPS client for the portal's API and its
//! provider-state endpoint: one request per connection, names under
//! `.test` resolved to loopback, trust limited to the run's CA plus what
//! the target file's `ca_file` gives ([`crate::world::trust`]). Every phase of an exchange has its deadline
//! and bodies have a size limit ([`crate::run::limits`]); each failure says
//! which [`Fault`] of the target it shows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use rustls::pki_types::ServerName;
use thiserror::Error;
use tokio_rustls::TlsConnector;

use crate::run::limits;
use crate::run::stop::{Fault, Phase};
use crate::world::trust::{Trust, TrustError};

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
    #[error("TLS handshake with {host} failed (the target's `ca_file` must be the CA that issued the portal's certificate, or the portal's own self-signed certificate)")]
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
    #[error("response body from {host} unreadable")]
    Body {
        host: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("response body from {host} is over the limit of {limit} bytes")]
    TooLarge { host: String, limit: usize },
    #[error("no answer from {host} within {seconds} s ({phase})")]
    Timeout {
        host: String,
        phase: Phase,
        seconds: u64,
    },
    #[error("cannot trust the portal's certificates")]
    Trust(#[source] TrustError),
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
}

impl ClientError {
    /// What this failure shows about the target, if it is the target's
    /// (not a mistake in the request the harness built).
    pub fn fault(&self) -> Option<Fault> {
        match self {
            ClientError::Resolve { host, .. } | ClientError::Tls { host, .. } => {
                Some(Fault::Unreachable { host: host.clone() })
            }
            ClientError::Connect { addr, .. } => Some(Fault::Unreachable { host: addr.clone() }),
            ClientError::Timeout { host, phase, .. } => Some(Fault::NoAnswer {
                host: host.clone(),
                phase: *phase,
            }),
            ClientError::TooLarge { host, .. } => Some(Fault::Oversized { host: host.clone() }),
            ClientError::Http { host, .. } | ClientError::Body { host, .. } => {
                Some(Fault::Nonsense {
                    host: host.clone(),
                    what: "answers that are not HTTP".into(),
                })
            }
            ClientError::Url { .. } | ClientError::Request(_) | ClientError::Trust(_) => None,
        }
    }
}

/// `future` within `deadline`, or a time-out in `phase`.
async fn within<T>(
    host: &str,
    phase: Phase,
    deadline: Duration,
    future: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    tokio::time::timeout(deadline, future)
        .await
        .unwrap_or_else(|_| {
            Err(ClientError::Timeout {
                host: host.to_string(),
                phase,
                seconds: deadline.as_secs(),
            })
        })
}

impl PortalClient {
    /// `origin` like `https://portal.userhero.test:8443`; `trust` the
    /// anchors and pinned keys its certificate is checked against.
    pub fn new(origin: &str, trust: &Trust) -> Result<PortalClient, ClientError> {
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
        let config = trust.client_config().map_err(ClientError::Trust)?;
        Ok(PortalClient {
            scheme_https: url.scheme() == "https",
            host,
            port,
            connector: TlsConnector::from(Arc::new(config)),
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
        within(&self.host, Phase::Exchange, limits::EXCHANGE, exchange)
            .await
            .map(|mut r| {
                r.elapsed = started.elapsed();
                r
            })
    }

    async fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Response, ClientError> {
        let tcp = connect(&self.host, self.port).await?;
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
            let tls = within(
                &self.host,
                Phase::TlsHandshake,
                limits::TLS_HANDSHAKE,
                async {
                    self.connector
                        .connect(name, tcp)
                        .await
                        .map_err(|source| ClientError::Tls {
                            host: self.host.clone(),
                            source,
                        })
                },
            )
            .await?;
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
        let response = within(&self.host, Phase::FirstByte, limits::FIRST_BYTE, async {
            sender.send_request(request).await.map_err(http_err)
        })
        .await?;
        let too_large = || ClientError::TooLarge {
            host: self.host.clone(),
            limit: limits::BODY_BYTES,
        };
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limits::BODY_BYTES as u64) {
            return Err(too_large());
        }
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
        let body = match Limited::new(response.into_body(), limits::BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
            Err(source) => {
                return Err(ClientError::Body {
                    host: self.host.clone(),
                    source,
                })
            }
        };
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            elapsed: Duration::ZERO,
        })
    }
}

/// A TCP connection to `host:port`, resolved and connected within
/// [`limits::CONNECT`].
pub async fn connect(host: &str, port: u16) -> Result<tokio::net::TcpStream, ClientError> {
    within(host, Phase::Connect, limits::CONNECT, async {
        let addr = resolve(host, port).await?;
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| ClientError::Connect {
                addr: addr.to_string(),
                source,
            })?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    })
    .await
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
