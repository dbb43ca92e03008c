//! The harness's implementation of the catalogue's [`Probe`]: real HTTPS
//! to the portal, pages on the mocked hosts, the real browser. Each
//! scenario gets its own probe, its own tenants (fresh ones through the
//! provider state, where the target has it), its own identities, and its
//! own slice of the canary host; everything it does is emitted as evidence.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use reports::event::{EvidenceItem, HttpExchange};
use reports::redact::{cap, EVIDENCE_CAP};
use scenarios::contract::{
    hmac_hex, STATE_SECRET_ROTATED, STATE_TENANT_EXISTS, STATE_USER_HAS_TICKET,
};
use scenarios::payload::{Identity, Layout};
use scenarios::probe::{
    ApiCall, ApiReply, ConsoleMessage, FrameCookie, HostPage, OnExpiring, OnReady, PageUser,
    PageView, Probe, ProbeError, RecordedRequest, SeededUser, SigningKey, Site, TargetFacts,
    Tenant, ThirdPartyCookies, TokenEndpoint, UserSpec,
};
use scenarios::sections::sdk_exposure::{
    bearer_tokens, exposures, foreign_tickets, unobserved, Credential, CredentialKind, Exposure,
};
use serde_json::json;

use crate::browser::session::BrowserSession;
use crate::browser::watch::{in_frame, watch, WatchPlan};
use crate::run::events::EventSink;
use crate::run::stop::Fault;
use crate::world::host_page::{
    render, render_catcher, render_forger, render_nest, ForeignDocument, PageContext,
};
use crate::world::sites::{TokenResponder, TOKEN_PATH};
use crate::world::{error_chain, random_secret, TenantKeys, TenantSource, World};

/// What the runner needs from a probe after the scenario.
#[derive(Debug, Default, Clone)]
pub struct ProbeTrail {
    pub opened_page: bool,
    /// Whether the scenario is (or was, when it ended) inside a page's
    /// watch: a budget overrun there is the page's doing.
    pub in_page: bool,
    pub public_key: Option<String>,
    pub external_user_id: Option<String>,
    pub console_errors: Vec<String>,
    /// The last fault of the target the probe ran into, for the runner's
    /// circuit breaker.
    pub fault: Option<Fault>,
    /// What the general checks found on the pages the scenario opened.
    pub exposures: Vec<Exposure>,
    /// What of those pages the general checks could not observe.
    pub unobserved: Vec<String>,
    /// The canary ticket text of each user the scenario seeded (or was
    /// given from the target file): its pages may show these, and no other.
    pub canaries: Vec<String>,
}

pub struct LiveProbe<'a> {
    world: Arc<World>,
    scenario_id: String,
    slug: String,
    browser: Option<&'a BrowserSession>,
    sink: EventSink,
    primary: Option<TenantKeys>,
    secondary: Option<TenantKeys>,
    facts: TargetFacts,
    seed: u64,
    pub trail: ProbeTrail,
}

impl<'a> LiveProbe<'a> {
    /// Resets `session`, opens the page at `url` in it and watches it; with
    /// third-party cookies blocked, also probes whether the portal frame
    /// can keep a cookie.
    async fn watch_page(
        &mut self,
        browser: &BrowserSession,
        page: &HostPage,
        ctx: &PageContext,
        url: &str,
    ) -> Result<PageView, ProbeError> {
        let url = url.to_string();
        let mut origins = self.world.sites.all_origins();
        origins.push(self.world.portal_origin.clone());
        if let Err(e) = browser.reset(&origins).await {
            self.trail.fault = e.fault();
            return Err(ProbeError::Harness(format!(
                "resetting browser state: {}",
                error_chain(&e)
            )));
        }
        self.trail.opened_page = true;
        let plan = WatchPlan {
            url: &url,
            portal_origin: &ctx.portal_origin,
            wait_for: &page.wait_for,
            deadline: page.deadline,
            read_styles: &page.read_styles,
            nested: page.framed_in.len(),
        };
        let mut view = match watch(browser, &plan).await {
            Ok(view) => view,
            Err(e) => {
                self.trail.fault = e.fault();
                return Err(ProbeError::Harness(format!(
                    "watching {url}: {}",
                    error_chain(&e)
                )));
            }
        };
        if page.third_party_cookies == ThirdPartyCookies::Blocked {
            view.frame_cookie = frame_cookie(browser, &ctx.portal_origin).await;
        }
        Ok(view)
    }

