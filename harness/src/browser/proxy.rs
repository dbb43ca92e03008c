//! The names proxy: a small HTTP proxy the harness runs so that every
//! engine (and a browser on another machine) reaches the mocked `*.test`
//! hosts. `CONNECT name.test:PORT` tunnels to `127.0.0.1:PORT`; a plain
//! `GET http://name.test:PORT/...` is forwarded there; every other name is
//! refused (403), so the browser reaches nothing outside the run.
//! A proxy started with a [`tap::Tap`] also records the requests it
//! carries, for an engine that reports none itself.

pub(crate) mod tap;

use std::sync::Arc;

use super::observe::{Observer, Store};

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest request head the proxy reads.
const MAX_HEAD: usize = 16 * 1024;

/// Errors starting the proxy.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("could not bind the names proxy on {addr}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// A running names proxy; stops when dropped.
pub struct NamesProxy {
    pub addr: SocketAddr,
    /// The accept loop (`None` once handed to an [`Observer`]).
    task: Option<tokio::task::JoinHandle<()>>,
}

impl NamesProxy {
    /// Listen on `bind` (e.g. `127.0.0.1:0`, or `0.0.0.0:8118` for a
    /// remote browser).
    pub async fn start(bind: &str) -> Result<NamesProxy, ProxyError> {
        NamesProxy::start_with(bind, None).await
    }

    /// A proxy on loopback for one browser session that records every
    /// request it carries (HTTPS ones through the [`tap`]): its endpoint,
    /// and the observer that reads the records and keeps the proxy running.
    pub async fn start_tapped() -> Result<(String, Observer), ProxyError> {
        let store = Store::default();
        let mut proxy =
            NamesProxy::start_with("127.0.0.1:0", Some(tap::Tap::new(store.clone()))).await?;
        let endpoint = proxy.endpoint();
        let task = proxy.task.take().expect("a started proxy has its task");
        let observer = Observer::new(store, task, "the names proxy's tap", false, false);
        Ok((endpoint, observer))
    }

    async fn start_with(bind: &str, tap: Option<Arc<tap::Tap>>) -> Result<NamesProxy, ProxyError> {
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| ProxyError::Bind {
                addr: bind.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ProxyError::Bind {
            addr: bind.to_string(),
            source,
        })?;
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, tap.clone()));
            }
        });
        Ok(NamesProxy {
            addr,
            task: Some(task),
        })
    }

    /// `host:port` as a browser's proxy setting names it; a wildcard bind
    /// address is given as loopback for a browser on this machine.
    pub fn endpoint(&self) -> String {
        if self.addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", self.addr.port())
        } else {
            self.addr.to_string()
        }
    }
}

impl Drop for NamesProxy {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Where a proxied name goes: `Some(port)` on loopback for `*.test`.
pub fn route(authority: &str) -> Option<(String, u16)> {
    let (host, port) = authority.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = host.ends_with(".test")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some((host, port))
}

async fn serve(mut client: TcpStream, tap: Option<Arc<tap::Tap>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let Ok(n) = client.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if head.len() > MAX_HEAD {
            return;
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("HTTP/1.1"),
    );
    if method.eq_ignore_ascii_case("CONNECT") {
        let Some((host, port)) = route(target) else {
            return refuse(client).await;
        };
        if let (Some(tap), true) = (&tap, end == head.len()) {
            return tap.clone().serve_tunnel(client, host, port).await;
        }
        let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)).await else {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        if end < head.len() {
            let _ = upstream.write_all(&head[end..]).await;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    // A plain request in absolute form: forward it once, then close (the
    // next request on this connection may be for another host).
    let Some(rest) = target.strip_prefix("http://") else {
        return refuse(client).await;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let authority = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let Some((_, port)) = route(&authority) else {
        return refuse(client).await;
    };
    let recorded = tap.as_ref().map(|tap| {
        let header = |name: &str| {
            text.split("\r\n").skip(1).find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        (tap, tap.record(method, target, header))
    });
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    let mut forwarded = format!("{method} {path} {version}\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("proxy-connection")
        {
            continue;
        }
        forwarded.push_str(line);
        forwarded.push_str("\r\n");
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    if upstream.write_all(forwarded.as_bytes()).await.is_err() {
        return;
    }
    if end < head.len() {
        let _ = upstream.write_all(&head[end..]).await;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    if let Some((tap, id)) = recorded {
        tap.ended(&id);
    }
}

async fn refuse(mut client: TcpStream) {
    let _ = client
        .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_names_are_routed() {
        assert_eq!(
            route("shop-a.test:8443"),
            Some(("shop-a.test".into(), 8443))
        );
        assert_eq!(
            route("Portal.UserHero.TEST.:1"),
            Some(("portal.userhero.test".into(), 1))
        );
        assert_eq!(route("example.com:443"), None);
        assert_eq!(route("127.0.0.1:22"), None);
        assert_eq!(route("evil.test.example.com:443"), None);
        assert_eq!(route("shop-a.test"), None);
    }

    #[tokio::test]
    async fn connect_tunnels_test_names_and_refuses_others() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = upstream.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = upstream.accept().await.unwrap();
            let mut b = [0u8; 4];
            s.read_exact(&mut b).await.unwrap();
            s.write_all(&b).await.unwrap();
        });
        let proxy = NamesProxy::start("127.0.0.1:0").await.unwrap();
        let mut c = TcpStream::connect(proxy.addr).await.unwrap();
        c.write_all(format!("CONNECT shop-a.test:{port} HTTP/1.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut reply = vec![0u8; 39];
        c.read_exact(&mut reply).await.unwrap();
        assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 200"));
        c.write_all(b"ping").await.unwrap();
        let mut echo = [0u8; 4];
        c.read_exact(&mut echo).await.unwrap();
        assert_eq!(&echo, b"ping");

        let mut c = TcpStream::connect(proxy.addr).await.unwrap();
        c.write_all(b"CONNECT example.com:443 HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut reply = String::new();
        c.read_to_string(&mut reply).await.unwrap();
        assert!(reply.starts_with("HTTP/1.1 403"), "{reply}");
    }
}
