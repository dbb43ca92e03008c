//! The run's world: the per-run CA, the mocked hosts, the target portal
//! (the bundled reference started in-process, or any implementation a
//! target file describes), the client that talks to it and the facts
//! scenarios may know. Built once per run and shared by every scenario.
//!
//! Below it: the mocked hosts (`sites`) and host pages (`host_page`), the
//! target file (`target`), what TLS trusts (`trust`, `spki`), the HTTPS
//! client (`portal_client`), the live probe (`live_probe`) and
//! `serve-reference` (`serve`).

pub mod host_page;
pub mod live_probe;
pub mod portal_client;
pub mod serve;
pub mod sites;
pub mod spki;
pub mod target;
pub mod trust;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use fixtures::defects::DefectSet;
use fixtures::reference::{ReferenceConfig, ReferencePortal, RunningPortal};
use fixtures::tls::{IssuedCert, TestCa};
use rand::RngCore;
use reports::event::TargetMeta;
use reports::Secrets;
use scenarios::contract::{PROVIDER_STATE_PATH, SCRIPT_PATH};
use scenarios::probe::TargetFacts;
use thiserror::Error;

use crate::world::portal_client::{ClientError, PortalClient};
use crate::world::sites::{MockSites, SiteError, SitePorts, SITE_NAMES};
use crate::world::target::{secret_from_env, TargetError, TargetFile, TenantRole};
use crate::world::trust::{Trust, TrustError};

/// The portal's host name when portalcheck runs the reference.
pub const REFERENCE_HOST: &str = "portal.userhero.test";

