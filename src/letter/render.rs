//! A letter laid out as the tata naskah dinas sets it: kop surat with its double rule, the
//! heading block of its form, body, details, signature block and tembusan — as PDF and HTML.

use super::{Form, Letter};
use kawal_pdf::{Align, Block, Document, Span};

/// The letter as a PDF document.
pub fn to_pdf(l: &Letter) -> Document {
    let mut blocks = kop(l);
    blocks.extend(heading(l));
    for p in &l.body {
        blocks.push(Block::Paragraph(vec![Span::regular(p.clone())]));
    }
    if !l.details.is_empty() {
        blocks.push(Block::KeyValue(l.details.clone()));
    }
    if !l.closing.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::regular(l.closing.clone())]));
    }
    blocks.extend(signature(l));
    if !l.tembusan.is_empty() {
        blocks.push(Block::Spacer(8.0));
        blocks.push(Block::Paragraph(vec![Span::bold("Tembusan:")]));
        let items = l
            .tembusan
            .iter()
            .map(|t| vec![Span::regular(t.clone())])
            .collect();
        blocks.push(Block::Bullets(items));
    }
    Document {
        title: format!("{} {}", l.title, l.number).trim().to_string(),
        author: l.kop.office.clone(),
        subject: l.perihal.clone(),
        lang: "id-ID".into(),
        footer: if l.number.is_empty() {
            l.kop.office.clone()
        } else {
            format!("{} — {}", l.kop.office, l.number)
        },
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
    }
}

/// The letter as the PDF/A-2b (and PDF/UA-1) file that is sent and archived.
pub fn pdf(l: &Letter) -> Result<Vec<u8>, kawal_pdf::Error> {
    kawal_pdf::render_archival(&to_pdf(l), None)
}

fn kop(l: &Letter) -> Vec<Block> {
    let mut lines = vec![
        Span::bold(format!("{}\n", l.kop.government)),
        Span::bold(format!("{}\n", l.kop.office)),
    ];
    if !l.kop.address.is_empty() {
        lines.push(Span::regular(format!("{}\n", l.kop.address)));
    }
    if !l.kop.contact.is_empty() {
        lines.push(Span::regular(l.kop.contact.clone()));
    }
    vec![
        Block::Aligned {
            align: Align::Center,
            size: 12.0,
            width: 1.0,
            content: lines,
            heading: None,
        },
        Block::Rule { double: true },
    ]
}

fn heading(l: &Letter) -> Vec<Block> {
    let centred_title = |with_number: bool| {
        let mut c = vec![Span::bold(format!("{}\n", l.title))];
        if with_number && !l.number.is_empty() {
            c.push(Span::regular(format!("NOMOR {}", l.number)));
        }
        Block::Aligned {
            align: Align::Center,
            size: 11.0,
            width: 1.0,
            content: c,
            heading: Some(1),
        }
    };
    match l.form {
        Form::Surat => {
            let mut b = vec![Block::Aligned {
                align: Align::Right,
                size: 9.5,
                width: 0.4,
                content: vec![Span::regular(l.place_date.clone())],
                heading: None,
            }];
            b.push(Block::KeyValue(vec![
                ("Nomor".into(), l.number.clone()),
                ("Sifat".into(), l.sifat.clone()),
                ("Lampiran".into(), l.lampiran.clone()),
                ("Perihal".into(), l.perihal.clone()),
            ]));
            if !l.to.is_empty() {
                let mut to = vec![Span::regular("Yth. ")];
                to.push(Span::regular(l.to.join("\n")));
                b.push(Block::Paragraph(to));
            }
            b.push(Block::Aligned {
                align: Align::Center,
                size: 11.0,
                width: 1.0,
                content: vec![Span::bold(l.title.clone())],
                heading: Some(1),
            });
            b
        }
        Form::NotaDinas => vec![
            centred_title(false),
            Block::KeyValue(vec![
                ("Kepada".into(), format!("Yth. {}", l.to.join(", "))),
                ("Dari".into(), l.from.clone()),
                ("Tanggal".into(), l.date.clone()),
                ("Nomor".into(), l.number.clone()),
                ("Sifat".into(), l.sifat.clone()),
                ("Lampiran".into(), l.lampiran.clone()),
                ("Hal".into(), l.perihal.clone()),
            ]),
            Block::Rule { double: false },
        ],
        Form::Keputusan => vec![
            centred_title(true),
            Block::Aligned {
                align: Align::Center,
                size: 10.0,
                width: 0.9,
                content: vec![Span::regular(format!(
                    "TENTANG\n{}",
                    l.perihal.to_uppercase()
                ))],
                heading: None,
            },
        ],
        Form::Formulir => {
            let mut b = vec![centred_title(true)];
            b.push(Block::KeyValue(vec![("Perihal".into(), l.perihal.clone())]));
            b
        }
    }
}

