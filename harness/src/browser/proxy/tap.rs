//! The proxy's tap, for an engine whose driver reports no network events
//! (WebKit): inside a `CONNECT` tunnel to a `*.test` name it ends the TLS
//! itself, with a self-signed certificate for that name (the engine runs
//! with `acceptInsecureCerts`, said in the report, so the tap asks of it
//! no more trust than it already gives), records every request it carries
//! into the session's observation store (method, URL, Referer, bearer
//! credential; in flight until its response body ends), and sends the
//! request on over a new TLS connection to the mocked host. The portal
//! frame's console stays out of its sight: an observer made from a tap
//! says so ([`Observer::sees_console`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use fixtures::tls::IssuedCert;
use http_body_util::{combinators::BoxBody, BodyExt, Empty};
use hyper::body::{Body, Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ServerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::browser::observe::{RequestSeen, Store};
use crate::run::limits;

/// How long an opening tunnel counts as a request in flight at most: a
/// browser that opens one and sends nothing for this long is not about to.
const OPENING: std::time::Duration = std::time::Duration::from_secs(1);

/// Where the requests the tap sees are written, and what it needs to end
/// and re-make TLS.
pub(crate) struct Tap {
    store: Store,
    /// One self-signed server configuration per name, made on first use.
    certs: Mutex<HashMap<String, Arc<ServerConfig>>>,
    upstream: TlsConnector,
    next_id: AtomicU64,
}

impl Tap {
    pub(crate) fn new(store: Store) -> Arc<Tap> {
        let mut config = crate::world::trust::Trust::any_certificate_config();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(Tap {
            store,
            certs: Mutex::new(HashMap::new()),
            upstream: TlsConnector::from(Arc::new(config)),
            next_id: AtomicU64::new(0),
        })
    }

    fn server_config(&self, host: &str) -> Option<Arc<ServerConfig>> {
        let mut certs = self.certs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(config) = certs.get(host) {
            return Some(config.clone());
        }
        let config = IssuedCert::self_signed(&[host])
            .ok()?
            .server_config()
            .ok()?;
        certs.insert(host.to_string(), config.clone());
        Some(config)
    }

    /// Write one request into the store and count it in flight; its ID.
    pub(crate) fn record(
        &self,
        method: &str,
        url: &str,
        header: impl Fn(&str) -> Option<String>,
    ) -> String {
        let id = format!("tap-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let referer = header("referer");
        // The sending document, as near as a proxy can tell.
        let from = referer
            .clone()
            .or_else(|| header("origin"))
            .unwrap_or_default();
        self.store.request_started(&id, &from, url);
        let seen = RequestSeen {
            method: method.to_string(),
            url: url.to_string(),
            referer,
            bearer: header("authorization").map(RequestSeen::credential_of),
        };
        self.store
            .push(from, "request", "info".into(), url.to_string(), Some(seen));
        id
    }

    pub(crate) fn ended(&self, id: &str) {
        self.store.request_ended(id);
    }

    /// Serve one `CONNECT` tunnel to `host:port`: acknowledge it, then end
    /// the TLS its client starts (a client that does not start TLS is
    /// piped through unread). From the `CONNECT` until its TLS handshake
    /// is done (at most [`OPENING`]) the tunnel counts as a request in
    /// flight, so the network does not look quiet while the browser is
    /// still setting up a request; a connection the browser opens ahead
    /// of need and leaves idle does not keep it from looking quiet.
    pub(crate) async fn serve_tunnel(
        self: Arc<Tap>,
        mut client: TcpStream,
        host: String,
        port: u16,
    ) {
        let opening = format!("tap-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        self.store.request_started(
            &opening,
            "",
            &format!("https://{host}:{port}/ (tunnel opening)"),
        );
        let opening = Arc::new(Mutex::new(Some(opening)));
        let open_done = {
            let (tap, opening) = (self.clone(), opening.clone());
            move || {
                if let Some(id) = opening.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    tap.ended(&id);
                }
            }
        };
        let deadline = tokio::spawn({
            let done = open_done.clone();
            async move {
                tokio::time::sleep(OPENING).await;
                done();
            }
        });
        let served = async {
            client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await
                .ok()?;
            let mut first = [0u8; 1];
            if !matches!(client.peek(&mut first).await, Ok(1) if first[0] == 0x16) {
                let mut upstream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
                open_done();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                return None;
            }
            let config = self.server_config(&host)?;
            let tls = TlsAcceptor::from(config).accept(client).await;
            open_done();
            let tls = tls.ok()?;
            let tap = self.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let (tap, host) = (tap.clone(), host.clone());
                async move { Ok::<_, Infallible>(tap.forward(request, &host, port).await) }
            });
            hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .with_upgrades()
                .await
                .ok()
        };
        served.await;
        open_done();
        deadline.abort();
    }

    /// Record `request`, send it to the mocked host, and answer with its
    /// response (a 502 if the host cannot be reached).
    async fn forward(
        &self,
        mut request: Request<Incoming>,
        host: &str,
        port: u16,
    ) -> Response<BoxBody<Bytes, hyper::Error>> {
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let url = format!("https://{host}:{port}{path}");
        let headers = request.headers().clone();
        let id = self.record(request.method().as_str(), &url, |name| {
            headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        });
        let client_upgrade = hyper::upgrade::on(&mut request);
        match self.send_upstream(request, host, port).await {
            Some(mut response) => {
                if response.status() == hyper::StatusCode::SWITCHING_PROTOCOLS {
                    let upstream_upgrade = hyper::upgrade::on(&mut response);
                    tokio::spawn(async move {
                        if let (Ok(a), Ok(b)) = (client_upgrade.await, upstream_upgrade.await) {
                            let (mut a, mut b) = (TokioIo::new(a), TokioIo::new(b));
                            let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
                        }
                    });
                }
                let store = self.store.clone();
                response.map(|body| {
                    Ending {
                        inner: body,
                        done: Some((store, id)),
                    }
                    .boxed()
                })
            }
            None => {
                self.ended(&id);
                self.store.push(
                    String::new(),
                    "network",
                    "error".into(),
                    format!("the names proxy could not reach {url}"),
                    None,
                );
                let mut response = Response::new(Empty::new().map_err(|e| match e {}).boxed());
                *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
                response
            }
        }
    }

    async fn send_upstream(
        &self,
        request: Request<Incoming>,
        host: &str,
        port: u16,
    ) -> Option<Response<Incoming>> {
        let connect = async {
            let tcp = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
            let _ = tcp.set_nodelay(true);
            let name = ServerName::try_from(host.to_string()).ok()?;
            self.upstream.connect(name, tcp).await.ok()
        };
        let tls = tokio::time::timeout(limits::CONNECT + limits::TLS_HANDSHAKE, connect)
            .await
            .ok()??;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .ok()?;
        tokio::spawn(connection.with_upgrades());
        sender.send_request(request).await.ok()
    }
}