#[derive(Debug, Error)]
pub enum WorldError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("could not make the run's certificates")]
    Tls(#[source] fixtures::tls::TlsError),
    #[error("could not start the mocked hosts")]
    Sites(#[source] SiteError),
    #[error("could not start the reference portal")]
    Reference(#[source] fixtures::reference::ReferenceError),
    #[error("unknown defect `{0}` (see `portalcheck serve-reference --list-defects`)")]
    UnknownDefect(String),
    #[error("--defect applies to the bundled reference only, not to a --target")]
    DefectWithTarget,
    #[error("the portal at {origin} is unreachable: {detail}")]
    Unreachable { origin: String, detail: String },
    #[error("could not read the target's CA file {path}")]
    CaFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Trust(#[from] TrustError),
}

/// A tenant's keys as the harness knows them. Secrets stay here and in the
/// signer; they are registered for redaction in every report.
#[derive(Clone)]
pub struct TenantKeys {
    pub public_key: String,
    pub current: String,
    pub rotated: Option<String>,
}

/// How tenants come to exist for a scenario.
pub enum TenantSource {
    /// Fresh tenants per scenario through the provider-state endpoint.
    ProviderState {
        url_path: String,
        token: Option<String>,
        client: PortalClient,
    },
    /// Tenants the target file lists.
    Fixed {
        primary: TenantKeys,
        secondary: Option<TenantKeys>,
    },
}

/// A pre-seeded user from the target file.
#[derive(Debug, Clone)]
pub struct SeededEntry {
    pub secondary: bool,
    pub identity: scenarios::payload::Identity,
    pub canary: String,
    pub ticket_id: Option<String>,
}

pub struct World {
    pub run_id: String,
    pub portal_origin: String,
    pub script_url: String,
    pub client: PortalClient,
    pub tenants: TenantSource,
    pub seeded: Vec<SeededEntry>,
    pub sites: MockSites,
    /// SPKI pins for Chromium: the run's key, plus the target's leaf.
    pub spki_pins: Vec<String>,
    /// PEM of every CA the browser must trust (the run's, the target's).
    pub ca_pems: Vec<String>,
    pub facts: TargetFacts,
    pub target: TargetMeta,
    /// A secret no tenant has (`SigningKey::Unrelated`).
    pub unrelated_secret: String,
    secrets: Secrets,
    /// The canary ticket text of every user the run knows (declared in the
    /// target file, or seeded by a scenario so far).
    canaries: std::sync::Mutex<Vec<String>>,
    counter: AtomicU64,
    _reference: Option<RunningPortal>,
    _ca: Arc<TestCa>,
}

/// What to run against.
#[derive(Clone, Default)]
pub struct WorldOptions {
    pub target: Option<PathBuf>,
    pub defects: Vec<String>,
    /// A CA shared between worlds, so that one browser pool (which pins
    /// the CA's leaf key) can serve them all; a fresh one otherwise.
    pub ca: Option<Arc<TestCa>>,
    /// Where every secret the world learns is registered, for redaction.
    pub secrets: Secrets,
}

/// The test knob `PORTALCHECK_REFERENCE_TOKEN_SHAPE` (`hex`, `base64url`,
/// `jwt`, `escaping`): the shape of the bundled reference's session tokens,
/// so redaction is tested with each. Unset or unknown: hex.
pub const TOKEN_SHAPE_ENV: &str = "PORTALCHECK_REFERENCE_TOKEN_SHAPE";

/// The test knob `PORTALCHECK_REFERENCE_SECRET_LOG`: a file the bundled
/// reference appends every secret it issues or accepts to.
pub const SECRET_LOG_ENV: &str = "PORTALCHECK_REFERENCE_SECRET_LOG";

fn reference_token_shape() -> fixtures::reference::TokenShape {
    std::env::var(TOKEN_SHAPE_ENV)
        .ok()
        .and_then(|name| fixtures::reference::TokenShape::parse(&name))
        .unwrap_or_default()
}

/// 32 random bytes, hex.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn parse_defects(names: &[String]) -> Result<DefectSet, WorldError> {
    DefectSet::parse(names.iter().map(String::as_str)).map_err(|e| WorldError::UnknownDefect(e.0))
}

impl World {
    pub async fn start(options: &WorldOptions) -> Result<World, WorldError> {
        let ca = match &options.ca {
            Some(ca) => ca.clone(),
            None => Arc::new(TestCa::new().map_err(WorldError::Tls)?),
        };
        let mut names: Vec<&str> = SITE_NAMES.to_vec();
        names.push(REFERENCE_HOST);
        let cert: IssuedCert = ca.issue(&names).map_err(WorldError::Tls)?;
        let run_id = random_secret()[..10].to_string();
        let unrelated_secret = random_secret();
        let mut spki_pins = vec![cert.spki_sha256_base64()];
        let mut trust = Trust::with_root(ca.cert_der());
        let mut ca_pems = vec![ca.cert_pem()];
        match &options.target {
            None => {
                let defects = parse_defects(&options.defects)?;
                let sites = MockSites::start(&cert, SitePorts::default())
                    .await
                    .map_err(WorldError::Sites)?;
                let token = random_secret();
                let reference = ReferencePortal::start(ReferenceConfig {
                    host: REFERENCE_HOST.to_string(),
                    bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                    tls: cert.server_config().map_err(WorldError::Tls)?,
                    defects: defects.clone(),
                    tenants: Vec::new(),
                    provider_state_token: Some(token.clone()),
                    token_shape: reference_token_shape(),
                    secret_log: std::env::var_os(SECRET_LOG_ENV).map(PathBuf::from),
                })
                .await
                .map_err(WorldError::Reference)?;
                let portal_origin = reference.origin().to_string();
                let client = PortalClient::new(&portal_origin, &trust)?;
                let mut defect_names: Vec<String> =
                    defects.iter().map(|d| d.name().to_string()).collect();
                defect_names.sort();
                let world = World {
                    run_id,
                    script_url: format!("{portal_origin}{SCRIPT_PATH}"),
                    client: client.clone(),
                    tenants: TenantSource::ProviderState {
                        url_path: PROVIDER_STATE_PATH.to_string(),
                        token: Some(token.clone()),
                        client,
                    },
                    seeded: Vec::new(),
                    sites,
                    spki_pins,
                    facts: TargetFacts {
                        portal_origin: portal_origin.clone(),
                        public_keys: Default::default(),
                        provider_state: true,
                    },
                    target: TargetMeta {
                        name: "reference".into(),
                        version: Some(env!("CARGO_PKG_VERSION").into()),
                        portal_origin: portal_origin.clone(),
                        reference: true,
                        defects: defect_names,
                        file: None,
                    },
                    portal_origin,
                    unrelated_secret: unrelated_secret.clone(),
                    secrets: options.secrets.with([token, unrelated_secret]),
                    canaries: Default::default(),
                    counter: AtomicU64::new(0),
                    _reference: Some(reference),
                    _ca: ca,
                    ca_pems: ca_pems.clone(),
                };
                world.check_reachable().await?;
                Ok(world)
            }
            Some(path) => {
                if !options.defects.is_empty() {
                    return Err(WorldError::DefectWithTarget);
                }
                let (file, dir) = TargetFile::load(path)?;
                if let Some(ca_file) = &file.ca_file {
                    let ca_path = dir.join(ca_file);
                    let pem =
                        std::fs::read_to_string(&ca_path).map_err(|source| WorldError::CaFile {
                            path: ca_path.clone(),
                            source,
                        })?;
                    trust.add_ca_file(&ca_path, &pem)?;
                    ca_pems.push(pem.clone());
                    spki_pins.extend(trust.pins());
                }
                let ports = SitePorts {
                    https: file.sites.https_port,
                    http: file.sites.http_port,
                    other: file.sites.other_port,
                };
                let sites = MockSites::start(&cert, ports)
                    .await
                    .map_err(WorldError::Sites)?;
                let client = PortalClient::new(&file.portal_origin, &trust)?;
                match crate::world::spki::leaf_spki_pin(&file.portal_origin, &trust).await {
                    Ok(pin) if spki_pins.contains(&pin) => {}
                    Ok(pin) => spki_pins.push(pin),
                    Err(e) if e.dead_target() => {
                        return Err(WorldError::Unreachable {
                            origin: file.portal_origin.clone(),
                            detail: error_chain(&e),
                        })
                    }
                    // Reported by the reachability check below.
                    Err(_) => {}
                }
                let mut secrets = vec![unrelated_secret.clone()];
                let tenants = match &file.provider_state {
                    Some(ps) => {
                        let token = match &ps.token_env {
                            Some(var) => {
                                Some(secret_from_env(path, var, "provider_state.token_env")?)
                            }
                            None => None,
                        };
                        secrets.extend(token.clone());
                        let url = ps.url.clone().unwrap_or_else(|| {
                            format!("{}{PROVIDER_STATE_PATH}", file.portal_origin)
                        });
                        let parsed = url::Url::parse(&url).map_err(|e| TargetError::Invalid {
                            path: path.clone(),
                            message: format!("provider_state.url {url:?}: {e}"),
                        })?;
                        let origin = parsed.origin().ascii_serialization();
                        let ps_client = PortalClient::new(&origin, &trust)?;
                        let mut url_path = parsed.path().to_string();
                        if let Some(q) = parsed.query() {
                            url_path.push('?');
                            url_path.push_str(q);
                        }
                        TenantSource::ProviderState {
                            url_path,
                            token,
                            client: ps_client,
                        }
                    }
                    None => {
                        let mut primary = None;
                        let mut secondary = None;
                        for t in &file.tenants {
                            let current =
                                secret_from_env(path, &t.secret_env, "tenants.secret_env")?;
                            let rotated = match &t.rotated_secret_env {
                                Some(var) => {
                                    Some(secret_from_env(path, var, "tenants.rotated_secret_env")?)
                                }
                                None => None,
                            };
                            secrets.push(current.clone());
                            secrets.extend(rotated.clone());
                            let keys = TenantKeys {
                                public_key: t.public_key.clone(),
                                current,
                                rotated,
                            };
                            match t.role {
                                TenantRole::Primary => primary = Some(keys),
                                TenantRole::Secondary => secondary = Some(keys),
                            }
                        }
                        let primary = primary.ok_or_else(|| TargetError::Invalid {
                            path: path.clone(),
                            message: "no tenant with role = \"primary\"".into(),
                        })?;
                        TenantSource::Fixed { primary, secondary }
                    }
                };
                let seeded: Vec<SeededEntry> = file
                    .users
                    .iter()
                    .map(|u| SeededEntry {
                        secondary: u.tenant == TenantRole::Secondary,
                        identity: scenarios::payload::Identity {
                            external_user_id: u.external_user_id.clone(),
                            email: u.email.clone(),
                            phone: u.phone.clone(),
                        },
                        canary: u.ticket_text.clone(),
                        ticket_id: u.ticket_id.clone(),
                    })
                    .collect();
                let mut public_keys = std::collections::BTreeMap::new();
                if let TenantSource::Fixed { primary, secondary } = &tenants {
                    public_keys.insert("primary".into(), primary.public_key.clone());
                    if let Some(s) = secondary {
                        public_keys.insert("secondary".into(), s.public_key.clone());
                    }
                }
                let declared_canaries: Vec<String> =
                    seeded.iter().map(|u| u.canary.clone()).collect();
                let world = World {
                    run_id,
                    script_url: file
                        .script_url
                        .clone()
                        .unwrap_or_else(|| format!("{}{SCRIPT_PATH}", file.portal_origin)),
                    client,
                    facts: TargetFacts {
                        portal_origin: file.portal_origin.clone(),
                        public_keys,
                        provider_state: matches!(tenants, TenantSource::ProviderState { .. }),
                    },
                    tenants,
                    seeded,
                    sites,
                    spki_pins,
                    target: TargetMeta {
                        name: file.name.clone(),
                        version: file.version.clone(),
                        portal_origin: file.portal_origin.clone(),
                        reference: false,
                        defects: Vec::new(),
                        file: Some(crate::world::target::display_path(path)),
                    },
                    portal_origin: file.portal_origin.clone(),
                    unrelated_secret,
                    secrets: options.secrets.with(secrets),
                    canaries: std::sync::Mutex::new(declared_canaries),
                    counter: AtomicU64::new(0),
                    _reference: None,
                    _ca: ca,
                    ca_pems: ca_pems.clone(),
                };
                world.check_reachable().await?;
                Ok(world)
            }
        }
    }

    /// The portal must serve its SDK before anything is worth running.
    async fn check_reachable(&self) -> Result<(), WorldError> {
        let path = self
            .script_url
            .strip_prefix(&self.portal_origin)
            .unwrap_or(SCRIPT_PATH)
            .to_string();
        match self.client.send("GET", &path, &[], None).await {
            Ok(r) if r.status == 200 => Ok(()),
            Ok(r) => Err(WorldError::Unreachable {
                origin: self.portal_origin.clone(),
                detail: format!("GET {path} answered {}", r.status),
            }),
            Err(e) => Err(WorldError::Unreachable {
                origin: self.portal_origin.clone(),
                detail: error_chain(&e),
            }),
        }
    }

    /// A number unique within the run.
    pub fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// Remember a secret so that every report redacts it.
    pub fn register_secret(&self, secret: &str) {
        self.secrets.register(secret);
    }

    /// Remember a user's canary ticket text: no page of another scenario
    /// may show it.
    pub fn register_canary(&self, canary: &str) {
        let mut canaries = self.canaries.lock().unwrap_or_else(|e| e.into_inner());
        if !canaries.iter().any(|c| c == canary) {
            canaries.push(canary.to_string());
        }
    }

    /// Every canary the run knows so far.
    pub fn canaries(&self) -> Vec<String> {
        self.canaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Where the run's secrets are registered (what its outputs redact).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub fn shared(self) -> Arc<World> {
        Arc::new(self)
    }
}

/// An error with its sources, on one line.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