    pub fn new(
        world: Arc<World>,
        scenario_id: &str,
        browser: Option<&'a BrowserSession>,
        sink: EventSink,
        seed: u64,
    ) -> Self {
        let slug: String = scenario_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let facts = world.facts.clone();
        LiveProbe {
            slug: format!("{slug}-{}", world.next()),
            world,
            scenario_id: scenario_id.to_string(),
            browser,
            sink,
            primary: None,
            secondary: None,
            facts,
            seed,
            trail: ProbeTrail::default(),
        }
    }

    /// Make the scenario's tenants exist (fresh ones through the provider
    /// state; the target file's otherwise).
    pub async fn prepare(&mut self) -> Result<(), ProbeError> {
        match &self.world.tenants {
            TenantSource::Fixed { primary, secondary } => {
                self.primary = Some(primary.clone());
                self.secondary = secondary.clone();
            }
            TenantSource::ProviderState { .. } => {
                for tenant in [Tenant::Primary, Tenant::Secondary] {
                    let keys = TenantKeys {
                        public_key: format!(
                            "pk_{}_{}_{}",
                            self.world.run_id,
                            tenant_word(tenant),
                            self.world.next()
                        ),
                        current: random_secret(),
                        rotated: None,
                    };
                    self.world.register_secret(&keys.current);
                    let site = if tenant == Tenant::Primary {
                        Site::ShopA
                    } else {
                        Site::ShopB
                    };
                    let params = json!({
                        "tenant": format!("{}-{}", tenant_word(tenant), self.slug),
                        "publicKey": keys.public_key,
                        "secret": keys.current,
                        "allowedOrigins": [self.world.sites.origin(site)],
                    });
                    self.provider_state(STATE_TENANT_EXISTS, params).await?;
                    self.facts
                        .public_keys
                        .insert(tenant_word(tenant).into(), keys.public_key.clone());
                    match tenant {
                        Tenant::Primary => self.primary = Some(keys),
                        Tenant::Secondary => self.secondary = Some(keys),
                    }
                }
            }
        }
        Ok(())
    }

    fn emit(&self, item: EvidenceItem) {
        self.sink.evidence(&self.scenario_id, item);
    }

    fn keys(&self, tenant: Tenant) -> Result<&TenantKeys, ProbeError> {
        let keys = match tenant {
            Tenant::Primary => self.primary.as_ref(),
            Tenant::Secondary => self.secondary.as_ref(),
        };
        keys.ok_or_else(|| match (&self.world.tenants, tenant) {
            (TenantSource::Fixed { .. }, Tenant::Secondary) => {
                ProbeError::Unsupported("the target file lists no secondary tenant".into())
            }
            _ => ProbeError::Harness("tenants were not prepared".into()),
        })
    }

    fn secret(&self, tenant: Tenant, key: &SigningKey) -> Result<String, ProbeError> {
        let other = match tenant {
            Tenant::Primary => Tenant::Secondary,
            Tenant::Secondary => Tenant::Primary,
        };
        match key {
            SigningKey::Current => Ok(self.keys(tenant)?.current.clone()),
            SigningKey::Rotated => self.keys(tenant)?.rotated.clone().ok_or_else(|| {
                ProbeError::Unsupported(
                    "no rotated secret: rotate first, or declare rotated_secret_env".into(),
                )
            }),
            SigningKey::OtherTenant => Ok(self.keys(other)?.current.clone()),
            SigningKey::Unrelated => Ok(self.world.unrelated_secret.clone()),
        }
    }

