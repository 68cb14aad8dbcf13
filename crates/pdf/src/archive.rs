//! Archive metadata: the XMP packet (Dublin Core, PDF/A-2b and PDF/UA-1
//! identification) and the sRGB output intent profile.

use std::sync::OnceLock;

use xmp_writer::{DateTime, LangId, Timezone, XmpWriter};

use crate::Error;
use crate::model::Document;

/// `Creator` / `xmp:CreatorTool`.
pub(crate) const CREATOR: &str = "Kawal";
/// `Producer` / `pdf:Producer`.
pub(crate) const PRODUCER: &str = "kawal-pdf";
/// Output condition of the sRGB output intent.
pub(crate) const SRGB_CONDITION: &str = "sRGB IEC61966-2.1";

/// A wall-clock time with its UTC offset, e.g. when a report was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    offset_minutes: i16,
}

impl Timestamp {
    /// A timestamp; fails with the offending field when a value is out of range.
    pub fn new(
        (year, month, day): (u16, u8, u8),
        (hour, minute, second): (u8, u8, u8),
        offset_minutes: i16,
    ) -> Result<Timestamp, Error> {
        let checks: [(&'static str, bool); 7] = [
            ("year", (1000..=9999).contains(&year)),
            ("month", (1..=12).contains(&month)),
            ("day", (1..=31).contains(&day)),
            ("hour", hour <= 23),
            ("minute", minute <= 59),
            ("second", second <= 59),
            ("offset", (-14 * 60..=14 * 60).contains(&offset_minutes)),
        ];
        if let Some((field, _)) = checks.iter().find(|(_, ok)| !ok) {
            return Err(Error::Timestamp { field });
        }
        Ok(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset_minutes,
        })
    }

    /// As a PDF date.
    pub(crate) fn pdf_date(self) -> pdf_writer::Date {
        let hours = i8::try_from(self.offset_minutes / 60).unwrap_or(0);
        let minutes = u8::try_from((self.offset_minutes % 60).unsigned_abs()).unwrap_or(0);
        pdf_writer::Date::new(self.year)
            .month(self.month)
            .day(self.day)
            .hour(self.hour)
            .minute(self.minute)
            .second(self.second)
            .utc_offset_hour(hours)
            .utc_offset_minute(minutes)
    }

    /// As an XMP date.
    fn xmp_date(self) -> DateTime {
        let timezone = if self.offset_minutes == 0 {
            Timezone::Utc
        } else {
            Timezone::Local {
                hour: i8::try_from(self.offset_minutes / 60).unwrap_or(0),
                minute: i8::try_from((self.offset_minutes % 60).abs()).unwrap_or(0),
            }
        };
        DateTime::new(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            timezone,
        )
    }
}

/// What an archival rendering adds: the conformance claims and the issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Archive {
    /// Creation and modification date.
    pub(crate) issued: Option<Timestamp>,
}

/// Checks what PDF/UA-1 needs from the document itself.
pub(crate) fn check(doc: &Document) -> Result<(), Error> {
    if doc.title.trim().is_empty() {
        return Err(Error::NotArchivable {
            what: "judul dokumen kosong / the document title is empty",
        });
    }
    if doc.lang.trim().is_empty() {
        return Err(Error::NotArchivable {
            what: "bahasa dokumen kosong / the document language is empty",
        });
    }
    Ok(())
}

/// The XMP packet; `id` (the file identifier) gives the document and instance ids.
pub(crate) fn xmp(doc: &Document, archive: Option<&Archive>, id: &[u8]) -> String {
    let mut xmp = XmpWriter::new();
    let lang = (!doc.lang.is_empty()).then_some(LangId(&doc.lang));
    xmp.title([(None, doc.title.as_str())]);
    if let Some(lang) = lang {
        xmp.language([lang]);
    }
    if !doc.author.is_empty() {
        xmp.creator([doc.author.as_str()]);
    }
    if !doc.subject.is_empty() {
        xmp.description([(None, doc.subject.as_str())]);
    }
    xmp.format("application/pdf");
    xmp.creator_tool(CREATOR);
    xmp.producer(PRODUCER);
    // The 16-byte file identifier, written in UUID form.
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let uuid = match (
        hex.get(..8),
        hex.get(8..12),
        hex.get(12..16),
        hex.get(16..20),
        hex.get(20..32),
    ) {
        (Some(a), Some(b), Some(c), Some(d), Some(e)) => format!("uuid:{a}-{b}-{c}-{d}-{e}"),
        _ => format!("uuid:{hex}"),
    };
    xmp.document_id(&uuid);
    xmp.instance_id(&uuid);
    if let Some(archive) = archive {
        if let Some(issued) = archive.issued {
            let date = issued.xmp_date();
            xmp.create_date(date);
            xmp.modify_date(date);
            xmp.metadata_date(date);
        }
        xmp.pdfa_part(2);
        xmp.pdfa_conformance("B");
        xmp.pdfua_part(1);
        // pdfuaid is not one of the schemas PDF/A-2 predefines, so it is described.
        xmp.extension_schemas()
            .pdfua_id()
            .properties()
            .describe_part();
    }
    xmp.finish(None)
}

