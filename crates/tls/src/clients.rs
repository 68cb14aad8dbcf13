//! Handshake simulation: which protocol, suite and group common clients would negotiate, computed
//! from the scan's findings (accepted suites, server order, groups) and client profiles kept as
//! data in `data/clients.toml`. No handshake is sent.

use crate::report::{ProtocolResult, SupportStatus};
use crate::suites;
use crate::wire::Version;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const PROFILES_TOML: &str = include_str!("../data/clients.toml");

/// One client's default ClientHello, as data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientProfile {
    /// Display name, e.g. "Chrome 131 / Edge 131".
    pub name: String,
    /// Versions offered: ssl3, tls10, tls11, tls12, tls13.
    pub versions: Vec<String>,
    /// Cipher suites in offer order, as "0xc02f".
    pub suites: Vec<String>,
    /// Groups in preference order, by name.
    pub groups: Vec<String>,
    /// An old client kept for back-office integrations (failing it is reported, not graded).
    #[serde(default)]
    pub legacy: bool,
}

#[derive(Debug, Deserialize)]
struct ProfileFile {
    client: Vec<ClientProfile>,
}

/// What one client would get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimulatedHandshake {
    /// Client name.
    pub client: String,
    /// Old client (Android 4.4, Java 7, …).
    pub legacy: bool,
    /// Version negotiated (None: the handshake fails).
    pub protocol: Option<Version>,
    /// IANA name of the suite negotiated.
    pub suite: Option<String>,
    /// Key-exchange group the client would most likely use (its first choice the server accepts).
    pub group: Option<String>,
    /// Why the handshake fails (English).
    pub failure: Option<String>,
}

/// A bad row in the profile data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/clients.toml: {0}")]
pub struct ProfileError(String);

fn version_of(s: &str) -> Option<Version> {
    Some(match s {
        "ssl3" => Version::Ssl3,
        "tls10" => Version::Tls10,
        "tls11" => Version::Tls11,
        "tls12" => Version::Tls12,
        "tls13" => Version::Tls13,
        _ => return None,
    })
}

fn code_of(s: &str) -> Option<u16> {
    u16::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// Parses and checks profile data: every version, suite code and group name must be known.
pub fn parse_profiles(text: &str) -> Result<Vec<ClientProfile>, ProfileError> {
    let file: ProfileFile = toml::from_str(text).map_err(|e| ProfileError(e.to_string()))?;
    for c in &file.client {
        let bad = |what: &str, v: &str| {
            ProfileError(format!("client {:?}: unknown {what} {v:?}", c.name))
        };
        if let Some(v) = c.versions.iter().find(|v| version_of(v).is_none()) {
            return Err(bad("version (use ssl3, tls10 … tls13)", v));
        }
        if let Some(s) = c.suites.iter().find(|s| code_of(s).is_none()) {
            return Err(bad("suite code (use 0xNNNN)", s));
        }
        if let Some(g) = c
            .groups
            .iter()
            .find(|g| !suites::GROUPS.iter().any(|k| k.1 == g.as_str()))
        {
            return Err(bad("group", g));
        }
    }
    Ok(file.client)
}

/// The embedded client profiles.
pub fn profiles() -> Result<&'static [ClientProfile], ProfileError> {
    static CELL: OnceLock<Result<Vec<ClientProfile>, ProfileError>> = OnceLock::new();
    CELL.get_or_init(|| parse_profiles(PROFILES_TOML))
        .as_deref()
        .map_err(Clone::clone)
}

/// Simulates every profile against the scan's protocol results and groups (version → names).
pub fn simulate(
    profiles: &[ClientProfile],
    protocols: &[ProtocolResult],
    groups_for: impl Fn(Version) -> Vec<String>,
) -> Vec<SimulatedHandshake> {
    profiles
        .iter()
        .map(|c| simulate_one(c, protocols, &groups_for))
        .collect()
}