    async fn provider_state(
        &mut self,
        state: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ProbeError> {
        let TenantSource::ProviderState {
            url_path,
            token,
            client,
        } = &self.world.tenants
        else {
            return Err(ProbeError::Unsupported(
                "the target has no provider-state endpoint".into(),
            ));
        };
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(token) = token {
            headers.push(("x-provider-state-token".to_string(), token.clone()));
        }
        let body = json!({"state": state, "params": params}).to_string();
        let host = client.host().to_string();
        let reply = match client.send("POST", url_path, &headers, Some(&body)).await {
            Ok(reply) => reply,
            Err(e) => {
                self.trail.fault = e.fault();
                return Err(ProbeError::Harness(format!(
                    "provider state `{state}`: {}",
                    error_chain(&e)
                )));
            }
        };
        self.learn_credentials(&reply.headers, &reply.body);
        let nonsense = |what: String| Fault::Nonsense {
            host: host.clone(),
            what,
        };
        if !scenarios::contract::wire::STATE_OK
            .status
            .admits(reply.status)
        {
            self.trail.fault = Some(nonsense(format!(
                "provider-state answers with status {}",
                reply.status
            )));
            return Err(ProbeError::Harness(format!(
                "provider state `{state}` answered {}: {}",
                reply.status,
                cap(&reply.body, 500)
            )));
        }
        // An empty body (e.g. 204) is an empty answer (CONTRACT.md).
        let parsed = match reply.body.trim() {
            "" => Ok(serde_json::Value::Object(Default::default())),
            body => serde_json::from_str::<serde_json::Value>(body),
        };
        let Ok(answer) = parsed else {
            self.trail.fault = Some(nonsense("provider-state answers that are not JSON".into()));
            return Err(ProbeError::Harness(format!(
                "provider state `{state}` answered {} with a body that is not JSON: {}",
                reply.status,
                cap(&reply.body, 500)
            )));
        };
        self.emit(EvidenceItem::Note {
            text: format!("provider state: {state}"),
        });
        Ok(answer)
    }

    /// Register every credential a request or an answer carries (session
    /// tokens, cookies, secrets in a JSON body), before any evidence of it
    /// is emitted.
    fn learn_credentials(&self, headers: &[(String, String)], body: &str) {
        let secrets = self.world.secrets();
        for (name, value) in headers {
            secrets.register_header_credentials(name, value);
        }
        secrets.register_credentials_in_text(body);
    }

    fn token_responder(&self, knobs: &TokenEndpoint) -> Result<TokenResponder, ProbeError> {
        let secret = self.secret(knobs.tenant, &knobs.key)?;
        let secrets = self.world.secrets().clone();
        let knobs = knobs.clone();
        Ok(TokenResponder {
            make: Arc::new(move || {
                let now = unix_now() + knobs.clock_offset_seconds;
                let expires = now + knobs.lifetime_seconds;
                let compact = knobs.identity.compact(expires);
                let hmac = hmac_hex(secret.as_bytes(), compact.as_bytes());
                secrets.register(&hmac);
                let user = if knobs.reserialize {
                    Layout {
                        indent: Some(2),
                        ..Layout::compact()
                    }
                    .render(&knobs.identity.fields(expires))
                } else {
                    compact
                };
                json!({"user": user, "userHmac": hmac})
            }),
        })
    }

    /// The checks every page gets, whatever the scenario: no credential the
    /// run knows in a URL, a Referer or script-readable storage.
    fn general_checks(&mut self, page: &HostPage, public_key: &str, view: &PageView) {
        let mut credentials: Vec<Credential> = Vec::new();
        if let PageUser::Signed { user, hmac } = &page.user {
            credentials.push(Credential {
                kind: CredentialKind::UserString,
                value: user.clone(),
            });
            credentials.push(Credential {
                kind: CredentialKind::Hmac,
                value: hmac.clone(),
            });
        }
        for token in bearer_tokens(view) {
            credentials.push(Credential {
                kind: CredentialKind::SessionToken,
                value: token,
            });
        }
        for value in self.world.secrets().snapshot() {
            if value != public_key && !credentials.iter().any(|c| c.value == value) {
                credentials.push(Credential {
                    kind: CredentialKind::Secret,
                    value,
                });
            }
        }
        let own = &self.trail.canaries;
        let foreign: Vec<String> = self
            .world
            .canaries()
            .into_iter()
            .filter(|c| !own.contains(c))
            .collect();
        let mut findings = exposures(view, &credentials);
        findings.extend(foreign_tickets(view, &foreign));
        for found in findings {
            if !self.trail.exposures.contains(&found) {
                self.trail.exposures.push(found);
            }
        }
        for gap in unobserved(view) {
            let note = format!("general checks could not observe {gap}");
            if !self.trail.unobserved.contains(&note) {
                self.trail.unobserved.push(note.clone());
                self.note(note);
            }
        }
    }

    fn remember_identity(&mut self, identity: &Identity) {
        if let Some(id) = &identity.external_user_id {
            self.trail.external_user_id = Some(id.clone());
        }
    }
}

fn tenant_word(tenant: Tenant) -> &'static str {
    match tenant {
        Tenant::Primary => "primary",
        Tenant::Secondary => "secondary",
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[async_trait]
impl Probe for LiveProbe<'_> {
    fn facts(&self) -> &TargetFacts {
        &self.facts
    }

    fn now(&self) -> i64 {
        unix_now()
    }

    fn unique(&mut self, label: &str) -> String {
        format!("{label}-{}-{}", self.world.run_id, self.world.next())
    }

    fn origin(&self, site: Site) -> String {
        self.world.sites.origin(site)
    }

    fn public_key(&self, tenant: Tenant) -> String {
        self.keys(tenant)
            .map(|k| k.public_key.clone())
            .unwrap_or_default()
    }

    fn secret_shown(&self, tenant: Tenant, text: &str) -> Option<&'static str> {
        let keys = self.keys(tenant).ok()?;
        std::iter::once(&keys.current)
            .chain(keys.rotated.as_ref())
            .find_map(|secret| scenarios::sections::handshake::secret::shows_secret(text, secret))
    }

