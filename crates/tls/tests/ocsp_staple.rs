//! Stapled OCSP responses made by `openssl ocsp` for a test CA: good, revoked, out of date and
//! about another certificate, served by rustls and read from the raw TLS 1.2 flight.

mod common;

use common::*;
use kawal_tls::{ScanOptions, Status, Target, TlsReport, checklist_outcomes, scan};
use rcgen::KeyPair;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::time::Duration;

/// A test CA, a leaf for localhost (serial 0x1234) and OCSP responses about it.
struct Ocsp {
    dir: TempDir,
}

impl Ocsp {
    fn new() -> Ocsp {
        let dir = TempDir::new("ocsp");
        let o = Ocsp { dir };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-subj",
            "/CN=Kawal Test CA",
            "-days",
            "2",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&o.with_files(&ca, &[("-keyout", "ca.key"), ("-out", "ca.pem")]));
        for (name, serial) in [("leaf", "0x1234"), ("other", "0x5678")] {
            let mut req = vec!["req"];
            req.extend(ec);
            req.extend([
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ]);
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            openssl(&o.with_files(&req, &[("-keyout", &key), ("-out", &csr)]));
            let sign = [
                "x509",
                "-req",
                "-days",
                "2",
                "-copy_extensions",
                "copy",
                "-set_serial",
                serial,
            ];
            let pem = format!("{name}.pem");
            openssl(&o.with_files(
                &sign,
                &[
                    ("-in", &csr),
                    ("-CA", "ca.pem"),
                    ("-CAkey", "ca.key"),
                    ("-out", &pem),
                ],
            ));
        }
        o
    }

    fn path(&self, name: &str) -> String {
        self.dir.0.join(name).display().to_string()
    }

    fn with_files<'a>(&self, args: &[&'a str], files: &[(&'a str, &str)]) -> Vec<String> {
        let mut out: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        for (flag, f) in files {
            out.push(flag.to_string());
            out.push(self.path(f));
        }
        out
    }

    /// A certificate `name`.pem (key `name`.key) issued by the test CA with `extra` extensions,
    /// or self-signed when `issuer` is None.
    fn issue(&self, name: &str, cn: &str, issuer: Option<&str>, extra: &[&str]) {
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let subj = format!("/CN={cn}");
        let key = format!("{name}.key");
        let pem = format!("{name}.pem");
        let csr = format!("{name}.csr");
        let mut req = vec!["req"];
        if issuer.is_none() {
            req.extend(["-x509", "-days", "2"]);
        }
        req.extend(ec);
        req.extend(["-subj", subj.as_str()]);
        for e in extra {
            req.extend(["-addext", e]);
        }
        let out = if issuer.is_none() { &pem } else { &csr };
        openssl(&self.with_files(&req, &[("-keyout", &key), ("-out", out)]));
        if let Some(ca) = issuer {
            let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
            let sign = ["x509", "-req", "-days", "2", "-copy_extensions", "copy"];
            openssl(&self.with_files(
                &sign,
                &[
                    ("-in", &csr),
                    ("-CA", &ca_pem),
                    ("-CAkey", &ca_key),
                    ("-out", &pem),
                ],
            ));
        }
    }

    /// A response about `cert` ("leaf" or "other") from an index saying good or revoked.
    fn response(&self, cert: &str, revoked: bool) -> Vec<u8> {
        self.response_signed_by(cert, revoked, "ca")
    }

    /// Like [`Ocsp::response`], signed by `signer`.pem / `signer`.key.
    fn response_signed_by(&self, cert: &str, revoked: bool, signer: &str) -> Vec<u8> {
        let line = if revoked {
            "R\t301231235959Z\t260101000000Z\t1234\tunknown\t/CN=localhost\n"
        } else {
            "V\t301231235959Z\t\t1234\tunknown\t/CN=localhost\n"
        };
        write(&self.dir.0, "index.txt", line.as_bytes());
        let req = self.path("req.der");
        let resp = self.path("resp.der");
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut a = args(&["ocsp", "-no_nonce", "-reqout", &req]);
        a.extend(self.with_files(
            &[],
            &[("-issuer", "ca.pem"), ("-cert", &format!("{cert}.pem"))],
        ));
        openssl(&a);
        let mut a = args(&["ocsp", "-reqin", &req, "-respout", &resp, "-ndays", "1"]);
        a.extend(self.with_files(
            &[],
            &[
                ("-index", "index.txt"),
                ("-rsigner", &format!("{signer}.pem")),
                ("-rkey", &format!("{signer}.key")),
                ("-CA", "ca.pem"),
            ],
        ));
        openssl(&a);
        std::fs::read(&resp).expect("response")
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.0.join(name)).expect("file")
    }
}

