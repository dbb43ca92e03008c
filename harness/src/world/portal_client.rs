//! The harness's own HTTPS client for the portal's API and its
//! provider-state endpoint: one request per connection, names under
//! `.test` resolved to loopback, trust limited to the run's CA plus what
//! the target file's `ca_file` gives ([`crate::world::trust`]). Every phase of an exchange has its deadline
//! and bodies have a size limit ([`crate::run::limits`]); each failure says
//! which [`Fault`] of the target it shows.

use std::time::{Duration, Instant};

use fixtures::tls::client::{tls_connector, within_or, Deadlines, HttpsClient};
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

/// An HTTPS client bound to one origin: names resolved as the browser
/// does, then [`fixtures::tls::client::HttpsClient`] under the harness's
/// limits and trust.
#[derive(Clone)]
pub struct PortalClient {
    host: String,
    port: u16,
    /// `None`: a plain-HTTP origin.
    tls: Option<TlsConnector>,
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

    /// The shared client's error, named after `host`.
    fn from_exchange(host: &str, error: fixtures::tls::client::ClientError) -> ClientError {
        use fixtures::tls::client::ClientError as E;
        let host = host.to_string();
        match error {
            E::Connect { addr, source } => ClientError::Connect {
                addr: addr.to_string(),
                source,
            },
            E::Tls { source, .. } => ClientError::Tls { host, source },
            E::Http(source) => ClientError::Http { host, source },
            E::Timeout { phase, after } => ClientError::Timeout {
                host,
                phase,
                seconds: after.as_secs(),
            },
            E::TooLarge { limit } => ClientError::TooLarge { host, limit },
            E::Body(source) => ClientError::Body { host, source },
            E::ServerName(name) => ClientError::Url {
                url: name,
                reason: "not a valid TLS server name".into(),
            },
            other => ClientError::Request(other.to_string()),
        }
    }
}

/// `future` within `deadline`, or a time-out in `phase` (resolving and the
/// certificate probe's connect; the exchange's own phases are timed by
/// the shared client).
async fn within<T>(
    host: &str,
    phase: Phase,
    deadline: Duration,
    future: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    within_or(deadline, future, || ClientError::Timeout {
        host: host.to_string(),
        phase,
        seconds: deadline.as_secs(),
    })
    .await
}

/// The harness's deadlines for one exchange with the target.
const DEADLINES: Deadlines = Deadlines {
    connect: limits::CONNECT,
    tls_handshake: limits::TLS_HANDSHAKE,
    first_byte: limits::FIRST_BYTE,
    exchange: limits::EXCHANGE,
    body_bytes: limits::BODY_BYTES,
};

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
        let tls = if url.scheme() == "https" {
            Some(tls_connector(
                trust.client_config().map_err(ClientError::Trust)?,
            ))
        } else {
            None
        };
        Ok(PortalClient { host, port, tls })
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
        let addr = within(&self.host, Phase::Connect, limits::CONNECT, async {
            resolve(&self.host, self.port).await
        })
        .await?;
        let client = HttpsClient::with_connector(self.tls.clone(), addr, &self.host, DEADLINES);
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let body = body.unwrap_or_default().as_bytes().to_vec();
        let response = client
            .send(method, path, &headers, body)
            .await
            .map_err(|e| ClientError::from_exchange(&self.host, e))?;
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body: String::from_utf8_lossy(&response.body).into_owned(),
            elapsed: started.elapsed(),
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