    fn sign(&self, tenant: Tenant, key: SigningKey, user: &str) -> Result<String, ProbeError> {
        let hmac = hmac_hex(self.secret(tenant, &key)?.as_bytes(), user.as_bytes());
        self.world.register_secret(&hmac);
        Ok(hmac)
    }

    async fn seed_user(
        &mut self,
        tenant: Tenant,
        spec: UserSpec,
    ) -> Result<SeededUser, ProbeError> {
        if let TenantSource::Fixed { .. } = self.world.tenants {
            let secondary = tenant == Tenant::Secondary;
            let found = self.world.seeded.iter().find(|u| {
                u.secondary == secondary
                    && match &spec {
                        UserSpec::Fresh => u.identity.external_user_id.is_some(),
                        UserSpec::EmailOnly => {
                            u.identity.external_user_id.is_none() && u.identity.email.is_some()
                        }
                        UserSpec::PhoneOnly => {
                            u.identity.external_user_id.is_none()
                                && u.identity.email.is_none()
                                && u.identity.phone.is_some()
                        }
                        UserSpec::SameIdAs(other) => {
                            u.identity.external_user_id.is_some()
                                && u.identity.external_user_id == other.external_user_id
                        }
                        // A declared user's subject is whatever the target seeded.
                        UserSpec::SubjectEndsWith(_) => false,
                    }
            });
            let found = found.ok_or_else(|| {
                ProbeError::Unsupported(format!(
                    "the target file seeds no {} user of kind {spec:?} and has no provider state",
                    tenant_word(tenant)
                ))
            })?;
            let user = SeededUser {
                tenant,
                identity: found.identity.clone(),
                canary: found.canary.clone(),
                ticket_id: found.ticket_id.clone(),
            };
            self.remember_identity(&user.identity);
            self.trail.canaries.push(user.canary.clone());
            return Ok(user);
        }
        let n = self.unique("u");
        let canary = spec.subject(&format!("CANARY-{}", random_secret()[..16].to_uppercase()));
        // Known before the target sees it: a page of another scenario that
        // shows it, even while this one is still seeding, is caught.
        self.trail.canaries.push(canary.clone());
        self.world.register_canary(&canary);
        let identity = spec.identity(&n, self.world.next());
        let public_key = self.keys(tenant)?.public_key.clone();
        let mut params = json!({"publicKey": public_key, "subject": canary});
        if let Some(v) = &identity.external_user_id {
            params["externalUserId"] = json!(v);
        }
        if let Some(v) = &identity.email {
            params["email"] = json!(v);
        }
        if let Some(v) = &identity.phone {
            params["phone"] = json!(v);
        }
        let answer = self.provider_state(STATE_USER_HAS_TICKET, params).await?;
        let ticket_id = match &answer[scenarios::contract::wire::FIELD_STATE_TICKET_ID] {
            serde_json::Value::String(id) => Some(id.clone()),
            serde_json::Value::Number(id) => Some(id.to_string()),
            _ => None,
        };
        self.remember_identity(&identity);
        self.emit(EvidenceItem::Note {
            text: format!(
                "seeded {} user {} with canary ticket {canary}",
                tenant_word(tenant),
                identity.label()
            ),
        });
        Ok(SeededUser {
            tenant,
            identity,
            canary,
            ticket_id,
        })
    }