fn signature(l: &Letter) -> Vec<Block> {
    let mut c = vec![Span::regular(format!("{}\n", l.place_date))];
    c.push(Span::regular(format!("{},\n\n\n\n", l.signer.title)));
    c.push(Span::bold(format!("{}\n", l.signer.name)));
    if !l.signer.nip.is_empty() {
        c.push(Span::regular(format!("NIP {}", l.signer.nip)));
    }
    vec![
        Block::Spacer(10.0),
        Block::Aligned {
            align: Align::Right,
            size: 9.5,
            width: 0.45,
            content: c,
            heading: None,
        },
    ]
}

/// The letter as a self-contained HTML page (no script, inline style only through the page's
/// own stylesheet element).
pub fn to_html(l: &Letter) -> String {
    let e = |s: &str| crate::report::xml_escape(s);
    let mut h = String::with_capacity(4096);
    h.push_str("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>{} {}</title>", e(&l.title), e(&l.number)));
    h.push_str("<style>body{font-family:'DejaVu Sans',sans-serif;max-width:46em;margin:2em auto;color:#1f2933;line-height:1.5}.kop{text-align:center;border-bottom:4px double #1f2933;padding-bottom:.5em}.kop b{display:block;font-size:1.15em}.c{text-align:center}.r{margin-left:55%}table.kv td{padding:.1em .6em .1em 0;vertical-align:top}</style></head><body>");
    h.push_str(&format!(
        "<header class=\"kop\"><b>{}</b><b>{}</b><div>{}</div><div>{}</div></header>",
        e(&l.kop.government),
        e(&l.kop.office),
        e(&l.kop.address),
        e(&l.kop.contact)
    ));
    h.push_str("<main>");
    let kv = |rows: &[(String, String)]| {
        let mut t = String::from("<table class=\"kv\">");
        for (k, v) in rows {
            t.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>:</td><td>{}</td></tr>",
                e(k),
                e(v)
            ));
        }
        t.push_str("</table>");
        t
    };
    match l.form {
        Form::Surat => {
            h.push_str(&format!("<p class=\"r\">{}</p>", e(&l.place_date)));
            h.push_str(&kv(&[
                ("Nomor".into(), l.number.clone()),
                ("Sifat".into(), l.sifat.clone()),
                ("Lampiran".into(), l.lampiran.clone()),
                ("Perihal".into(), l.perihal.clone()),
            ]));
            if !l.to.is_empty() {
                h.push_str(&format!(
                    "<p>Yth. {}</p>",
                    l.to.iter().map(|t| e(t)).collect::<Vec<_>>().join("<br>")
                ));
            }
            h.push_str(&format!("<h1 class=\"c\">{}</h1>", e(&l.title)));
        }
        Form::NotaDinas => {
            h.push_str(&format!("<h1 class=\"c\">{}</h1>", e(&l.title)));
            h.push_str(&kv(&[
                ("Kepada".into(), format!("Yth. {}", l.to.join(", "))),
                ("Dari".into(), l.from.clone()),
                ("Tanggal".into(), l.date.clone()),
                ("Nomor".into(), l.number.clone()),
                ("Sifat".into(), l.sifat.clone()),
                ("Lampiran".into(), l.lampiran.clone()),
                ("Hal".into(), l.perihal.clone()),
            ]));
            h.push_str("<hr>");
        }
        Form::Keputusan | Form::Formulir => {
            h.push_str(&format!(
                "<h1 class=\"c\">{}<br>NOMOR {}</h1>",
                e(&l.title),
                e(&l.number)
            ));
            h.push_str(&format!(
                "<p class=\"c\">TENTANG<br>{}</p>",
                e(&l.perihal.to_uppercase())
            ));
        }
    }
    for p in &l.body {
        h.push_str(&format!("<p>{}</p>", e(p)));
    }
    if !l.details.is_empty() {
        h.push_str(&kv(&l.details));
    }
    if !l.closing.is_empty() {
        h.push_str(&format!("<p>{}</p>", e(&l.closing)));
    }
    h.push_str(&format!(
        "<p class=\"r\">{}<br>{},<br><br><br><br><b>{}</b>{}</p>",
        e(&l.place_date),
        e(&l.signer.title),
        e(&l.signer.name),
        if l.signer.nip.is_empty() {
            String::new()
        } else {
            format!("<br>NIP {}", e(&l.signer.nip))
        }
    ));
    if !l.tembusan.is_empty() {
        h.push_str("<p><b>Tembusan:</b></p><ol>");
        for t in &l.tembusan {
            h.push_str(&format!("<li>{}</li>", e(t)));
        }
        h.push_str("</ol>");
    }
    h.push_str("</main></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letter::{Kop, Signer};

    fn letter(form: Form) -> Letter {
        Letter {
            kind: "izin-akses".into(),
            form,
            kop: Kop {
                government: "PEMERINTAH KABUPATEN CONTOH".into(),
                office: "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
                address: "Jl. Merdeka 1".into(),
                contact: "Telp. 0511".into(),
            },
            title: "SURAT IZIN AKSES SISTEM INFORMASI".into(),
            number: "B/800.3/7/DISKOMINFO/XII/2026".into(),
            place_date: "Contoh, 6 Desember 2026".into(),
            date: "6 Desember 2026".into(),
            sifat: "Biasa".into(),
            lampiran: "-".into(),
            perihal: "Izin akses SIMPEG <baca>".into(),
            to: vec!["Budi Santoso".into()],
            from: "Kepala Bidang".into(),
            body: vec!["Diberikan izin.".into()],
            details: vec![("Sistem".into(), "SIMPEG".into())],
            closing: String::new(),
            signer: Signer {
                title: "Kepala Dinas".into(),
                name: "Siti Rahma".into(),
                nip: "198001012005012001".into(),
            },
            tembusan: vec!["Arsip".into()],
        }
    }

    #[test]
    fn every_form_puts_number_perihal_and_signer_on_the_page() {
        for form in [
            Form::Surat,
            Form::NotaDinas,
            Form::Keputusan,
            Form::Formulir,
        ] {
            let l = letter(form);
            let doc = to_pdf(&l);
            let text = format!("{:?}", doc.blocks);
            for needle in [
                "B/800.3/7/DISKOMINFO/XII/2026",
                "Siti Rahma",
                "198001012005012001",
                "DINAS KOMUNIKASI",
            ] {
                assert!(text.contains(needle), "{form:?}: {needle}");
            }
            assert!(
                text.to_lowercase().contains("izin akses simpeg"),
                "{form:?}: perihal"
            );
            let html = to_html(&l);
            // Decrees set the perihal in capitals, as the tata naskah dinas does.
            assert!(
                html.contains("B/800.3/7/DISKOMINFO/XII/2026")
                    && html.to_lowercase().contains("&lt;baca&gt;"),
                "{form:?}"
            );
            assert!(!html.to_lowercase().contains("<baca>"), "escaped");
            assert!(kawal_pdf::render(&doc).is_ok());
        }
    }
}
