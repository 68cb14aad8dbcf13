//! Roles of the SOPs and their permissions, loaded from `checklists/roles.toml` (pure).

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The permissions Kawal knows; a roles file naming another is refused.
pub const PERMISSIONS: &[&str] = &[
    "app:read",
    "app:write",
    "evaluation:read",
    "evaluation:start",
    "evaluation:record",
    "evaluation:decide",
    "finding:read",
    "finding:write",
    "finding:report-fix",
    "report:read",
    "report:send",
    "report:acknowledge",
    "job:read",
    "job:write",
    "user:read",
    "user:write",
    "token:write",
    "audit:read",
    "workflow:request",
    "workflow:review",
    "workflow:decide",
    "workflow:administer",
    "workflow:visit",
];

/// How far a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Only the objects of the user's own agency.
    Agency,
    /// Every agency's objects.
    All,
}

/// A roles file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    /// TOML syntax or shape.
    #[error("berkas peran / roles file {file}: {detail}")]
    Parse {
        /// File name.
        file: String,
        /// Parser message with line and column.
        detail: String,
    },
    /// A rule of the file was broken.
    #[error("berkas peran / roles file {file}, peran/role '{role}': {detail}")]
    Invalid {
        /// File name.
        file: String,
        /// Role concerned.
        role: String,
        /// What is wrong and how to fix it.
        detail: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    role: Vec<RoleDef>,
    #[serde(default)]
    scopes: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleDef {
    id: String,
    name: Names,
    grants: Vec<GrantDef>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Names {
    id: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantDef {
    permission: String,
    scope: Reach,
}

/// One role: its names and its grants.
#[derive(Debug, Clone)]
pub struct Role {
    /// Identifier, e.g. `kepala-seksi`.
    pub id: String,
    /// Name in Indonesian.
    pub name_id: String,
    /// Name in English.
    pub name_en: String,
    /// Permission → reach.
    pub grants: BTreeMap<String, Reach>,
}

/// The permission matrix.
#[derive(Debug, Clone)]
pub struct Roles {
    roles: BTreeMap<String, Role>,
    scopes: BTreeMap<String, BTreeSet<String>>,
}

const BUILTIN: &str = include_str!("../../checklists/roles.toml");

impl Roles {
    /// The roles file shipped with Kawal.
    pub fn builtin() -> Result<Roles, RolesError> {
        Roles::parse(BUILTIN, "checklists/roles.toml")
    }

    /// Parses and validates a roles file.
    pub fn parse(text: &str, file: &str) -> Result<Roles, RolesError> {
        let f: File = toml::from_str(text).map_err(|e| RolesError::Parse {
            file: file.into(),
            detail: e.to_string(),
        })?;
        let bad = |role: &str, detail: String| RolesError::Invalid {
            file: file.into(),
            role: role.into(),
            detail,
        };
        let mut roles = BTreeMap::new();
        for r in f.role {
            if r.id.is_empty() || !r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                return Err(bad(
                    &r.id,
                    "id: huruf kecil dan '-' / lower-case letters and '-'".into(),
                ));
            }
            let mut grants = BTreeMap::new();
            for g in r.grants {
                if !PERMISSIONS.contains(&g.permission.as_str()) {
                    return Err(bad(
                        &r.id,
                        format!(
                            "izin tidak dikenal / unknown permission '{}' (known: {})",
                            g.permission,
                            PERMISSIONS.join(", ")
                        ),
                    ));
                }
                if grants.insert(g.permission.clone(), g.scope).is_some() {
                    return Err(bad(&r.id, format!("'{}' granted twice", g.permission)));
                }
            }
            let role = Role {
                id: r.id.clone(),
                name_id: r.name.id,
                name_en: r.name.en,
                grants,
            };
            if roles.insert(r.id.clone(), role).is_some() {
                return Err(bad(
                    &r.id,
                    "peran didefinisikan dua kali / role defined twice".into(),
                ));
            }
        }
        let mut scopes = BTreeMap::new();
        for p in PERMISSIONS {
            scopes.insert(p.to_string(), BTreeSet::from([p.to_string()]));
        }
        for (name, perms) in f.scopes {
            for p in &perms {
                if !PERMISSIONS.contains(&p.as_str()) {
                    return Err(bad(
                        &format!("[scopes] {name}"),
                        format!("izin tidak dikenal / unknown permission '{p}'"),
                    ));
                }
            }
            scopes.insert(name, perms.into_iter().collect());
        }
        Ok(Roles { roles, scopes })
    }

    /// A role by id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.get(id)
    }

    /// Every role, ordered by id.
    pub fn all(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    /// Whether a token scope name exists.
    pub fn is_scope(&self, scope: &str) -> bool {
        self.scopes.contains_key(scope)
    }

    /// The permissions a set of token scopes allows.
    pub fn scope_permissions<'a>(
        &self,
        scopes: impl IntoIterator<Item = &'a str>,
    ) -> BTreeSet<String> {
        scopes
            .into_iter()
            .filter_map(|s| self.scopes.get(s))
            .flatten()
            .cloned()
            .collect()
    }

    /// The widest reach any of `roles` has for `permission`, if any.
    pub fn reach(&self, roles: &[String], permission: &str) -> Option<Reach> {
        roles
            .iter()
            .filter_map(|r| self.roles.get(r))
            .filter_map(|r| r.grants.get(permission).copied())
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_matrix_loads_and_scopes_owners_to_their_agency() {
        let r = Roles::builtin().expect("builtin roles");
        let owner = vec!["pj-aplikasi".to_string()];
        assert_eq!(r.reach(&owner, "app:read"), Some(Reach::Agency));
        assert_eq!(r.reach(&owner, "app:write"), None);
        assert_eq!(r.reach(&owner, "evaluation:decide"), None);
        // Several roles: the widest reach wins.
        let both = vec!["pj-aplikasi".to_string(), "tim-analisis".to_string()];
        assert_eq!(r.reach(&both, "app:read"), Some(Reach::All));
        // Only the head of office decides.
        let deciders: Vec<_> = r
            .all()
            .filter(|x| x.grants.contains_key("evaluation:decide"))
            .map(|x| x.id.as_str())
            .collect();
        assert_eq!(deciders, ["kepala-dinas"]);
        assert!(
            r.scope_permissions(["scan:write"])
                .contains("evaluation:start")
        );
        assert!(!r.scope_permissions(["read"]).contains("evaluation:start"));
        assert!(r.scope_permissions(["app:write"]).contains("app:write"));
        for id in [
            "kepala-dinas",
            "sekretariat",
            "kepala-bidang",
            "kepala-seksi",
            "tim-analisis",
            "administrator",
            "pj-aplikasi",
            "pengguna",
            "petugas-administrasi",
            "koordinator-keamanan",
            "kepala-lpse",
        ] {
            assert!(r.role(id).is_some(), "{id}");
        }
    }

    #[test]
    fn unknown_permissions_and_scopes_are_named() {
        let e = Roles::parse(
            "[[role]]\nid = \"x\"\nname = { id = \"X\", en = \"X\" }\ngrants = [{ permission = \"app:delete\", scope = \"all\" }]\n",
            "r.toml",
        )
        .expect_err("unknown permission");
        let s = e.to_string();
        assert!(
            s.contains("r.toml") && s.contains("'x'") && s.contains("app:delete"),
            "{s}"
        );
        let e = Roles::parse(
            "[[role]]\nid = \"x\"\nname = { id = \"X\", en = \"X\" }\ngrants = [{ permission = \"app:read\", scope = \"some\" }]\n",
            "r.toml",
        )
        .expect_err("unknown scope");
        assert!(e.to_string().contains("r.toml"), "{e}");
        let e = Roles::parse(
            "[[role]]\nid = \"x\"\nname = { id = \"X\", en = \"X\" }\ngrants = []\n[scopes]\nci = [\"scan\"]\n",
            "r.toml",
        )
        .expect_err("unknown scope permission");
        assert!(e.to_string().contains("scan"), "{e}");
    }
}