/// openssl's argument lists above are owned strings.
fn openssl_owned(args: &[String]) -> Vec<u8> {
    let v: Vec<&str> = args.iter().map(String::as_str).collect();
    common::openssl(&v)
}

fn openssl<S: AsRef<str>>(args: &[S]) -> Vec<u8> {
    let owned: Vec<String> = args.iter().map(|s| s.as_ref().to_string()).collect();
    openssl_owned(&owned)
}

async fn scan_with_staple(o: &Ocsp, staple: Vec<u8>) -> TlsReport {
    let chain = vec![
        CertificateDer::from_pem_slice(&o.read("leaf.pem")).expect("leaf"),
        CertificateDer::from_pem_slice(&o.read("ca.pem")).expect("ca"),
    ];
    let key_pem = String::from_utf8(o.read("leaf.key")).expect("pem");
    let key = KeyPair::from_pem(&key_pem).expect("key");
    let addr = rustls_server_with_ocsp(chain, &key, Some(staple)).await;
    let t = Target {
        host: "localhost".into(),
        port: addr.port(),
        sni: None,
        ip: Some(addr.ip()),
    };
    let opts = ScanOptions {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        extra_ca_pem: Some(o.read("ca.pem")),
        ..ScanOptions::default()
    };
    scan(&t, &opts).await.expect("scan")
}

