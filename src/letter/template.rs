//! Letter templates as data: each `checklists/letters/<kind>.toml` names its layout, title,
//! sifat, perihal, addressee, paragraphs, details and tembusan, with `{{placeholders}}` filled
//! from the workflow (strict: an unknown placeholder is an error, never an empty string).

use super::{Form, Kop, Letter, Signer};
use handlebars::Handlebars;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A template is invalid or could not be filled.
#[derive(Debug, thiserror::Error)]
#[error("templat surat {origin}: {message}")]
pub struct TemplateError {
    /// File.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

/// One letter template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Identity and layout.
    pub letter: Head,
    /// Labels for decision and choice values (`pembekuan` → "pembekuan akses").
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// The parts of a template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Kind (the file's name).
    pub kind: String,
    /// Layout family.
    #[serde(default)]
    pub form: Form,
    /// Title.
    pub title: String,
    /// Sifat.
    #[serde(default = "biasa")]
    pub sifat: String,
    /// Lampiran.
    #[serde(default = "dash")]
    pub lampiran: String,
    /// Perihal.
    pub perihal: String,
    /// Addressee lines.
    #[serde(default)]
    pub to: Vec<String>,
    /// Sender (memos).
    #[serde(default)]
    pub from: String,
    /// Paragraphs.
    #[serde(default)]
    pub body: Vec<String>,
    /// Label/value rows.
    #[serde(default)]
    pub details: Vec<(String, String)>,
    /// Closing paragraph.
    #[serde(default)]
    pub closing: String,
    /// The role whose configured signatory signs (`[[agency.signatory]]`); without one, the
    /// user recording the step signs.
    #[serde(default)]
    pub signer_role: Option<String>,
    /// Copies to.
    #[serde(default)]
    pub tembusan: Vec<String>,
    /// Whether the letter carries a number from the numbering scheme.
    #[serde(default = "yes")]
    pub numbered: bool,
    /// Shows personal data (NIK, phone) in full, where the SOP needs it (the visitor form);
    /// each such letter's issue and view is audited.
    #[serde(default)]
    pub personal_in_full: bool,
}

fn biasa() -> String {
    "Biasa".into()
}
fn dash() -> String {
    "-".into()
}
fn yes() -> bool {
    true
}

/// The built-in templates: (kind, text).
const BUILTIN: [(&str, &str); 8] = [
    ("nda", include_str!("../../checklists/letters/nda.toml")),
    (
        "izin-akses",
        include_str!("../../checklists/letters/izin-akses.toml"),
    ),
    (
        "telaahan",
        include_str!("../../checklists/letters/telaahan.toml"),
    ),
    (
        "nota-dinas",
        include_str!("../../checklists/letters/nota-dinas.toml"),
    ),
    (
        "nota-dinas-rekomendasi",
        include_str!("../../checklists/letters/nota-dinas-rekomendasi.toml"),
    ),
    (
        "sk-sanksi",
        include_str!("../../checklists/letters/sk-sanksi.toml"),
    ),
    (
        "surat-teguran",
        include_str!("../../checklists/letters/surat-teguran.toml"),
    ),
    (
        "formulir-kunjungan",
        include_str!("../../checklists/letters/formulir-kunjungan.toml"),
    ),
];

/// Every template, by kind.
#[derive(Debug, Clone)]
pub struct Templates {
    by_kind: BTreeMap<String, Template>,
}

impl Templates {
    /// The built-in templates, each replaced by `<dir>/<kind>.toml` when that file exists, so
    /// an agency edits its letters without rebuilding Kawal.
    pub fn load(dir: Option<&std::path::Path>) -> Result<Templates, TemplateError> {
        let mut by_kind = BTreeMap::new();
        for (kind, text) in BUILTIN {
            let (origin, text) = match dir.map(|d| d.join(format!("{kind}.toml"))) {
                Some(p) if p.exists() => {
                    let t = std::fs::read_to_string(&p).map_err(|e| TemplateError {
                        origin: p.display().to_string(),
                        message: e.to_string(),
                    })?;
                    (p.display().to_string(), t)
                }
                _ => (format!("checklists/letters/{kind}.toml"), text.to_string()),
            };
            let t = Template::parse(&origin, &text)?;
            if t.letter.kind != kind {
                return Err(TemplateError {
                    origin,
                    message: format!(
                        "letter.kind '{}' harus sama dengan nama berkas '{kind}' / must equal the file name '{kind}'",
                        t.letter.kind
                    ),
                });
            }
            by_kind.insert(kind.to_string(), t);
        }
        Ok(Templates { by_kind })
    }