fn simulate_one(
    c: &ClientProfile,
    protocols: &[ProtocolResult],
    groups_for: &impl Fn(Version) -> Vec<String>,
) -> SimulatedHandshake {
    let mut out = SimulatedHandshake {
        client: c.name.clone(),
        legacy: c.legacy,
        protocol: None,
        suite: None,
        group: None,
        failure: None,
    };
    let server = protocols
        .iter()
        .filter(|p| p.status == SupportStatus::Supported)
        .filter(|p| {
            c.versions
                .iter()
                .filter_map(|v| version_of(v))
                .any(|v| v == p.version)
        })
        .max_by_key(|p| p.version);
    let Some(p) = server else {
        out.failure = Some("no protocol version in common".into());
        return out;
    };
    // Clients do not retry with a lower version when the suites do not match.
    let tls13 = p.version == Version::Tls13;
    let offered: Vec<u16> = c
        .suites
        .iter()
        .filter_map(|s| code_of(s))
        .filter(|s| (s >> 8 == 0x13) == tls13)
        .collect();
    let accepted: Vec<u16> = p.suites.iter().filter_map(|s| code_of(&s.code)).collect();
    let chosen = if p.server_preference == Some(true) {
        accepted.iter().find(|s| offered.contains(s))
    } else {
        offered.iter().find(|s| accepted.contains(s))
    };
    let Some(&chosen) = chosen else {
        out.failure = Some(format!("no cipher suite in common for {}", p.name));
        return out;
    };
    out.protocol = Some(p.version);
    out.suite = suites::by_code(chosen).map(|s| s.iana.to_string());
    let needs_group = tls13 || suites::by_code(chosen).and_then(|s| s.ske_is_ecdhe()) == Some(true);
    if needs_group {
        let server_groups = groups_for(p.version);
        out.group = c.groups.iter().find(|g| server_groups.contains(g)).cloned();
        if out.group.is_none() && !server_groups.is_empty() {
            out.protocol = None;
            out.suite = None;
            out.failure = Some(format!("no key-exchange group in common for {}", p.name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::SuiteResult;

    fn proto(v: Version, codes: &[u16], pref: bool) -> ProtocolResult {
        ProtocolResult {
            version: v,
            name: v.label(),
            status: SupportStatus::Supported,
            reason: None,
            server_preference: Some(pref),
            suites: codes
                .iter()
                .filter_map(|c| suites::by_code(*c))
                .map(|s| SuiteResult::from_suite(s, None))
                .collect(),
        }
    }

    #[test]
    fn embedded_profiles_are_valid() {
        suites::load().expect("suite table");
        let p = profiles().expect("profiles");
        assert!(p.len() >= 10);
        assert!(p.iter().any(|c| c.name.starts_with("Java 7") && c.legacy));
    }

    #[test]
    fn bad_profile_names_the_client_and_value() {
        let e = parse_profiles(
            "[[client]]\nname = \"X\"\nversions = [\"tls14\"]\nsuites = []\ngroups = []\n",
        )
        .expect_err("bad version");
        assert!(
            e.to_string().contains("\"X\"") && e.to_string().contains("tls14"),
            "{e}"
        );
    }

    #[test]
    fn order_and_failures() {
        suites::load().expect("suite table");
        let profiles = profiles().expect("profiles");
        // TLS 1.2 only, server order: AES256-GCM first, then AES128-GCM.
        let protocols = vec![proto(Version::Tls12, &[0xc030, 0xc02f], true)];
        let groups = |_| vec!["secp256r1".to_string()];
        let sims = simulate(profiles, &protocols, groups);
        let chrome = sims
            .iter()
            .find(|s| s.client.starts_with("Chrome"))
            .expect("chrome");
        assert_eq!(chrome.protocol, Some(Version::Tls12));
        assert_eq!(
            chrome.suite.as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        );
        assert_eq!(chrome.group.as_deref(), Some("secp256r1"));
        let java7 = sims
            .iter()
            .find(|s| s.client.starts_with("Java 7"))
            .expect("java 7");
        assert_eq!(java7.protocol, None);
        assert_eq!(
            java7.failure.as_deref(),
            Some("no protocol version in common")
        );
        // Client order: Chrome offers AES128-GCM before AES256-GCM.
        let protocols = vec![proto(Version::Tls12, &[0xc030, 0xc02f], false)];
        let sims = simulate(profiles, &protocols, groups);
        let chrome = sims
            .iter()
            .find(|s| s.client.starts_with("Chrome"))
            .expect("chrome");
        assert_eq!(
            chrome.suite.as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
    }
}
