//! Target files: how any Embedded Portal implementation plugs in. A TOML
//! file names the portal's origin, how to reach its provider-state
//! endpoint (or which users and tenants it already has). Secrets are
//! never written in the file: it names the environment variables that
//! hold them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TargetError {
    #[error("cannot read target file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("target file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("target file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("target file {path}: environment variable {var} (named by {field}) is not set")]
    MissingSecret {
        path: PathBuf,
        var: String,
        field: String,
    },
}

/// The target file as written (and as `serve-reference --write-target`
/// writes it).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// A name for reports.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// e.g. `https://portal.userhero.test:8443`.
    pub portal_origin: String,
    /// Defaults to `{portal_origin}/portal.js`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_url: Option<String>,
    /// PEM file of the CA that issued the portal's certificate, relative to
    /// the target file. Its leaf key is pinned in the browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_state: Option<ProviderStateConfig>,
    #[serde(default, skip_serializing_if = "SitesConfig::is_default")]
    pub sites: SitesConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<TenantEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderStateConfig {
    /// Defaults to `{portal_origin}/_provider/state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Environment variable holding the `X-Provider-State-Token`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
}

/// Fixed ports for the mocked sites, when the target's allowlists name them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SitesConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_port: Option<u16>,
}

impl SitesConfig {
    fn is_default(&self) -> bool {
        *self == SitesConfig::default()
    }
}

/// Which of the two tenants a `[[tenants]]` or `[[users]]` entry is:
/// exactly `primary` or `secondary` (anything else, `Secondary` too, is
/// an error of the file, never silently the primary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantRole {
    /// Allowlists `https://shop-a.test:{https_port}`.
    Primary,
    /// Allowlists `https://shop-b.test:{https_port}`.
    Secondary,
}

/// A pre-existing tenant (targets without a provider-state endpoint).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TenantEntry {
    pub role: TenantRole,
    pub public_key: String,
    pub secret_env: String,
    /// A secret already rotated out, for the rotation scenarios.
    pub rotated_secret_env: Option<String>,
}

/// A pre-seeded user with one ticket.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    pub tenant: TenantRole,
    pub external_user_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Text unique to this user's ticket (the canary).
    pub ticket_text: String,
    pub ticket_id: Option<String>,
}

