//! Official letters (tata naskah dinas) issued by the SOP workflows: numbering, templates as
//! data (`checklists/letters/*.toml`), and rendering to PDF and HTML.

pub mod numbering;
pub mod render;
pub mod template;

pub use render::{pdf, to_html, to_pdf};
pub use template::{Template, TemplateError, Templates};

use serde::{Deserialize, Serialize};

/// The letterhead (kop surat) of the issuing office.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kop {
    /// The government above the office, e.g. "PEMERINTAH KABUPATEN TANAH BUMBU".
    pub government: String,
    /// The office, e.g. "DINAS KOMUNIKASI DAN INFORMATIKA".
    pub office: String,
    /// Street address.
    pub address: String,
    /// Phone, e-mail and web site line.
    pub contact: String,
}

/// Who signs a letter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// Position, e.g. "Kepala Dinas Komunikasi dan Informatika".
    pub title: String,
    /// Name.
    pub name: String,
    /// NIP (civil-servant number), when known.
    pub nip: String,
}

/// Layout family of a letter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// A letter: number, sifat, lampiran, perihal on the left, place and date on the right,
    /// then the addressee.
    #[default]
    Surat,
    /// A memo (nota dinas): title, then Kepada/Dari/Tanggal/Nomor/Sifat/Lampiran/Hal.
    NotaDinas,
    /// A decree or permit: centred title with its number under it.
    Keputusan,
    /// A form: centred title, then the details table.
    Formulir,
}

/// A letter as issued: every value fixed, so it renders the same later.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    /// Template kind.
    pub kind: String,
    /// Layout family.
    pub form: Form,
    /// Letterhead.
    pub kop: Kop,
    /// Title (e.g. "NOTA DINAS").
    pub title: String,
    /// Letter number.
    pub number: String,
    /// Place and date, e.g. "Batulicin, 6 Desember 2026".
    pub place_date: String,
    /// Date alone, for memos.
    pub date: String,
    /// Sifat (e.g. Biasa, Segera, Rahasia).
    pub sifat: String,
    /// Lampiran.
    pub lampiran: String,
    /// Perihal / Hal.
    pub perihal: String,
    /// Addressee lines (Yth. …).
    pub to: Vec<String>,
    /// Sender (memos).
    pub from: String,
    /// Paragraphs.
    pub body: Vec<String>,
    /// Label/value rows.
    pub details: Vec<(String, String)>,
    /// Closing paragraph.
    pub closing: String,
    /// Signature block.
    pub signer: Signer,
    /// Copies to (tembusan).
    pub tembusan: Vec<String>,
}
