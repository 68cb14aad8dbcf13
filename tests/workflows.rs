//! The SOP workflows through the application layer, on SQLite and PostgreSQL: each full path
//! and rejection branch, roles and four eyes, SLA with an injected clock, the single-use
//! credential, device mismatch, letters (numbers unique under concurrent issuers, text in the
//! PDF), personal data sealed, masked, audited and purged, and an audit entry for every step.

mod common;

use kawal::auth::seal::Sealer;
use kawal::i18n::Lang;
use kawal::service::{
    Actor, AdvanceInput, DocFormat, NewUser, Service, ServiceConfig, ServiceError, StartInput,
};
use kawal::store::{AuditFilter, Store};
use kawal::team::Roles;
use kawal::worker::Clock;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock")
    }
}

impl TestClock {
    fn advance(&self, d: Duration) {
        *self.0.lock().expect("clock") += d;
    }
}

struct World {
    svc: Arc<Service>,
    store: Arc<Store>,
    clock: Arc<TestClock>,
    sealer: Sealer,
    users: BTreeMap<&'static str, Actor>,
    _dir: tempfile::TempDir,
    schema: Option<(String, String)>,
}

const PEOPLE: [(&str, &str, &[&str]); 11] = [
    ("adi", "Adi Nugroho", &["administrator"]),
    ("budi", "Budi Santoso", &["pengguna"]),
    ("tono", "Tono Sugiarto", &["pengguna"]),
    ("rina", "Rina Wati", &["pengguna", "kepala-seksi"]),
    ("sari", "Sari Dewi", &["kepala-seksi"]),
    ("dodi", "Dodi Pratama", &["kepala-bidang"]),
    ("eko", "Eko Saputra", &["administrator", "kepala-dinas"]),
    ("kadis", "Hj. Siti Aminah", &["kepala-dinas"]),
    ("petugas", "Putri Ayu", &["petugas-administrasi"]),
    ("koord", "Yusuf Hamdani", &["koordinator-keamanan"]),
    ("lpse", "Bambang Irawan", &["kepala-lpse"]),
];

async fn world(backend: &str) -> Option<World> {
    kawal::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tmp");
    let (store, schema) = match backend {
        "sqlite" => {
            let url = format!("sqlite://{}/k.db", dir.path().display());
            (Store::open(&url).await.expect("sqlite"), None)
        }
        _ => {
            let url = common::pg_url()?;
            let schema = format!(
                "kawal_wf_{}_{}",
                std::process::id(),
                OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
            );
            (
                Store::open_pg_schema(&url, &schema).await.expect("pg"),
                Some((url, schema)),
            )
        }
    };
    let store = Arc::new(store);
    let clock = Arc::new(TestClock(Mutex::new(
        OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns"),
    )));
    let mut cfg = ServiceConfig::default();
    cfg.workflows.kop.government = "PEMERINTAH KABUPATEN TANAH BUMBU".into();
    cfg.workflows.city = "Batulicin".into();
    cfg.workflows.signatories = vec![(
        "kepala-dinas".into(),
        kawal::letter::Signer {
            title: "Kepala Dinas Komunikasi dan Informatika".into(),
            name: "Hj. Siti Aminah, S.Kom., M.M.".into(),
            nip: "19750101 200003 2 001".into(),
        },
    )];
    let svc = Arc::new(Service::new(
        store.clone(),
        Roles::builtin().expect("roles"),
        clock.clone(),
        cfg,
    ));
    let op = Actor::local_operator();
    let mut users = BTreeMap::new();
    for (u, name, roles) in PEOPLE {
        let created = svc
            .add_user(
                &op,
                NewUser {
                    username: u.into(),
                    name: Some(name.into()),
                    email: None,
                    agency: Some("BKPSDM".into()),
                    roles: roles.iter().map(|r| r.to_string()).collect(),
                },
            )
            .await
            .expect("user");
        users.insert(u, Actor::cli(created.account));
    }
    Some(World {
        svc,
        store,
        clock,
        sealer: Sealer::from_key([9; 32]),
        users,
        _dir: dir,
        schema,
    })
}

impl World {
    /// The HTTP service over this world's service, with the same sealing key.
    fn router(&self) -> axum::Router {
        kawal::web::router(kawal::web::AppState {
            service: self.svc.clone(),
            checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
            web: Arc::new(kawal::web::WebConfig::default()),
            liveness: None,
            sealer: Some(Arc::new(Sealer::from_key([9; 32]))),
        })
    }

    fn who(&self, u: &str) -> &Actor {
        self.users.get(u).expect("user")
    }

    async fn step(
        &self,
        u: &str,
        id: i64,
        step: &str,
        decision: Option<&str>,
        inputs: &[(&str, &str)],
    ) -> Result<kawal::service::Advanced, ServiceError> {
        let input = AdvanceInput {
            decision: decision.map(str::to_string),
            note: format!("catatan {step}"),
            inputs: inputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            attachment: None,
        };
        self.svc
            .workflow_advance(self.who(u), id, step, &input, &self.sealer, Lang::Id)
            .await
    }

    async fn start(&self, u: &str, kind: &str, fields: &[(&str, &str)]) -> i64 {
        let input = StartInput {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            note: String::new(),
        };
        let done = self
            .svc
            .workflow_start(self.who(u), kind, &input, &self.sealer, Lang::Id)
            .await
            .expect("start");
        done.workflow_id
    }

    async fn pdf_text(&self, u: &str, id: i64, kind: &str) -> String {
        let doc = self
            .svc
            .workflow_document(self.who(u), id, kind, DocFormat::Pdf)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(doc.bytes.starts_with(b"%PDF-"), "{kind}");
        pdftotext(&doc.bytes)
    }

