//! Conventional entry-point and settings files of the framework an application's fingerprint
//! suggests (data: `checklists/wordlists/entry-points.toml`), whose backups forced browsing
//! tries like those of every discovered page.

use serde::Deserialize;

/// The built-in list.
pub const DEFAULT: &str = include_str!("../../../checklists/wordlists/entry-points.toml");

/// One framework's conventions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Short name.
    pub name: String,
    /// Fingerprint substrings (ASCII case-insensitive).
    pub markers: Vec<String>,
    /// Entry-point and settings files, from the root.
    pub files: Vec<String>,
    /// Where the conventions come from.
    pub sources: Vec<String>,
}

/// The list of frameworks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPoints {
    /// Frameworks.
    pub framework: Vec<Framework>,
}

impl EntryPoints {
    /// The built-in list; an entry without markers, files or sources is refused.
    pub fn builtin() -> Result<EntryPoints, String> {
        let e: EntryPoints = toml::from_str(DEFAULT)
            .map_err(|e| format!("checklists/wordlists/entry-points.toml: {e}"))?;
        if let Some(f) = e.framework.iter().find(|f| {
            f.markers.is_empty()
                || f.sources.is_empty()
                || f.files.iter().any(|p| !p.starts_with('/'))
        }) {
            return Err(format!(
                "checklists/wordlists/entry-points.toml: framework '{}' needs markers, sources and files starting with '/'",
                f.name
            ));
        }
        Ok(e)
    }

    /// The files of every framework the fingerprint text suggests, with the framework's name.
    pub fn suggested(&self, fingerprint: &str) -> Vec<(String, String)> {
        let fp = fingerprint.to_ascii_lowercase();
        self.framework
            .iter()
            .filter(|f| {
                f.markers
                    .iter()
                    .any(|m| fp.contains(&m.to_ascii_lowercase()))
            })
            .flat_map(|f| f.files.iter().map(|p| (p.clone(), f.name.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_suggest_their_frameworks_files() {
        let e = EntryPoints::builtin().expect("data");
        let php = e.suggested("x-powered-by: PHP/8.2\n/berita.php");
        assert!(
            php.iter().any(|(p, f)| p == "/index.php" && f == "php"),
            "{php:?}"
        );
        let py = e.suggested("server: Werkzeug/3.1.8 Python/3.11.7\n/dasbor");
        assert!(py.iter().any(|(p, _)| p == "/app.py"), "{py:?}");
        assert!(!py.iter().any(|(_, f)| f == "php"), "{py:?}");
        assert!(e.suggested("server: nginx\n/about").is_empty());
    }
}