impl TargetFile {
    pub fn load(path: &Path) -> Result<(TargetFile, PathBuf), TargetError> {
        let text = std::fs::read_to_string(path).map_err(|source| TargetError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: TargetFile = toml::from_str(&text).map_err(|e| TargetError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| TargetError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let origin = url::Url::parse(&file.portal_origin)
            .map_err(|e| invalid(format!("portal_origin {:?}: {e}", file.portal_origin)))?;
        if origin.scheme() != "https" {
            return Err(invalid(
                "portal_origin must be https (the portal is only ever embedded over HTTPS)".into(),
            ));
        }
        if file.provider_state.is_none() && file.tenants.is_empty() {
            return Err(invalid(
                "give either [provider_state] or [[tenants]] (with [[users]]): portalcheck needs a way to know the tenants' secrets".into(),
            ));
        }
        for role in [TenantRole::Primary, TenantRole::Secondary] {
            if file.tenants.iter().filter(|t| t.role == role).count() > 1 {
                return Err(invalid(format!("more than one tenant with role {role:?}")));
            }
        }
        if !file.tenants.is_empty() {
            if !file.tenants.iter().any(|t| t.role == TenantRole::Primary) {
                return Err(invalid("no tenant with role = \"primary\"".into()));
            }
            for u in &file.users {
                if !file.tenants.iter().any(|t| t.role == u.tenant) {
                    return Err(invalid(format!(
                        "a user names tenant {:?}, which no [[tenants]] entry declares",
                        u.tenant
                    )));
                }
            }
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((file, dir))
    }
}

/// Read a secret from the environment variable a target file names.
pub fn secret_from_env(path: &Path, var: &str, field: &str) -> Result<String, TargetError> {
    std::env::var(var).map_err(|_| TargetError::MissingSecret {
        path: path.to_path_buf(),
        var: var.to_string(),
        field: field.to_string(),
    })
}

/// How reports name a target file: relative to the working directory when
/// it lies under it (symlinks resolved, `/`-separated), which is how a CI
/// user's repository has it; otherwise the path as given.
pub fn display_path(path: &Path) -> String {
    let under_cwd = std::env::current_dir()
        .and_then(|cwd| Ok((cwd.canonicalize()?, path.canonicalize()?)))
        .ok()
        .and_then(|(cwd, full)| full.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    match under_cwd {
        Some(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_file_under_the_working_directory_is_named_relative_to_it() {
        let cwd = std::env::current_dir().unwrap();
        let dir = tempfile::tempdir_in(&cwd).unwrap();
        std::fs::create_dir(dir.path().join("ci")).unwrap();
        let path = dir.path().join("ci").join("target.toml");
        std::fs::write(&path, "").unwrap();
        let name = dir
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert_eq!(display_path(&path), format!("{name}/ci/target.toml"));
        let relative = Path::new(".").join(&name).join("ci/../ci/target.toml");
        assert_eq!(display_path(&relative), format!("{name}/ci/target.toml"));
    }

    #[test]
    fn a_target_file_elsewhere_keeps_its_path() {
        let (_d, path) = write("");
        let cwd = std::env::current_dir().unwrap();
        if !path.starts_with(&cwd) {
            assert_eq!(display_path(&path), path.display().to_string());
        }
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("target.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn provider_state_target_loads() {
        let (_d, path) = write(
            "name = \"x\"\nportal_origin = \"https://portal.example.test:8443\"\n[provider_state]\ntoken_env = \"T\"\n",
        );
        let (file, _) = TargetFile::load(&path).unwrap();
        assert_eq!(file.name, "x");
        assert!(file.provider_state.is_some());
    }

    #[test]
    fn http_portal_is_refused_with_a_reason() {
        let (_d, path) =
            write("name = \"x\"\nportal_origin = \"http://p.test\"\n[provider_state]\n");
        let err = TargetFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("must be https"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let (_d, path) = write(
            "name = \"x\"\nportal_origin = \"https://p.test\"\nsecret = \"s\"\n[provider_state]\n",
        );
        assert!(TargetFile::load(&path)
            .unwrap_err()
            .to_string()
            .contains("unknown field"));
    }

    const DECLARED: &str = "name = \"x\"\nportal_origin = \"https://p.test\"\n\
        [[tenants]]\nrole = \"primary\"\npublic_key = \"pk_a\"\nsecret_env = \"A\"\n\
        [[tenants]]\nrole = \"secondary\"\npublic_key = \"pk_b\"\nsecret_env = \"B\"\n";

    #[test]
    fn declared_tenants_and_users_load_with_their_roles() {
        let (_d, path) = write(&format!(
            "{DECLARED}[[users]]\ntenant = \"secondary\"\nexternal_user_id = \"u-b\"\nticket_text = \"canary-b\"\n"
        ));
        let (file, _) = TargetFile::load(&path).unwrap();
        assert!(file.provider_state.is_none());
        let roles: Vec<TenantRole> = file.tenants.iter().map(|t| t.role).collect();
        assert_eq!(roles, [TenantRole::Primary, TenantRole::Secondary]);
        assert_eq!(file.users[0].tenant, TenantRole::Secondary);
    }

    #[test]
    fn a_written_target_file_loads_back_the_same() {
        let (_d, path) = write(&format!(
            "{DECLARED}[sites]\nhttps_port = 8444\n[[users]]\ntenant = \"secondary\"\nemail = \"b@x.test\"\nticket_text = \"canary-b\"\n"
        ));
        let (file, _) = TargetFile::load(&path).unwrap();
        let text = toml::to_string(&file).unwrap();
        let (_d2, again) = write(&text);
        let (back, _) = TargetFile::load(&again).unwrap();
        assert_eq!(toml::to_string(&back).unwrap(), text);
        assert!(
            !text.contains("script_url") && !text.contains("other_port"),
            "{text}"
        );
    }

    #[test]
    fn a_misspelled_role_is_an_error_not_the_primary() {
        let (_d, path) = write(&format!(
            "{DECLARED}[[users]]\ntenant = \"Secondary\"\nticket_text = \"c\"\n"
        ));
        let err = TargetFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("Secondary") && err.contains("secondary"),
            "{err}"
        );
        let (_d, path) = write(&DECLARED.replace("role = \"secondary\"", "role = \"second\""));
        let err = TargetFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("second"), "{err}");
    }

    #[test]
    fn declared_tenants_need_one_primary_and_users_a_declared_tenant() {
        let (_d, path) = write(&DECLARED.replace("role = \"primary\"", "role = \"secondary\""));
        let err = TargetFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("more than one tenant"), "{err}");
        let only_primary = DECLARED
            .split("[[tenants]]\nrole = \"secondary\"")
            .next()
            .unwrap();
        let (_d, path) = write(&format!(
            "{only_primary}[[users]]\ntenant = \"secondary\"\nticket_text = \"c\"\n"
        ));
        let err = TargetFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("no [[tenants]] entry"), "{err}");
    }

    #[test]
    fn a_target_needs_a_way_to_the_secrets() {
        let (_d, path) = write("name = \"x\"\nportal_origin = \"https://p.test\"\n");
        assert!(TargetFile::load(&path)
            .unwrap_err()
            .to_string()
            .contains("provider_state"));
    }
}