fn certificate_item(r: &TlsReport) -> kawal_tls::ItemOutcome {
    checklist_outcomes(r)
        .into_iter()
        .find(|i| i.item_id == "tls.certificate")
        .expect("certificate item")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_staple_is_fresh_and_about_the_leaf() {
    let o = Ocsp::new();
    let r = scan_with_staple(&o, o.response("leaf", false)).await;
    let c = r.certificate.as_ref().expect("certificate");
    assert_eq!(c.source, "raw_handshake", "read from the TLS 1.2 flight");
    let st = c.ocsp.as_ref().expect("staple analysed");
    assert_eq!(st.cert_status.as_deref(), Some("good"), "{st:?}");
    assert!(st.fresh && st.matches_certificate, "{st:?}");
    assert!(st.next_update.is_some() && st.problem.is_none(), "{st:?}");
    assert_eq!(st.signature_valid, Some(true), "{st:?}");
    assert_eq!(st.signed_by.as_deref(), Some("issuer"));
    assert_eq!(c.sct_tls_extension, Some(0));
    let item = certificate_item(&r);
    assert_eq!(item.status, Status::Pass, "{}", item.summary_en);
    assert_eq!(item.figures["ocsp"]["cert_status"], "good");
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::En);
    assert!(table.contains("status good;"), "{table}");
    assert!(table.contains("OCSP signature: valid (issuer)"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staple_signed_by_a_stranger_fails_the_certificate_item() {
    let o = Ocsp::new();
    o.issue(
        "stranger",
        "Kawal Stranger CA",
        None,
        &["basicConstraints=critical,CA:TRUE"],
    );
    let r = scan_with_staple(&o, o.response_signed_by("leaf", false, "stranger")).await;
    let st = r
        .certificate
        .as_ref()
        .and_then(|c| c.ocsp.clone())
        .expect("staple");
    // Everything else about it looks right: only the signature gives it away.
    assert_eq!(st.cert_status.as_deref(), Some("good"));
    assert!(st.fresh && st.matches_certificate, "{st:?}");
    assert_eq!(st.signature_valid, Some(false), "{st:?}");
    assert!(
        st.problem
            .as_deref()
            .unwrap_or_default()
            .contains("signature"),
        "{st:?}"
    );
    let item = certificate_item(&r);
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.summary_en.contains("signature is not valid"),
        "{}",
        item.summary_en
    );
    assert!(item.summary_id.contains("tidak sah"), "{}", item.summary_id);
    let table = kawal_tls::render_table(&r, kawal_tls::Lang::Id);
    assert!(table.contains("tanda tangan OCSP: TIDAK SAH"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegated_responder_needs_the_ocsp_signing_purpose() {
    let o = Ocsp::new();
    o.issue(
        "responder",
        "Kawal OCSP Responder",
        Some("ca"),
        &["extendedKeyUsage=OCSPSigning"],
    );
    let r = scan_with_staple(&o, o.response_signed_by("leaf", false, "responder")).await;
    let st = r
        .certificate
        .as_ref()
        .and_then(|c| c.ocsp.clone())
        .expect("staple");
    assert_eq!(st.signature_valid, Some(true), "{st:?}");
    assert_eq!(st.signed_by.as_deref(), Some("delegated responder"));
    assert_eq!(certificate_item(&r).status, Status::Pass);

    // The same CA's server certificate cannot sign responses for it.
    o.issue(
        "server",
        "Kawal Web Server",
        Some("ca"),
        &["extendedKeyUsage=serverAuth"],
    );
    let r = scan_with_staple(&o, o.response_signed_by("leaf", false, "server")).await;
    let st = r
        .certificate
        .as_ref()
        .and_then(|c| c.ocsp.clone())
        .expect("staple");
    assert_eq!(st.signature_valid, Some(false), "{st:?}");
    assert!(
        st.signature_note
            .as_deref()
            .unwrap_or_default()
            .contains("OCSPSigning"),
        "{st:?}"
    );
    assert_eq!(certificate_item(&r).status, Status::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_staple_fails_the_certificate_item() {
    let o = Ocsp::new();
    let r = scan_with_staple(&o, o.response("leaf", true)).await;
    let st = r
        .certificate
        .as_ref()
        .and_then(|c| c.ocsp.clone())
        .expect("staple");
    assert_eq!(st.cert_status.as_deref(), Some("revoked"));
    let item = certificate_item(&r);
    assert_eq!(item.status, Status::Fail);
    assert!(item.summary_en.contains("REVOKED"), "{}", item.summary_en);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staple_about_another_certificate_is_named() {
    let o = Ocsp::new();
    let r = scan_with_staple(&o, o.response("other", false)).await;
    let st = r
        .certificate
        .as_ref()
        .and_then(|c| c.ocsp.clone())
        .expect("staple");
    assert!(!st.matches_certificate, "{st:?}");
    let item = certificate_item(&r);
    assert_eq!(item.status, Status::Fail);
    assert!(
        item.summary_en.contains("about another certificate"),
        "{}",
        item.summary_en
    );
}

#[test]
fn staple_past_next_update_is_out_of_date() {
    let o = Ocsp::new();
    let der = o.response("leaf", false);
    let leaf_pem = o.read("leaf.pem");
    let leaf = CertificateDer::from_pem_slice(&leaf_pem).expect("leaf");
    let (_, x) = x509_parser::parse_x509_certificate(&leaf).expect("x509");
    let l = kawal_tls::ocsp::Leaf {
        serial: x.tbs_certificate.raw_serial(),
        issuer_name_der: x.issuer().as_raw(),
    };
    let now = time::OffsetDateTime::now_utc();
    assert!(kawal_tls::ocsp::analyse(&der, &l, now).fresh);
    let later = kawal_tls::ocsp::analyse(&der, &l, now + time::Duration::days(2));
    assert!(!later.fresh);
    assert!(
        later
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("out of date"),
        "{later:?}"
    );
}
