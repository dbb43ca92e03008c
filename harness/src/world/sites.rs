//! The mocked hosts, on real TLS from the run's CA: the customer's sites
//! (one wiremock server reached under many names and ports, so every
//! origin a scenario needs exists), the customer's token endpoint, and the
//! attacker's canary host that records every request it gets.

use std::net::SocketAddr;
use std::sync::Arc;

use fixtures::tls::{IssuedCert, TlsFront};
use scenarios::probe::{RecordedRequest, Site};
use thiserror::Error;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

#[derive(Debug, Error)]
pub enum SiteError {
    #[error("could not start a TLS front for the mocked hosts")]
    Tls(#[source] fixtures::tls::TlsError),
    #[error("could not bind a loopback listener")]
    Bind(#[source] std::io::Error),
}

/// Host names of the mocked origins; all resolve to loopback in the browser.
pub const SHOP_A: &str = "shop-a.test";
pub const SHOP_B: &str = "shop-b.test";
pub const EVIL: &str = "evil.test";
pub const SUFFIX_LOOKALIKE: &str = "evil-shop-a.test";
pub const PREFIX_LOOKALIKE: &str = "shop-a.test.evil.test";
pub const SUBDOMAIN: &str = "sub.shop-a.test";
pub const CANARY: &str = "canary.test";

/// Every host name a run's certificate must cover (the portal's is added
/// by the caller).
pub const SITE_NAMES: [&str; 7] = [
    SHOP_A,
    SHOP_B,
    EVIL,
    SUFFIX_LOOKALIKE,
    PREFIX_LOOKALIKE,
    SUBDOMAIN,
    CANARY,
];

/// The running mocked hosts.
pub struct MockSites {
    pub pages: MockServer,
    pub canary: MockServer,
    https_port: u16,
    other_port: u16,
    canary_port: u16,
    _fronts: Vec<TlsFront>,
}

/// Fixed ports for the mocked sites, for targets whose allowlists name them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SitePorts {
    pub https: Option<u16>,
    pub http: Option<u16>,
    pub other: Option<u16>,
}

impl MockSites {
    pub async fn start(cert: &IssuedCert, ports: SitePorts) -> Result<MockSites, SiteError> {
        let pages_listener = std::net::TcpListener::bind(("127.0.0.1", ports.http.unwrap_or(0)))
            .map_err(SiteError::Bind)?;
        let pages = MockServer::builder().listener(pages_listener).start().await;
        let canary = MockServer::builder().start().await;
        let config = cert.server_config().map_err(SiteError::Tls)?;
        let bind = |port: Option<u16>| SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0)));
        let main = TlsFront::start(bind(ports.https), config.clone(), *pages.address())
            .await
            .map_err(SiteError::Tls)?;
        let other = TlsFront::start(bind(ports.other), config.clone(), *pages.address())
            .await
            .map_err(SiteError::Tls)?;
        let canary_front = TlsFront::start(bind(None), config, *canary.address())
            .await
            .map_err(SiteError::Tls)?;
        // Browsers ask every site for a favicon; a 404 would show up as a
        // console error in the evidence and in what support is sent.
        Mock::given(method("GET"))
            .and(path("/favicon.ico"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&pages)
            .await;
        // The canary answers everything with an empty 200 and records it.
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&canary)
            .await;
        Ok(MockSites {
            https_port: main.addr().port(),
            other_port: other.addr().port(),
            canary_port: canary_front.addr().port(),
            pages,
            canary,
            _fronts: vec![main, other, canary_front],
        })
    }

    /// The full origin of a site.
    pub fn origin(&self, site: Site) -> String {
        let https = |host: &str| format!("https://{host}:{}", self.https_port);
        match site {
            Site::ShopA => https(SHOP_A),
            Site::ShopB => https(SHOP_B),
            Site::ShopAHttp => format!("http://{SHOP_A}:{}", self.pages.address().port()),
            Site::ShopAOtherPort => format!("https://{SHOP_A}:{}", self.other_port),
            Site::SuffixLookalike => https(SUFFIX_LOOKALIKE),
            Site::PrefixLookalike => https(PREFIX_LOOKALIKE),
            Site::Subdomain => https(SUBDOMAIN),
            Site::Evil => https(EVIL),
        }
    }

    /// Every origin pages are served from, for clearing browser storage.
    pub fn all_origins(&self) -> Vec<String> {
        let mut all: Vec<String> = Site::ALL.into_iter().map(|s| self.origin(s)).collect();
        all.push(self.canary_origin());
        all
    }

    pub fn canary_origin(&self) -> String {
        format!("https://{CANARY}:{}", self.canary_port)
    }

    /// Serve a page at `page_path` (any host name) with an optional CSP.
    pub async fn serve_page(&self, page_path: &str, html: String, csp: Option<&str>) {
        let mut response = ResponseTemplate::new(200)
            .insert_header("content-type", "text/html; charset=utf-8")
            .insert_header("cache-control", "no-store")
            .set_body_raw(html.into_bytes(), "text/html; charset=utf-8");
        if let Some(csp) = csp {
            response = response.insert_header("content-security-policy", csp);
        }
        Mock::given(method("GET"))
            .and(path(page_path))
            .respond_with(response)
            .mount(&self.pages)
            .await;
    }

    /// Serve the token endpoint for one configuration id.
    pub async fn serve_token(&self, config_id: &str, responder: impl Respond + 'static) {
        Mock::given(method("GET"))
            .and(path(TOKEN_PATH))
            .and(query_param("cfg", config_id))
            .respond_with(responder)
            .mount(&self.pages)
            .await;
    }

    /// Requests the canary host got whose path starts with `prefix`.
    pub async fn canary_hits(&self, prefix: &str) -> Vec<RecordedRequest> {
        self.canary
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path().starts_with(prefix))
            .map(|r| RecordedRequest {
                method: r.method.to_string(),
                url: r.url.to_string(),
                headers: r
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The customer's token endpoint path on every site.
pub const TOKEN_PATH: &str = "/api/userhero-token";

/// A token endpoint answer made at request time, so its clock is live.
pub struct TokenResponder {
    pub make: Arc<dyn Fn() -> serde_json::Value + Send + Sync>,
}

impl Respond for TokenResponder {
    fn respond(&self, _request: &wiremock::Request) -> ResponseTemplate {
        ResponseTemplate::new(200)
            .insert_header("cache-control", "no-store")
            .set_body_json((self.make)())
    }
}
