//! `portalcheck serve-reference`: the bundled reference portal on its own,
//! on real HTTPS from a CA it makes, optionally broken by defect switches,
//! and optionally described by a target file for `portalcheck run --target`.

use std::net::SocketAddr;

use anyhow::Context;
use fixtures::reference::{ReferenceConfig, ReferencePortal};
use fixtures::tls::{IssuedCert, TestCa};
use reports::ExitCode;

use crate::cli::{ServeArgs, UsageError};
use crate::world::target::{ProviderStateConfig, SitesConfig, TargetFile};
use crate::world::{error_chain, parse_defects, REFERENCE_HOST};

/// The variable `--write-target` names for the provider-state token
/// (`--show-secrets` prints the value to export).
pub const PROVIDER_TOKEN_ENV: &str = "PORTALCHECK_PROVIDER_TOKEN";

pub async fn serve_reference(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.list_defects {
        print!("{}", fixtures::defects::defect_table());
        return Ok(ExitCode::Passed);
    }
    let defects = parse_defects(&args.defect).map_err(|e| UsageError(error_chain(&e)))?;
    // What the target file's `ca_file` holds: the CA, or the self-signed
    // certificate itself.
    let (cert, trusted_pem, trusted_name) = if args.self_signed {
        let cert = IssuedCert::self_signed(&[REFERENCE_HOST])
            .context("making the portal's self-signed certificate")?;
        let pem = cert.cert_pem.clone();
        (cert, pem, "reference-cert.pem")
    } else {
        let ca = TestCa::new().context("making the CA")?;
        let cert = ca
            .issue(&[REFERENCE_HOST])
            .context("issuing the portal's certificate")?;
        (cert, ca.cert_pem(), "reference-ca.pem")
    };
    let token = args.show_secrets.then(crate::world::random_secret);
    let mut config = ReferenceConfig::new(cert.server_config().context("TLS configuration")?);
    config.host = REFERENCE_HOST.to_string();
    config.bind = SocketAddr::from(([127, 0, 0, 1], args.port));
    config.defects = defects.clone();
    config.provider_state_token = token.clone();
    let portal = ReferencePortal::start(config)
        .await
        .with_context(|| format!("starting the reference portal on 127.0.0.1:{}", args.port))?;
    let origin = portal.origin().to_string();
    println!("reference portal: {origin}  (the name resolves only inside portalcheck's browser; it listens on {})", portal.tls_addr());
    println!("  SDK:            {origin}/portal.js");
    println!(
        "  provider state: {origin}{}",
        scenarios::contract::PROVIDER_STATE_PATH
    );
    let names: Vec<&str> = defects.iter().map(|d| d.name()).collect();
    println!(
        "  defects:        {}",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    );
    match &token {
        Some(t) => println!("  provider-state token (X-Provider-State-Token): {t}"),
        None => println!("  provider-state endpoint open (no token); tenants are created by portalcheck per scenario"),
    }
    if let Some(path) = &args.write_target {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let ca_path = dir.join(trusted_name);
        std::fs::write(&ca_path, trusted_pem)
            .with_context(|| format!("writing {}", ca_path.display()))?;
        let file = TargetFile {
            name: "reference (standalone)".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            portal_origin: origin.clone(),
            script_url: None,
            ca_file: Some(trusted_name.into()),
            provider_state: Some(ProviderStateConfig {
                url: None,
                token_env: token.is_some().then(|| PROVIDER_TOKEN_ENV.to_string()),
            }),
            sites: SitesConfig::default(),
            tenants: Vec::new(),
            users: Vec::new(),
        };
        let text = format!(
            "# Written by `portalcheck serve-reference`; test it with\n#   portalcheck run --target {}\n{}",
            path.display(),
            toml::to_string(&file).context("writing the target file as TOML")?
        );
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "  target file:    {} (CA in {})",
            path.display(),
            ca_path.display()
        );
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    portal.shutdown().await;
    Ok(ExitCode::Passed)
}
