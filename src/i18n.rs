//! Bilingual user-facing text: Bahasa Indonesia (default) and English.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Bahasa Indonesia, the default for every report and message.
    #[default]
    Id,
    /// English, on request.
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "ind" | "indonesia" => Ok(Lang::Id),
            "en" | "eng" | "english" => Ok(Lang::En),
            other => Err(format!(
                "bahasa tidak dikenal '{other}' / unknown language '{other}': gunakan / use 'id' atau/or 'en'"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Id => "id",
            Lang::En => "en",
        })
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

impl Text {
    /// Builds a text from its two translations.
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            id: id.into(),
            en: en.into(),
        }
    }

    /// The translation for `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// Picks the translation for `lang` from a pair of literals.
pub fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}