    /// The template of `kind`.
    pub fn get(&self, kind: &str) -> Option<&Template> {
        self.by_kind.get(kind)
    }

    /// Every kind, for messages.
    pub fn kinds(&self) -> String {
        self.by_kind.keys().cloned().collect::<Vec<_>>().join("|")
    }
}

/// What a letter is filled from, besides the template.
pub struct Fill<'a> {
    /// Letterhead.
    pub kop: &'a Kop,
    /// Letter number (empty for unnumbered forms).
    pub number: &'a str,
    /// City for "place, date".
    pub city: &'a str,
    /// Date in Indonesian.
    pub date: &'a str,
    /// Signatory.
    pub signer: Signer,
    /// Placeholder values (workflow fields, parties, steps).
    pub context: &'a serde_json::Value,
}

impl Template {
    /// Parses a template and checks that every placeholder compiles.
    pub fn parse(origin: &str, text: &str) -> Result<Template, TemplateError> {
        let err = |message: String| TemplateError {
            origin: origin.to_string(),
            message,
        };
        let t: Template = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        for part in t.parts() {
            handlebars::Template::compile(part).map_err(|e| err(format!("'{part}': {e}")))?;
        }
        Ok(t)
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        let h = &self.letter;
        [
            &h.title,
            &h.perihal,
            &h.from,
            &h.closing,
            &h.sifat,
            &h.lampiran,
        ]
        .into_iter()
        .map(String::as_str)
        .chain(h.to.iter().map(String::as_str))
        .chain(h.body.iter().map(String::as_str))
        .chain(h.details.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]))
        .chain(h.tembusan.iter().map(String::as_str))
    }

    /// Fills the template into a letter.
    pub fn fill(&self, f: &Fill<'_>) -> Result<Letter, TemplateError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        // Letters are rendered to PDF and escaped by the HTML renderer: no escaping here.
        hb.register_escape_fn(handlebars::no_escape);
        let render = |s: &str| {
            hb.render_template(s, f.context).map_err(|e| TemplateError {
                origin: format!("checklists/letters/{}.toml", self.letter.kind),
                message: format!("'{s}': {e}"),
            })
        };
        let many = |v: &[String]| v.iter().map(|s| render(s)).collect::<Result<Vec<_>, _>>();
        let h = &self.letter;
        Ok(Letter {
            kind: h.kind.clone(),
            form: h.form,
            kop: f.kop.clone(),
            title: render(&h.title)?,
            number: f.number.to_string(),
            place_date: format!("{}, {}", f.city, f.date),
            date: f.date.to_string(),
            sifat: render(&h.sifat)?,
            lampiran: render(&h.lampiran)?,
            perihal: render(&h.perihal)?,
            to: many(&h.to)?,
            from: render(&h.from)?,
            body: many(&h.body)?,
            details: h
                .details
                .iter()
                .map(|(a, b)| Ok((render(a)?, render(b)?)))
                .collect::<Result<Vec<_>, TemplateError>>()?,
            closing: render(&h.closing)?,
            signer: f.signer.clone(),
            tembusan: many(&h.tembusan)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_parses_and_names_its_kind() {
        let t = Templates::load(None).expect("templates");
        for kind in [
            "nda",
            "izin-akses",
            "telaahan",
            "nota-dinas",
            "sk-sanksi",
            "surat-teguran",
            "formulir-kunjungan",
        ] {
            assert!(t.get(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn a_misspelt_placeholder_fails_with_the_template_named() {
        let t = Template::parse(
            "x.toml",
            "[letter]\nkind='x'\ntitle='T'\nperihal='Izin {{sistem}}'\n",
        )
        .expect("parses");
        let ctx = serde_json::json!({ "system": "SIMPEG" });
        let kop = Kop::default();
        let fill = Fill {
            kop: &kop,
            number: "1",
            city: "Kota",
            date: "1 Januari 2027",
            signer: Signer::default(),
            context: &ctx,
        };
        let e = t.fill(&fill).expect_err("strict").to_string();
        assert!(e.contains("sistem") && e.contains("x.toml"), "{e}");
        let bad = Template::parse(
            "y.toml",
            "[letter]\nkind='y'\ntitle='{{#if}}'\nperihal='p'\n",
        );
        assert!(bad.expect_err("compile").to_string().contains("y.toml"));
    }
}