    async fn rotate_secret(&mut self, tenant: Tenant) -> Result<(), ProbeError> {
        if let TenantSource::Fixed { .. } = self.world.tenants {
            return match self.keys(tenant)?.rotated {
                Some(_) => Ok(()),
                None => Err(ProbeError::Unsupported(
                    "the target has no provider state and its file declares no rotated_secret_env"
                        .into(),
                )),
            };
        }
        let new_secret = random_secret();
        self.world.register_secret(&new_secret);
        let public_key = self.keys(tenant)?.public_key.clone();
        self.provider_state(
            STATE_SECRET_ROTATED,
            json!({"publicKey": public_key, "newSecret": new_secret}),
        )
        .await?;
        let keys = match tenant {
            Tenant::Primary => self.primary.as_mut(),
            Tenant::Secondary => self.secondary.as_mut(),
        }
        .ok_or_else(|| ProbeError::Harness("tenants were not prepared".into()))?;
        keys.rotated = Some(std::mem::replace(&mut keys.current, new_secret));
        Ok(())
    }

    async fn api(&mut self, call: ApiCall) -> Result<ApiReply, ProbeError> {
        if let Some(body) = &call.body {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
                if let Some(pk) = value["publicKey"].as_str() {
                    self.trail.public_key = Some(pk.to_string());
                }
            }
        }
        let result = self
            .world
            .client
            .send(
                &call.method,
                &call.path,
                &call.headers,
                call.body.as_deref(),
            )
            .await;
        let url = format!("{}{}", self.world.portal_origin, call.path);
        self.learn_credentials(&call.headers, call.body.as_deref().unwrap_or(""));
        self.world.secrets().register_url_credentials(&url);
        match result {
            Ok(response) => {
                self.learn_credentials(&response.headers, &response.body);
                self.emit(EvidenceItem::Http(HttpExchange {
                    method: call.method.clone(),
                    url,
                    request_headers: call.headers.clone(),
                    request_body: call.body.as_deref().map(|b| cap(b, EVIDENCE_CAP)),
                    status: Some(response.status),
                    response_headers: response.headers.clone(),
                    response_body: cap(&response.body, EVIDENCE_CAP),
                    elapsed_ms: response.elapsed.as_millis() as u64,
                }));
                Ok(ApiReply {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                    elapsed: response.elapsed,
                })
            }
            Err(e) => {
                self.trail.fault = e.fault();
                let detail = error_chain(&e);
                self.emit(EvidenceItem::Http(HttpExchange {
                    method: call.method.clone(),
                    url,
                    request_headers: call.headers.clone(),
                    request_body: call.body.as_deref().map(|b| cap(b, EVIDENCE_CAP)),
                    status: None,
                    response_headers: Vec::new(),
                    response_body: detail.clone(),
                    elapsed_ms: 0,
                }));
                Err(ProbeError::Harness(format!(
                    "{} {}: {detail}",
                    call.method, call.path
                )))
            }
        }
    }

    async fn open_page(&mut self, page: HostPage) -> Result<PageView, ProbeError> {
        let browser = self.browser.ok_or_else(|| {
            ProbeError::Harness(
                "this scenario was not given a browser (declare Need::Browser)".into(),
            )
        })?;
        let n = self.world.next();
        let base = format!("/p/{}/{}/{n}", self.world.run_id, self.slug);
        let mut ctx = PageContext {
            portal_origin: self.world.portal_origin.clone(),
            script_url: self.world.script_url.clone(),
            public_key: self.keys(page.tenant)?.public_key.clone(),
            claimed_origin: page.claimed_origin.map(|s| self.world.sites.origin(s)),
            nonce: random_secret()[..24].to_string(),
            token_url: None,
            resign_token_url: None,
            forger: None,
            catcher: None,
            bystander: None,
        };
        self.trail.public_key = Some(ctx.public_key.clone());
        if let Some(forger) = &page.forger {
            let path = format!("{base}/forger.html");
            self.world
                .sites
                .serve_page(&path, render_forger(&forger.messages, forger.into), None)
                .await;
            let origin = self.world.sites.origin(forger.site);
            ctx.forger = Some(ForeignDocument {
                url: format!("{origin}{path}"),
                origin,
            });
        }
        if let OnReady::NavigateFrameThenSetUser { to, .. } = &page.on_ready {
            let path = format!("{base}/catcher.html");
            self.world
                .sites
                .serve_page(&path, render_catcher(), None)
                .await;
            let origin = self.world.sites.origin(*to);
            ctx.catcher = Some(ForeignDocument {
                url: format!("{origin}{path}"),
                origin,
            });
        }
        if let Some(site) = page.bystander {
            let path = format!("{base}/bystander.html");
            self.world
                .sites
                .serve_page(&path, render_catcher(), None)
                .await;
            let origin = self.world.sites.origin(site);
            ctx.bystander = Some(ForeignDocument {
                url: format!("{origin}{path}"),
                origin,
            });
        }
        if let PageUser::FromTokenEndpoint(knobs) = &page.user {
            let cfg = format!("{n}-first");
            self.world
                .sites
                .serve_token(&cfg, self.token_responder(knobs)?)
                .await;
            ctx.token_url = Some(format!("{TOKEN_PATH}?cfg={cfg}"));
            self.remember_identity(&knobs.identity);
        }
        if let OnExpiring::Resign(knobs) = &page.on_expiring {
            let cfg = format!("{n}-resign");
            self.world
                .sites
                .serve_token(&cfg, self.token_responder(knobs)?)
                .await;
            ctx.resign_token_url = Some(format!("{TOKEN_PATH}?cfg={cfg}"));
        }
        let rendered = render(&page, &ctx);
        let page_path = format!("{base}/index.html");
        self.world
            .sites
            .serve_page(&page_path, rendered.html, rendered.csp.as_deref())
            .await;
        let mut url = format!("{}{page_path}", self.world.sites.origin(page.site));
        // The pages the host page is nested in, innermost first.
        for (level, site) in page.framed_in.iter().enumerate().rev() {
            let path = format!("{base}/nest-{level}.html");
            self.world
                .sites
                .serve_page(&path, render_nest(&url), None)
                .await;
            url = format!("{}{path}", self.world.sites.origin(*site));
        }
        let own = match page.third_party_cookies {
            ThirdPartyCookies::EngineDefault => None,
            ThirdPartyCookies::Blocked => {
                browser.blocking_third_party_cookies().await.map_err(|e| {
                    ProbeError::Harness(format!(
                        "starting a browser that blocks third-party cookies: {}",
                        error_chain(&e)
                    ))
                })?
            }
        };
        self.trail.in_page = true;
        let watched = self
            .watch_page(own.as_ref().unwrap_or(browser), &page, &ctx, &url)
            .await;
        self.trail.in_page = false;
        if let Some(own) = own {
            own.close().await;
        }
        let view = watched?;
        self.trail.console_errors.extend(
            view.console
                .iter()
                .filter(|m: &&ConsoleMessage| m.level == "error")
                .map(|m| m.text.clone()),
        );
        let view_json = serde_json::to_value(&view).unwrap_or(serde_json::Value::Null);
        // Tokens the page learned (in SDK event details, the frame's URL,
        // the bearer credentials its requests carried).
        self.world.secrets().register_credentials(&view_json);
        for token in bearer_tokens(&view) {
            self.world.secrets().register(&token);
        }
        self.general_checks(&page, &ctx.public_key, &view);
        self.emit(EvidenceItem::Page {
            site: url.clone(),
            view: Box::new(view.evidence()),
        });
        Ok(view)
    }
    async fn canary_hits(&mut self) -> Result<Vec<RecordedRequest>, ProbeError> {
        let prefix = format!("/{}/{}/", self.world.run_id, self.slug);
        let hits = self.world.sites.canary_hits(&prefix).await;
        for hit in &hits {
            // What reached the attacker's host is what leaked: never repeat it.
            self.world.secrets().register_url_credentials(&hit.url);
            for (name, value) in &hit.headers {
                self.world
                    .secrets()
                    .register_header_credentials(name, value);
            }
            self.emit(EvidenceItem::CanaryHit {
                method: hit.method.clone(),
                url: hit.url.clone(),
            });
        }
        Ok(hits)
    }

    fn canary_url(&self, label: &str) -> String {
        format!(
            "{}/{}/{}/{label}",
            self.world.sites.canary_origin(),
            self.world.run_id,
            self.slug
        )
    }

    async fn wait_until(&mut self, unix_seconds: i64) -> Result<(), ProbeError> {
        let limit = unix_seconds - unix_now() + 2;
        if limit > 600 {
            return Err(ProbeError::Harness(format!("refusing to wait {limit} s")));
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(limit.max(0) as u64);
        while unix_now() <= unix_seconds {
            if tokio::time::Instant::now() > deadline {
                return Err(ProbeError::Harness("clock did not advance".into()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    fn note(&mut self, text: String) {
        self.emit(EvidenceItem::Note { text });
    }

    fn seed(&self) -> u64 {
        self.seed
    }
}

/// Writes a `SameSite=None; Secure` cookie in the portal frame (a document
/// of the portal origin) and reads it back, then removes it. `None` when
/// the frame could not be entered or is not the portal's document.
const FRAME_COOKIE: &str = r#"
if (location.origin !== arguments[0]) { return null; }
var name = 'portalcheck_probe_' + Math.random().toString(36).slice(2);
document.cookie = name + '=1; SameSite=None; Secure; Path=/; Max-Age=60';
var kept = document.cookie.split('; ').indexOf(name + '=1') >= 0;
document.cookie = name + '=; SameSite=None; Secure; Path=/; Max-Age=0';
return kept;
"#;

async fn frame_cookie(session: &BrowserSession, portal_origin: &str) -> Option<FrameCookie> {
    let value = in_frame(session, FRAME_COOKIE, vec![json!(portal_origin)])
        .await
        .ok()??;
    match value.as_bool()? {
        true => Some(FrameCookie::Kept),
        false => Some(FrameCookie::Refused),
    }
}