/// A response body that tells the store its request ended when it has
/// been read to the end, failed, or been dropped.
struct Ending {
    inner: Incoming,
    done: Option<(Store, String)>,
}

impl Ending {
    fn end(&mut self) {
        if let Some((store, id)) = self.done.take() {
            store.request_ended(&id);
        }
    }
}

impl Body for Ending {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.end();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use fixtures::tls::TlsFront;
    use http_body_util::BodyExt;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;
    use crate::browser::proxy::NamesProxy;

    /// A plain-HTTP host that answers every request `hello`.
    async fn hello_host() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut head, mut buf) = (Vec::new(), [0u8; 1024]);
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                        .await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_https_request_through_the_tap_is_recorded_and_answered() {
        let cert = IssuedCert::self_signed(&["portal.userhero.test"]).unwrap();
        let front = TlsFront::start(
            "127.0.0.1:0".parse().unwrap(),
            cert.server_config().unwrap(),
            hello_host().await,
        )
        .await
        .unwrap();
        let port = front.addr().port();
        let (endpoint, observer) = NamesProxy::start_tapped().await.unwrap();
        assert!(!observer.sees_console);

        let mut tcp = TcpStream::connect(&endpoint).await.unwrap();
        tcp.write_all(format!("CONNECT portal.userhero.test:{port} HTTP/1.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut reply = [0u8; 39];
        tcp.read_exact(&mut reply).await.unwrap();
        assert!(reply.starts_with(b"HTTP/1.1 200"));
        assert!(
            observer.network_idle_for().is_none(),
            "an opening tunnel is a request on its way"
        );
        // The browser's side: it accepts the tap's certificate.
        let browser = Tap::new(Store::default()).upstream.clone();
        let name = ServerName::try_from("portal.userhero.test").unwrap();
        let tls = browser.connect(name, tcp).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .unwrap();
        tokio::spawn(connection);
        let request = Request::get("/api/v1/tickets?page=1")
            .header("host", format!("portal.userhero.test:{port}"))
            .header("authorization", "Bearer tok_0123456789")
            .header("referer", "https://portal.userhero.test/embed")
            .body(Empty::<Bytes>::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hello");

        let seen: Vec<RequestSeen> = observer
            .since(0)
            .into_iter()
            .filter_map(|r| r.request)
            .collect();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            seen[0].url,
            format!("https://portal.userhero.test:{port}/api/v1/tickets?page=1")
        );
        assert_eq!(seen[0].method, "GET");
        assert_eq!(seen[0].bearer.as_deref(), Some("tok_0123456789"));
        assert_eq!(
            seen[0].referer.as_deref(),
            Some("https://portal.userhero.test/embed")
        );
        // In flight until its body ended, then the network goes quiet.
        let deadline = Instant::now() + Duration::from_secs(5);
        while observer.network_idle_for().is_none() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            observer.network_idle_for().is_some(),
            "{:?}",
            observer.in_flight()
        );
    }

    #[tokio::test]
    async fn a_plain_request_through_the_tap_is_recorded() {
        let port = hello_host().await.port();
        let (endpoint, observer) = NamesProxy::start_tapped().await.unwrap();
        let mut tcp = TcpStream::connect(&endpoint).await.unwrap();
        tcp.write_all(
            format!("GET http://shop-a.test:{port}/page HTTP/1.1\r\nHost: shop-a.test:{port}\r\nReferer: http://shop-a.test:{port}/\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut reply = String::new();
        tcp.read_to_string(&mut reply).await.unwrap();
        assert!(reply.ends_with("hello"), "{reply}");
        let seen: Vec<RequestSeen> = observer
            .since(0)
            .into_iter()
            .filter_map(|r| r.request)
            .collect();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].url, format!("http://shop-a.test:{port}/page"));
        assert_eq!(
            seen[0].referer.as_deref(),
            Some(format!("http://shop-a.test:{port}/").as_str())
        );
    }
}