/// An ICC version 2 display profile for sRGB (IEC 61966-2-1): D50-adapted
/// primaries and the sRGB tone curve sampled at 1024 points.
pub(crate) fn srgb_profile() -> &'static [u8] {
    static PROFILE: OnceLock<Vec<u8>> = OnceLock::new();
    PROFILE.get_or_init(build_srgb_profile)
}

/// A signed 15.16 fixed-point number.
fn s15f16(value: f64) -> [u8; 4] {
    ((value * 65536.0).round() as i32).to_be_bytes()
}

fn xyz_tag(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut tag = b"XYZ \0\0\0\0".to_vec();
    for v in [x, y, z] {
        tag.extend_from_slice(&s15f16(v));
    }
    tag
}

fn build_srgb_profile() -> Vec<u8> {
    let description = SRGB_CONDITION.as_bytes();
    let mut desc = b"desc\0\0\0\0".to_vec();
    desc.extend_from_slice(
        &u32::try_from(description.len() + 1)
            .unwrap_or(0)
            .to_be_bytes(),
    );
    desc.extend_from_slice(description);
    desc.push(0);
    // No Unicode or ScriptCode descriptions: language, count, code, count, 67 bytes.
    desc.extend_from_slice(&[0; 8]);
    desc.extend_from_slice(&[0; 3]);
    desc.extend_from_slice(&[0; 67]);
    let mut cprt = b"text\0\0\0\0".to_vec();
    cprt.extend_from_slice(b"No copyright, use freely\0");
    const POINTS: u32 = 1024;
    let mut curve = b"curv\0\0\0\0".to_vec();
    curve.extend_from_slice(&POINTS.to_be_bytes());
    for i in 0..POINTS {
        let v = f64::from(i) / f64::from(POINTS - 1);
        let linear = if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        };
        curve.extend_from_slice(&((linear * 65535.0).round() as u16).to_be_bytes());
    }
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz_tag(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz_tag(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz_tag(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve.clone()),
        (b"gTRC", curve.clone()),
        (b"bTRC", curve),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut table = Vec::with_capacity(table_len);
    table.extend_from_slice(&u32::try_from(tags.len()).unwrap_or(0).to_be_bytes());
    for (signature, body) in &tags {
        // Tag data starts on four-byte boundaries.
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let offset = 128 + table_len + data.len();
        table.extend_from_slice(*signature);
        table.extend_from_slice(&u32::try_from(offset).unwrap_or(0).to_be_bytes());
        table.extend_from_slice(&u32::try_from(body.len()).unwrap_or(0).to_be_bytes());
        data.extend_from_slice(body);
    }
    let size = 128 + table_len + data.len();
    let mut header = Vec::with_capacity(128);
    header.extend_from_slice(&u32::try_from(size).unwrap_or(0).to_be_bytes());
    header.extend_from_slice(&[0; 4]); // preferred CMM: none
    header.extend_from_slice(&[0x02, 0x10, 0, 0]); // version 2.1
    header.extend_from_slice(b"mntrRGB XYZ ");
    // A fixed creation date (1999-10-18 00:00:00) keeps the output reproducible.
    for v in [1999u16, 10, 18, 0, 0, 0] {
        header.extend_from_slice(&v.to_be_bytes());
    }
    header.extend_from_slice(b"acsp");
    header.extend_from_slice(&[0; 24]); // platform, flags, manufacturer, model, attributes
    header.extend_from_slice(&[0; 4]); // rendering intent: perceptual
    for v in [0.9642, 1.0, 0.8249] {
        header.extend_from_slice(&s15f16(v)); // PCS illuminant D50
    }
    header.extend_from_slice(&[0; 4]); // creator
    header.resize(128, 0);
    [header, table, data].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_profile_is_a_well_formed_icc_v2_display_profile() {
        let p = srgb_profile();
        let size = u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize;
        assert_eq!(size, p.len());
        assert_eq!(&p[12..20], b"mntrRGB ");
        assert_eq!(&p[36..40], b"acsp");
        assert_eq!(p[8], 2);
        let count = u32::from_be_bytes([p[128], p[129], p[130], p[131]]) as usize;
        assert_eq!(count, 9);
        for i in 0..count {
            let at = 132 + 12 * i;
            let offset = u32::from_be_bytes([p[at + 4], p[at + 5], p[at + 6], p[at + 7]]) as usize;
            let len = u32::from_be_bytes([p[at + 8], p[at + 9], p[at + 10], p[at + 11]]) as usize;
            assert_eq!(offset % 4, 0, "tag {i} aligned");
            assert!(offset + len <= p.len(), "tag {i} inside the profile");
        }
    }

    #[test]
    fn timestamps_reject_out_of_range_fields() {
        assert!(Timestamp::new((2026, 12, 6), (8, 0, 0), 420).is_ok());
        let e = Timestamp::new((2026, 13, 6), (8, 0, 0), 0).expect_err("month 13");
        assert!(e.to_string().contains("month"), "{e}");
        let e = Timestamp::new((2026, 1, 6), (24, 0, 0), 0).expect_err("hour 24");
        assert!(e.to_string().contains("hour"), "{e}");
    }
}