    async fn audit_count(&self, id: i64, action: &str) -> usize {
        let entries = self
            .svc
            .audit_list(
                &Actor::local_operator(),
                &AuditFilter {
                    action: Some(action.into()),
                    limit: 1000,
                    ..AuditFilter::default()
                },
            )
            .await
            .expect("audit");
        entries
            .iter()
            .filter(|e| e.content.object_id.as_deref() == Some(id.to_string().as_str()))
            .count()
    }

    async fn done(self) {
        if let Some((url, schema)) = self.schema {
            let pool = sqlx::PgPool::connect(&url).await.expect("cleanup");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&pool)
                .await
                .expect("drop");
        }
    }
}

fn pdftotext(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("pdftotext is needed: apt-get install poppler-utils ({e})"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("write");
    let out = child.wait_with_output().expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn forbidden(r: Result<kawal::service::Advanced, ServiceError>) -> String {
    match r {
        Err(ServiceError::Forbidden { permission }) => permission,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

fn access_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("system", "SIMPEG"),
        ("level", "read"),
        ("purpose", "Rekap data pegawai untuk laporan bulanan"),
        ("until", "2027-06-30"),
        ("unit", "Bidang Mutasi"),
        ("phone", "081234567890"),
    ]
}

async fn access_path(w: &World) -> i64 {
    let id = w.start("budi", "akses", &access_fields()).await;
    let shown = w
        .svc
        .workflow_show(w.who("budi"), id, Lang::Id)
        .await
        .expect("show");
    assert_eq!(
        shown.workflow.fields["phone"], "0812*****890",
        "phone masked at rest in the fields"
    );
    assert!(
        forbidden(
            w.step("adi", id, "pertimbangan", Some("approve"), &[])
                .await
        )
        .contains("kepala-seksi")
    );
    assert!(
        matches!(
            w.step("dodi", id, "persetujuan", Some("approve"), &[]).await,
            Err(ServiceError::Conflict(m)) if m.contains("pertimbangan")
        ),
        "steps go in order"
    );
    w.step("sari", id, "pertimbangan", Some("approve"), &[])
        .await
        .expect("consider");
    w.step("dodi", id, "persetujuan", Some("approve"), &[])
        .await
        .expect("approve");
    let nda = w.step("adi", id, "draf-nda", None, &[]).await.expect("nda");
    assert_eq!(nda.letters.len(), 1);
    let signed = AdvanceInput {
        note: "NDA ditandatangani".into(),
        attachment: Some(("nda-budi.pdf".into(), b"%PDF-1.4 signed scan".to_vec())),
        ..AdvanceInput::default()
    };
    w.svc
        .workflow_advance(
            w.who("budi"),
            id,
            "nda-ditandatangani",
            &signed,
            &w.sealer,
            Lang::Id,
        )
        .await
        .expect("signed");
    let permit = w
        .step("adi", id, "izin-akses", None, &[])
        .await
        .expect("permit");
    assert!(
        permit.letters[0].number.contains("/DISKOMINFO/"),
        "{:?}",
        permit.letters
    );
    assert!(matches!(
        w.step("adi", id, "kredensial", None, &[]).await,
        Err(ServiceError::Invalid { field, .. }) if field == "account"
    ));
    w.step("adi", id, "kredensial", None, &[("account", "budi.simpeg")])
        .await
        .expect("credential");
    let handed = w
        .step("adi", id, "serah-kredensial", None, &[])
        .await
        .expect("hand over");
    assert_eq!(handed.status, "completed");
    let link = handed.credential_link.expect("link");
    let token = link.rsplit('/').next().expect("token");
    // The link works once, and then never again — not even from the command line.
    let c = w
        .svc
        .credential_claim(None, Some(token), None, &w.sealer)
        .await
        .expect("claim");
    assert_eq!(c.grant.account.as_deref(), Some("budi.simpeg"));
    assert_eq!(c.secret.len(), 20);
    assert!(
        w.svc
            .credential_claim(None, Some(token), None, &w.sealer)
            .await
            .is_err()
    );
    assert!(
        w.svc
            .credential_claim(Some(w.who("budi")), None, Some(id), &w.sealer)
            .await
            .is_err()
    );
    let v = w
        .svc
        .workflow_show(w.who("budi"), id, Lang::Id)
        .await
        .expect("show");
    let grant = v.grant.expect("grant");
    assert_eq!((grant.status.as_str(), grant.viewed), ("active", true));
    assert_eq!(v.files[0].sha256.len(), 64);
    let text = w.pdf_text("adi", id, "izin-akses").await;
    for needle in [
        permit.letters[0].number.as_str(),
        "Budi Santoso",
        "SIMPEG",
        "30 Juni 2027",
        "SURAT IZIN AKSES",
        "Hj. Siti Aminah",
        "19750101 200003 2 001",
        "PEMERINTAH KABUPATEN TANAH BUMBU",
        "Batulicin",
    ] {
        assert!(
            text.contains(needle),
            "izin-akses PDF lacks {needle}:\n{text}"
        );
    }
    let nda_text = w.pdf_text("budi", id, "nda").await;
    assert!(
        nda_text.contains(&nda.letters[0].number) && nda_text.contains("Bidang Mutasi"),
        "{nda_text}"
    );
    assert_eq!(
        w.audit_count(id, "workflow.step").await,
        7,
        "every recorded step is audited"
    );
    assert_eq!(w.audit_count(id, "grant.credential.view").await, 1);
    id
}

async fn rejections(w: &World) {
    // Four eyes: a requester who also holds the reviewing role cannot consider her own request.
    let own = w.start("rina", "akses", &access_fields()).await;
    assert!(
        forbidden(
            w.step("rina", own, "pertimbangan", Some("approve"), &[])
                .await
        )
        .contains("four-eyes")
    );
    let id = w.start("budi", "akses", &access_fields()).await;
    w.step("sari", id, "pertimbangan", Some("reject"), &[])
        .await
        .expect("reject");
    let v = w
        .svc
        .workflow_show(w.who("sari"), id, Lang::Id)
        .await
        .expect("show");
    assert_eq!(v.workflow.status, "ended");
    assert!(
        v.steps[2..]
            .iter()
            .all(|s| s.state == kawal::workflow::StepState::Skipped)
    );
    assert!(matches!(
        w.step("dodi", id, "persetujuan", Some("approve"), &[])
            .await,
        Err(ServiceError::Conflict(_))
    ));
    let id = w.start("budi", "akses", &access_fields()).await;
    w.step("sari", id, "pertimbangan", Some("approve"), &[])
        .await
        .expect("consider");
    let r = w
        .step("dodi", id, "persetujuan", Some("reject"), &[])
        .await
        .expect("reject");
    assert_eq!(r.status, "ended");
    assert!(
        w.svc
            .workflow_show(w.who("dodi"), id, Lang::Id)
            .await
            .expect("show")
            .grant
            .is_none(),
        "no grant on rejection"
    );
    // Someone else's request is invisible to an ordinary user.
    assert!(matches!(
        w.svc.workflow_show(w.who("budi"), own, Lang::Id).await,
        Err(ServiceError::NotFound { .. })
    ));
}

async fn violation_path(w: &World) {
    let id = w
        .start(
            "eko",
            "pelanggaran",
            &[
                ("subject", "budi"),
                ("system", "SIMPEG"),
                ("incident", "Berbagi kata sandi dengan pihak luar"),
                ("occurred", "2026-12-01"),
            ],
        )
        .await;
    let due = w
        .svc
        .workflow_due(w.who("sari"), Some("pelanggaran"), false, 50)
        .await
        .expect("due");
    assert!(
        due.iter()
            .any(|d| d.due.workflow_id == id && d.due.step == "telaahan" && !d.overdue)
    );
    // 15 minutes is the SOP's limit for the review: at 16 it is overdue.
    w.clock.advance(Duration::minutes(16));
    let overdue = w
        .svc
        .workflow_due(w.who("sari"), Some("pelanggaran"), true, 50)
        .await
        .expect("overdue");
    assert!(
        overdue.iter().any(|d| d.due.workflow_id == id && d.overdue),
        "{overdue:?}"
    );
    w.step("sari", id, "telaahan", Some("lanjut"), &[])
        .await
        .expect("review");
    w.step(
        "dodi",
        id,
        "rekomendasi",
        None,
        &[("recommendation", "pembekuan")],
    )
    .await
    .expect("recommend");
    // Whoever reported the violation may not decide its sanction, even as Kepala Dinas.
    assert!(
        forbidden(
            w.step("eko", id, "penetapan-sanksi", Some("pembekuan"), &[])
                .await
        )
        .contains("four-eyes")
    );
    w.step(
        "kadis",
        id,
        "penetapan-sanksi",
        Some("pembekuan"),
        &[("suspend_until", "2027-01-31")],
    )
    .await
    .expect("decide");
    // The warning letter and the suspension order run in parallel.
    let due = w
        .svc
        .workflow_due(w.who("dodi"), Some("pelanggaran"), false, 50)
        .await
        .expect("due");
    let steps: Vec<&str> = due
        .iter()
        .filter(|d| d.due.workflow_id == id)
        .map(|d| d.due.step.as_str())
        .collect();
    assert!(
        steps.contains(&"surat-teguran") && steps.contains(&"perintah-pembekuan"),
        "{steps:?}"
    );
    w.step("dodi", id, "perintah-pembekuan", None, &[])
        .await
        .expect("order");
    w.step("dodi", id, "surat-teguran", None, &[])
        .await
        .expect("warning");
    w.step("adi", id, "pembekuan-akun", None, &[])
        .await
        .expect("suspend");
    w.step("adi", id, "pemberitahuan", None, &[])
        .await
        .expect("inform");
    assert!(forbidden(w.step("adi", id, "penerimaan", None, &[]).await).contains("subject"));
    let last = w
        .step("budi", id, "penerimaan", None, &[])
        .await
        .expect("receipt");
    assert_eq!(last.status, "completed");
    let v = w
        .svc
        .workflow_show(w.who("kadis"), id, Lang::Id)
        .await
        .expect("show");
    assert_eq!(
        v.steps[1].state,
        kawal::workflow::StepState::DoneLate,
        "the late review stays visible"
    );
    let grants = w.svc.grants(w.who("sari"), None).await.expect("grants");
    assert!(
        grants
            .iter()
            .any(|g| g.username == "budi" && g.status == "suspended"),
        "{grants:?}"
    );
    let sk = w.pdf_text("kadis", id, "sk-sanksi").await;
    let number = v
        .letters
        .iter()
        .find(|l| l.kind == "sk-sanksi")
        .expect("sk")
        .number
        .clone();
    for needle in [
        number.as_str(),
        "Budi Santoso",
        "pembekuan",
        "SIMPEG",
        "1 Desember 2026",
        "KEPUTUSAN KEPALA DINAS",
    ] {
        assert!(sk.contains(needle), "SK lacks {needle}:\n{sk}");
    }
    for kind in [
        "telaahan",
        "nota-dinas",
        "nota-dinas-rekomendasi",
        "surat-teguran",
    ] {
        let l = v
            .letters
            .iter()
            .find(|l| l.kind == kind)
            .unwrap_or_else(|| panic!("{kind} issued"));
        let text = w.pdf_text("kadis", id, kind).await;
        assert!(
            text.contains(&l.number) && text.contains("SIMPEG"),
            "{kind}:\n{text}"
        );
    }
    assert_eq!(w.audit_count(id, "workflow.step").await, 8);
    // A violation found unproven ends at the review.
    let id = w
        .start(
            "adi",
            "pelanggaran",
            &[
                ("subject", "budi"),
                ("system", "SIPD"),
                ("incident", "Login di luar jam kerja"),
                ("occurred", "2026-12-02"),
            ],
        )
        .await;
    assert_eq!(
        w.step("sari", id, "telaahan", Some("tidak-terbukti"), &[])
            .await
            .expect("review")
            .status,
        "ended"
    );
    // A warning does not suspend anything: the suspension steps do not apply.
    let id = w
        .start(
            "adi",
            "pelanggaran",
            &[
                ("subject", "rina"),
                ("system", "SIPD"),
                ("incident", "Akses data di luar kewenangan"),
                ("occurred", "2026-12-03"),
            ],
        )
        .await;
    w.step("sari", id, "telaahan", Some("lanjut"), &[])
        .await
        .expect("review");
    w.step(
        "dodi",
        id,
        "rekomendasi",
        None,
        &[("recommendation", "teguran-tertulis")],
    )
    .await
    .expect("rec");
    w.step(
        "kadis",
        id,
        "penetapan-sanksi",
        Some("teguran-tertulis"),
        &[],
    )
    .await
    .expect("decide");
    w.step("sari", id, "surat-teguran", None, &[])
        .await
        .expect("warning");
    assert!(matches!(
        w.step("adi", id, "pembekuan-akun", None, &[]).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(
        w.step("rina", id, "penerimaan", None, &[])
            .await
            .expect("receipt")
            .status,
        "completed"
    );
}

async fn visit_path(w: &World) {
    let mut f = BTreeMap::new();
    for (k, v) in [
        ("name", "Joko Widodo"),
        ("nik", "6310011203850001"),
        ("phone", "081355512345"),
        ("institution", "PT Jaringan Nusantara"),
        ("purpose", "Pemeliharaan switch"),
        ("devices", "Laptop:SN-L1, Konsol:SN-K2"),
    ] {
        f.insert(k.to_string(), v.to_string());
    }
    assert!(matches!(
        w.svc
            .visit_checkin(w.who("budi"), f.clone(), &w.sealer, Lang::Id)
            .await,
        Err(ServiceError::Forbidden { .. })
    ));
    let done = w
        .svc
        .visit_checkin(w.who("petugas"), f.clone(), &w.sealer, Lang::Id)
        .await
        .expect("checkin");
    let id = done.workflow_id;
    let v = w
        .svc
        .workflow_show(w.who("koord"), id, Lang::Id)
        .await
        .expect("show");
    assert_eq!(
        v.workflow.fields["nik"], "6310********0001",
        "NIK masked in lists"
    );
    w.step("koord", id, "pemeriksaan", Some("memenuhi"), &[])
        .await
        .expect("check");
    w.step("lpse", id, "keputusan-akses", Some("izinkan"), &[])
        .await
        .expect("grant");
    w.step(
        "koord",
        id,
        "pendampingan",
        None,
        &[("escort", "Yusuf Hamdani")],
    )
    .await
    .expect("escort");
    w.clock.advance(Duration::minutes(95));
    let out = w
        .svc
        .visit_checkout(
            w.who("petugas"),
            id,
            &kawal::service::Checkout {
                devices_out: vec!["Laptop:SN-L1".to_string()],
                id_returned: true,
                note: String::new(),
            },
            &w.sealer,
            Lang::Id,
        )
        .await
        .expect("checkout");
    let m = out.mismatch.expect("the console stayed inside");
    assert!(m.contains("sn-k2"), "{m}");
    w.svc
        .visit_incident(w.who("koord"), id, "Kabel patch tercabut saat pemeliharaan")
        .await
        .expect("incident");
    let v = w
        .svc
        .workflow_show(w.who("lpse"), id, Lang::Id)
        .await
        .expect("show");
    let visit = v.visit.expect("visit");
    assert!(
        visit
            .badge
            .as_deref()
            .is_some_and(|b| b.starts_with("KA-RS/001/")),
        "{:?}",
        visit.badge
    );
    assert_eq!(
        visit
            .checkout_at
            .map(|o| (o - visit.checkin_at).whole_minutes()),
        Some(95)
    );
    let badge = w.pdf_text("petugas", id, "kartu-akses").await;
    assert!(
        badge.contains("KARTU AKSES RUANG SERVER")
            && badge.contains(visit.badge.as_deref().unwrap_or("?"))
            && badge.contains("Joko Widodo"),
        "{badge}"
    );
    // The visitor's form needs the NIK in full; viewing it is audited.
    let form = w.pdf_text("petugas", id, "formulir-kunjungan").await;
    assert!(
        form.contains("6310011203850001") && form.contains("Joko Widodo"),
        "{form}"
    );
    assert!(w.audit_count(id, "workflow.personal-data.view").await >= 2);
    for step in ["laporan"] {
        w.step("koord", id, step, None, &[]).await.expect(step);
    }
    w.step("lpse", id, "perintah-arsip", None, &[])
        .await
        .expect("order");
    assert_eq!(
        w.step("petugas", id, "pengarsipan", None, &[])
            .await
            .expect("archive")
            .status,
        "completed"
    );
    // A refused visit ends at the decision.
    let refused = w
        .svc
        .visit_checkin(w.who("petugas"), f, &w.sealer, Lang::Id)
        .await
        .expect("checkin");
    let rid = refused.workflow_id;
    w.step("koord", rid, "pemeriksaan", Some("memenuhi"), &[])
        .await
        .expect("check");
    assert_eq!(
        w.step("lpse", rid, "keputusan-akses", Some("tolak"), &[])
            .await
            .expect("refuse")
            .status,
        "ended"
    );
    let month = {
        let t = w
            .clock
            .now()
            .to_offset(time::UtcOffset::from_hms(7, 0, 0).expect("wib"));
        format!("{}-{:02}", t.year(), u8::from(t.month()))
    };
    let r = w
        .svc
        .visit_recap(w.who("koord"), &month)
        .await
        .expect("recap");
    assert_eq!(
        (r.visits, r.open, r.device_mismatches, r.incidents.len()),
        (2, 1, 1, 1),
        "{r:?}"
    );
    assert_eq!(r.institutions[0], ("PT Jaringan Nusantara".to_string(), 2));
    // Past the retention period the personal data is purged; the recap still counts the visit.
    w.clock.advance(Duration::days(366));
    let purged = w
        .svc
        .purge_personal_data(w.who("adi"))
        .await
        .expect("purge");
    assert!(purged >= 2, "{purged}");
    let v = w
        .svc
        .workflow_show(w.who("koord"), id, Lang::Id)
        .await
        .expect("show");
    assert!(v.workflow.pii.is_none() && v.workflow.fields["nik"].contains("purged"));
}

async fn scenario(backend: &str) {
    let Some(w) = world(backend).await else {
        return;
    };
    access_path(&w).await;
    rejections(&w).await;
    violation_path(&w).await;
    visit_path(&w).await;
    w.done().await;
}

#[tokio::test]
async fn workflows_on_sqlite() {
    scenario("sqlite").await;
}

#[tokio::test]
async fn workflows_on_postgres() {
    scenario("postgres").await;
}

async fn concurrent_numbers(backend: &str) {
    let Some(w) = world(backend).await else {
        return;
    };
    let scheme =
        kawal::letter::numbering::Scheme::parse("B/800.3/{seq}/DISKOMINFO/{month-roman}/{year}")
            .expect("scheme");
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = w.store.clone();
        let scheme = scheme.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for i in 0..25 {
                let letter = kawal::store::NewLetter {
                    kind: "nota-dinas".into(),
                    scheme: scheme.clone(),
                    year: 2026,
                    month: 12,
                    build: Box::new(
                        move |n: &str| serde_json::json!({ "number": n, "issuer": t, "i": i }),
                    ),
                };
                let row = store
                    .issue_letter(None, letter, "uji", OffsetDateTime::now_utc())
                    .await
                    .expect("issue");
                numbers.push(row.number);
            }
            numbers
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let unique: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 200, "every number unique");
    for seq in 1..=200 {
        assert!(
            unique.contains(&format!("B/800.3/{seq}/DISKOMINFO/XII/2026")),
            "gap at {seq}"
        );
    }
    w.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn letter_numbers_unique_under_eight_issuers_postgres() {
    concurrent_numbers("postgres").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn letter_numbers_unique_under_eight_issuers_sqlite() {
    concurrent_numbers("sqlite").await;
}

/// One HTTP call to the router: (status, JSON or `null`, content type, body bytes).
async fn http(
    r: &axum::Router,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value, String, Vec<u8>) {
    use axum::http::{Request, header};
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "kawal.example.go.id");
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(v.to_string())),
        None if method == "POST" => b
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://kawal.example.go.id")
            .body(axum::body::Body::empty()),
        None => b.body(axum::body::Body::empty()),
    }
    .expect("request");
    let resp = tower_service::Service::call(&mut r.clone(), req)
        .await
        .expect("infallible");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        ct,
        bytes,
    )
}

#[tokio::test]
async fn workflows_through_the_api() {
    use serde_json::json;
    let Some(w) = world("sqlite").await else {
        return;
    };
    let r = w.router();
    let op = Actor::local_operator();
    let mut tokens = BTreeMap::new();
    for (u, scope) in [
        ("budi", "workflow:request"),
        ("sari", "workflow:review"),
        ("dodi", "workflow:review"),
        ("adi", "workflow:administer"),
        ("rina", "workflow:request"),
    ] {
        let t = kawal::service::NewToken {
            user: Some(u.into()),
            name: format!("uji-{u}"),
            scopes: vec![scope.into()],
            expires_days: Some(30),
        };
        let (_, secret, _) = w.svc.create_token(&op, t).await.expect("token");
        tokens.insert(u, secret);
    }
    let t = |u: &str| Some(tokens[u].clone());
    let body = json!({ "kind": "akses", "fields": { "system": "SIMPEG", "level": "read", "purpose": "Rekap", "until": "2027-06-30" } });
    let (s, v, _, _) = http(
        &r,
        "POST",
        "/api/v1/workflows",
        t("budi").as_deref(),
        Some(body),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["workflow_id"].as_i64().expect("id");
    let step = |st: &str| format!("/api/v1/workflows/{id}/steps/{st}");
    let (s, v, _, _) = http(
        &r,
        "POST",
        &step("pertimbangan"),
        t("budi").as_deref(),
        Some(json!({ "decision": "approve" })),
    )
    .await;
    assert_eq!(s, 403, "the requester cannot consider: {v}");
    let (s, _, _, _) = http(
        &r,
        "GET",
        &format!("/api/v1/workflows/{id}"),
        t("rina").as_deref(),
        None,
    )
    .await;
    assert_eq!(s, 404, "another user's request does not exist for her");
    let (s, v, _, _) = http(
        &r,
        "GET",
        "/api/v1/workflows?due=true",
        t("sari").as_deref(),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["workflow_id"] == id && d["step"] == "pertimbangan"),
        "{v}"
    );
    let (s, v, _, _) = http(
        &r,
        "POST",
        &step("pertimbangan"),
        t("sari").as_deref(),
        Some(json!({ "decision": "maybe" })),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    for (u, st, d) in [
        ("sari", "pertimbangan", Some("approve")),
        ("dodi", "persetujuan", Some("approve")),
        ("adi", "draf-nda", None),
    ] {
        let (s, v, _, _) = http(
            &r,
            "POST",
            &step(st),
            t(u).as_deref(),
            Some(json!({ "decision": d, "note": "ok" })),
        )
        .await;
        assert_eq!(s, 200, "{st}: {v}");
    }
    let (s, _, ct, bytes) = http(
        &r,
        "GET",
        &format!("/api/v1/workflows/{id}/documents/nda?format=pdf"),
        t("budi").as_deref(),
        None,
    )
    .await;
    assert_eq!((s, ct.as_str()), (200, "application/pdf"));
    assert!(pdftotext(&bytes).contains("PERJANJIAN KERAHASIAAN"));
    let (s, _, _, _) = http(
        &r,
        "GET",
        &format!("/api/v1/workflows/{id}/documents/izin-akses"),
        t("budi").as_deref(),
        None,
    )
    .await;
    assert_eq!(s, 404, "not issued yet");
    let signed = json!({ "attachment": { "name": "nda.pdf", "content_base64": "JVBERi0xLjQ=" } });
    assert_eq!(
        http(
            &r,
            "POST",
            &step("nda-ditandatangani"),
            t("budi").as_deref(),
            Some(signed)
        )
        .await
        .0,
        200
    );
    assert_eq!(
        http(
            &r,
            "POST",
            &step("izin-akses"),
            t("adi").as_deref(),
            Some(json!({}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        http(
            &r,
            "POST",
            &step("kredensial"),
            t("adi").as_deref(),
            Some(json!({ "inputs": { "account": "budi.simpeg" } }))
        )
        .await
        .0,
        200
    );
    let (s, v, _, _) = http(
        &r,
        "POST",
        &step("serah-kredensial"),
        t("adi").as_deref(),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let link = v["credential_link"].as_str().expect("link").to_string();
    let path = &link[link.find("/credentials/").expect("path")..];
    // Opening the link asks first (a link preview must not spend it); the reveal works once.
    let (s, _, _, page) = http(&r, "GET", path, None, None).await;
    assert_eq!(s, 200);
    assert!(!String::from_utf8_lossy(&page).contains("budi.simpeg"));
    let (s, _, _, page) = http(&r, "POST", path, None, None).await;
    let page = String::from_utf8_lossy(&page).into_owned();
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("budi.simpeg"), "{page}");
    assert_eq!(http(&r, "POST", path, None, None).await.0, 410);
    let token = path.rsplit('/').next().expect("token");
    assert_eq!(
        http(
            &r,
            "POST",
            "/api/v1/credentials/claim",
            None,
            Some(json!({ "token": token }))
        )
        .await
        .0,
        404
    );
    w.done().await;
}

#[test]
fn the_command_line_runs_a_visit_and_an_access_request() {
    let home = tempfile::tempdir().expect("home");
    let h = home.path();
    std::fs::write(
        h.join("kawal.toml"),
        "[agency]\ngovernment = \"PEMERINTAH KOTA CIREBON\"\noffice = \"DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK\"\ncity = \"Cirebon\"\nnumbering = \"{seq:3}/LPSE/{month-roman}/{year}\"\n",
    )
    .expect("config");
    let k = |args: &[&str]| {
        let mut c = common::kawal(h);
        c.args(args);
        common::run(c)
    };
    assert_eq!(k(&["user", "add", "adi", "--role", "administrator"]).0, 0);
    for (u, r) in [
        ("petugas", "petugas-administrasi"),
        ("koord", "koordinator-keamanan"),
        ("lpse", "kepala-lpse"),
        ("budi", "pengguna"),
        ("sari", "kepala-seksi"),
    ] {
        let (code, _, err) = k(&[
            "--as",
            "adi",
            "user",
            "add",
            u,
            "--role",
            r,
            "--agency",
            "DISKOMINFO",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = k(&[
        "--as",
        "petugas",
        "visit",
        "checkin",
        "--name",
        "Joko",
        "--nik",
        "3209011203850001",
        "--institution",
        "PT Telkom",
        "--purpose",
        "Ganti UPS",
        "--devices",
        "Laptop:SN1,Obeng:SN2",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("#1 ") && out.contains("formulir-kunjungan: 001/LPSE/"),
        "{out}"
    );
    let (code, out, _) = k(&["--as", "koord", "workflow", "list", "--due"]);
    assert_eq!(code, 0);
    assert!(out.contains("pemeriksaan"), "{out}");
    assert_eq!(
        k(&[
            "--as",
            "koord",
            "workflow",
            "advance",
            "1",
            "pemeriksaan",
            "--decision",
            "memenuhi"
        ])
        .0,
        0
    );
    let (code, _, err) = k(&[
        "--as",
        "koord",
        "workflow",
        "advance",
        "1",
        "keputusan-akses",
        "--decision",
        "izinkan",
    ]);
    assert_eq!(code, 2, "not the coordinator's step");
    assert!(err.contains("kepala-lpse"), "{err}");
    assert_eq!(
        k(&[
            "--as",
            "lpse",
            "workflow",
            "advance",
            "1",
            "keputusan-akses",
            "--decision",
            "izinkan"
        ])
        .0,
        0
    );
    assert_eq!(
        k(&[
            "--as",
            "koord",
            "workflow",
            "advance",
            "1",
            "pendampingan",
            "--input",
            "escort=Yusuf"
        ])
        .0,
        0
    );
    // A device left inside is flagged and the command says so with its exit code.
    let (code, out, _) = k(&[
        "--as",
        "petugas",
        "visit",
        "checkout",
        "1",
        "--devices-out",
        "Laptop:SN1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("obeng:sn2"), "{out}");
    let (code, out, _) = k(&["--as", "koord", "workflow", "show", "1"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("3209********0001") && !out.contains("3209011203850001"),
        "masked: {out}"
    );
    let pdf = h.join("form.pdf");
    let (code, _, err) = k(&[
        "--as",
        "petugas",
        "workflow",
        "document",
        "1",
        "formulir-kunjungan",
        "-o",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&std::fs::read(&pdf).expect("pdf"));
    assert!(
        text.contains("3209011203850001") && text.contains("PEMERINTAH KOTA CIREBON"),
        "{text}"
    );
    let month = {
        let t =
            OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(7, 0, 0).expect("wib"));
        format!("{}-{:02}", t.year(), u8::from(t.month()))
    };
    let (code, out, _) = k(&[
        "--as", "koord", "visit", "recap", "--month", &month, "--format", "json",
    ]);
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (r["visits"].as_u64(), r["device_mismatches"].as_u64()),
        (Some(1), Some(1))
    );
    let recap = h.join("recap.pdf");
    assert_eq!(
        k(&[
            "--as",
            "koord",
            "visit",
            "recap",
            "--month",
            &month,
            "--format",
            "pdf",
            "-o",
            recap.to_str().expect("p")
        ])
        .0,
        0
    );
    assert!(pdftotext(&std::fs::read(&recap).expect("recap")).contains("REKAPITULASI KUNJUNGAN"));
    // Bad input is named: an unknown kind, a missing field, a bad date, someone else's request.
    let (code, _, err) = k(&["--as", "budi", "workflow", "start", "izin"]);
    assert_eq!(code, 2);
    assert!(err.contains("akses|pelanggaran|kunjungan"), "{err}");
    let (code, _, err) = k(&[
        "--as",
        "budi",
        "workflow",
        "start",
        "akses",
        "--system",
        "SIMPEG",
        "--level",
        "read",
        "--purpose",
        "x",
        "--until",
        "30-06-2027",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("until") && err.contains("YYYY-MM-DD"), "{err}");
    let (code, _, err) = k(&[
        "--as",
        "sari",
        "workflow",
        "start",
        "akses",
        "--requester",
        "budi",
        "--system",
        "S",
        "--level",
        "read",
        "--purpose",
        "x",
        "--until",
        "2027-01-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--as budi"), "{err}");
    let (code, out, err) = k(&[
        "--as",
        "budi",
        "workflow",
        "start",
        "akses",
        "--system",
        "SIMPEG",
        "--level",
        "read",
        "--purpose",
        "Rekap",
        "--until",
        "2027-06-30",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("#2 "), "{out}");
    let (code, out, _) = k(&[
        "--as",
        "sari",
        "workflow",
        "advance",
        "2",
        "pertimbangan",
        "--decision",
        "reject",
        "--note",
        "Tidak ada dasar penugasan",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("ended"), "{out}");
    let (code, out, _) = k(&["--as", "budi", "workflow", "list", "--mine", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total"], 1, "budi sees only his own request: {v}");
}

#[tokio::test]
async fn an_overdue_workflow_step_is_notified_once_to_its_role_and_the_section() {
    use kawal::notify::config::Sources;
    use kawal::notify::{
        DeliveryFileConfig, MailFileConfig, Notifier, NotifySettings, ReminderFileConfig,
        WebhookFileConfig, events,
    };
    let Some(w) = world("sqlite").await else {
        return;
    };
    let op = Actor::local_operator();
    let patch = kawal::store::AccountPatch {
        email: Some(Some("sari@diskominfo.example.go.id".into())),
        ..kawal::store::AccountPatch::default()
    };
    w.svc.edit_user(&op, "sari", patch).await.expect("email");
    let id = w
        .start(
            "eko",
            "pelanggaran",
            &[
                ("subject", "budi"),
                ("system", "SIMPEG"),
                ("incident", "Berbagi kata sandi"),
                ("occurred", "2026-12-01"),
            ],
        )
        .await;
    let mail = MailFileConfig {
        host: Some("127.0.0.1".into()),
        port: Some(9),
        tls: Some("none".into()),
        from: Some("Kawal <kawal@diskominfo.example.go.id>".into()),
        ..MailFileConfig::default()
    };
    let hook = WebhookFileConfig {
        name: "chat".into(),
        url: "http://127.0.0.1:9/hook".into(),
        secret: Some("rahasia-webhook-yang-cukup-panjang-untuk-uji".into()),
        ..WebhookFileConfig::default()
    };
    let settings = NotifySettings::resolve(
        &Sources {
            mail: Some(&mail),
            delivery: &DeliveryFileConfig::default(),
            reminders: &ReminderFileConfig {
                unacknowledged_days: Some(3),
                overdue_to: vec!["keamanan@diskominfo.example.go.id".into()],
            },
            webhooks: &[hook],
            public_url: None,
        },
        "test",
        &|_| None,
    )
    .expect("settings");
    let n = Notifier::new(settings).expect("notifier");
    let breaches = |rows: &[kawal::store::OutboxRow]| {
        rows.iter()
            .filter(|r| {
                r.subject.contains(&format!("alur kerja #{id}"))
                    || (r.channel == "webhook" && r.topic == "sla.breach")
            })
            .map(|r| (r.channel.clone(), r.recipient.clone()))
            .collect::<Vec<_>>()
    };
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan");
    let rows = w.store.outbox_list(None, None, 500).await.expect("outbox");
    assert!(
        breaches(&rows).is_empty(),
        "within its 15 minutes nothing is due: {rows:?}"
    );
    w.clock.advance(Duration::minutes(16));
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan");
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan again");
    let rows = w.store.outbox_list(None, None, 500).await.expect("outbox");
    let mut got = breaches(&rows);
    got.sort();
    assert_eq!(
        got,
        [
            (
                "email".to_string(),
                "keamanan@diskominfo.example.go.id".to_string()
            ),
            (
                "email".to_string(),
                "sari@diskominfo.example.go.id".to_string()
            ),
            ("webhook".to_string(), "chat".to_string()),
        ],
        "the review step waits for the Kepala Seksi: her, the section and the hook, once each"
    );
    w.done().await;
}

/// A browser session on the pages: its cookie and CSRF token.
async fn page_login(w: &World, user: &str) -> (String, String) {
    const PW: &str = "kata-sandi-uji-alur-kerja";
    let (token, _) = w
        .svc
        .reset_password(&Actor::local_operator(), user)
        .await
        .expect("reset");
    w.svc
        .set_password(&token, PW, None)
        .await
        .expect("password");
    let sess = w.svc.login(user, PW, None).await.expect("login");
    (sess.session_id, sess.csrf_token)
}

/// A page request with the session cookie; forms are posted url-encoded from the same origin.
async fn page(
    r: &axum::Router,
    method: &str,
    path: &str,
    cookie: &str,
    form: Option<&str>,
) -> (u16, String, Option<String>) {
    use axum::http::{Request, header};
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "kawal.example.go.id")
        .header(header::COOKIE, format!("__Host-kawal={cookie}"));
    if form.is_some() {
        b = b
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://kawal.example.go.id");
    }
    let req = b
        .body(axum::body::Body::from(form.unwrap_or_default().to_string()))
        .expect("request");
    let resp = tower_service::Service::call(&mut r.clone(), req)
        .await
        .expect("infallible");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let csp = resp
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    let html = String::from_utf8_lossy(&body).into_owned();
    if status == 200 {
        assert!(
            csp.contains("script-src 'self'") && !html.contains("<script>"),
            "no inline script on {path}"
        );
    }
    (status, html, location)
}

#[tokio::test]
async fn the_workflow_pages_start_show_and_record_steps_by_role() {
    let Some(w) = world("sqlite").await else {
        return;
    };
    let r = w.router();
    let (budi, budi_csrf) = page_login(&w, "budi").await;
    let (sari, sari_csrf) = page_login(&w, "sari").await;
    let (tono, _) = page_login(&w, "tono").await;
    let (s, html, _) = page(&r, "GET", "/workflows/new?kind=akses", &budi, None).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("name=\"f.system\"") && html.contains("<label for=\"f-until\">"),
        "{html}"
    );
    // A bad date comes back with the reason, and the form keeps what was typed.
    let bad = format!(
        "csrf={budi_csrf}&kind=akses&f.system=SIMPEG&f.level=read&f.purpose=Rekap&f.until=30-06-2027"
    );
    let (s, html, _) = page(&r, "POST", "/workflows/new", &budi, Some(&bad)).await;
    assert_eq!(s, 422);
    assert!(
        html.contains("YYYY-MM-DD") && html.contains("value=\"SIMPEG\""),
        "{html}"
    );
    let good = bad.replace("30-06-2027", "2027-06-30");
    let (s, _, loc) = page(&r, "POST", "/workflows/new", &budi, Some(&good)).await;
    assert_eq!(s, 303);
    let loc = loc.expect("location");
    let id: i64 = loc.trim_start_matches("/workflows/").parse().expect("id");
    // The requester sees the workflow but no form for the review step; the reviewer does.
    let (s, html, _) = page(&r, "GET", &loc, &budi, None).await;
    assert_eq!(s, 200);
    assert!(
        !html.contains(&format!("action=\"/workflows/{id}/steps/pertimbangan\"")),
        "{html}"
    );
    let (_, html, _) = page(&r, "GET", "/workflows", &sari, None).await;
    assert!(
        html.contains(&format!("href=\"/workflows/{id}\"")) && html.contains("pertimbangan"),
        "waiting for sari: {html}"
    );
    let (_, html, _) = page(&r, "GET", &loc, &sari, None).await;
    assert!(
        html.contains(&format!("action=\"/workflows/{id}/steps/pertimbangan\"")),
        "{html}"
    );
    let no_token = "decision=approve&note=ok";
    assert_eq!(
        page(
            &r,
            "POST",
            &format!("/workflows/{id}/steps/pertimbangan"),
            &sari,
            Some(no_token)
        )
        .await
        .0,
        403
    );
    let step = format!("csrf={sari_csrf}&decision=approve&note=Sesuai+tugas");
    let (s, _, loc2) = page(
        &r,
        "POST",
        &format!("/workflows/{id}/steps/pertimbangan"),
        &sari,
        Some(&step),
    )
    .await;
    assert_eq!((s, loc2.as_deref()), (303, Some(loc.as_str())));
    let (_, html, _) = page(&r, "GET", &loc, &sari, None).await;
    assert!(
        html.contains("Sesuai tugas") && html.contains("approve"),
        "{html}"
    );
    // Recording it twice is refused with the reason on the page.
    let (s, html, _) = page(
        &r,
        "POST",
        &format!("/workflows/{id}/steps/pertimbangan"),
        &sari,
        Some(&step),
    )
    .await;
    assert_eq!(s, 409, "{html}");
    // Someone else's request does not exist for another ordinary user.
    assert_eq!(page(&r, "GET", &loc, &tono, None).await.0, 404);
    // The start form of a violation report is only for those who may report one.
    assert_eq!(
        page(&r, "GET", "/workflows/new?kind=pelanggaran", &tono, None)
            .await
            .0,
        403
    );
    w.done().await;
}
