//! Report delivery on SQLite and PostgreSQL, against a real SMTP server (Python's aiosmtpd)
//! and a real loopback HTTP server: the security section approves sending, an unreachable
//! server leaves the messages queued with their reason and retried with backoff, the real
//! server receives them with the right recipient, subject and the PDF attached, webhooks
//! arrive signed, reminders and SLA breaches are queued once, and the owner's acknowledgement
//! completes SOP step 10 and is audited, while another agency's owner can neither see nor
//! acknowledge it. Also: `kawal serve` refuses bad [mail] settings, `kawal mail test`, the
//! generated completions and man page, and the compose file where Docker runs.

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use base64::Engine as _;
use kawal::notify::config::Sources;
use kawal::notify::outbox::{OutboxConfig, RoundStats, send_due};
use kawal::notify::{
    DeliveryFileConfig, MailFileConfig, Notifier, NotifySettings, ReminderFileConfig,
    WebhookFileConfig, events, sign,
};
use kawal::service::{Actor, NewUser, SendInput, Service, ServiceConfig};
use kawal::store::{AuditFilter, NewApp, Store};
use kawal::team::Roles;
use kawal::web::{AppState, WebConfig, router};
use kawal::worker::Clock;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

const PW: &str = "kata-sandi-uji-yang-panjang";
const SECRET: &str = "0123456789abcdef0123456789abcdef-rahasia";

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

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Python's aiosmtpd writing every message it accepts into a Maildir.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    /// Starts the server; `None` (with the reason printed) where aiosmtpd is missing outside CI.
    fn start() -> Option<Smtp> {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs Python's aiosmtpd (scripts/test installs it)"
            );
            eprintln!(
                "python3 -m aiosmtpd not available: SMTP case not run (pip install aiosmtpd)"
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("tmp");
        let port = closed_port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mbox"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd starts");
        let smtp = Smtp { child, port, dir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(smtp);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Every message received, as text.
    fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("mbox/new");
        let mut out: Vec<String> = std::fs::read_dir(&new)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| std::fs::read_to_string(e.path()).expect("read message"))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A header of a message, unfolded.
fn mail_header(msg: &str, name: &str) -> Option<String> {
    let head = msg.split("\n\n").next().unwrap_or("");
    let unfolded = head
        .replace("\r\n", "\n")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    unfolded
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{name}: "))
                .or_else(|| l.strip_prefix(&format!("{}: ", name.to_lowercase())))
        })
        .map(str::to_string)
}

/// The decoded PDF attachment of a message and its file name.
fn pdf_attachment(msg: &str) -> Option<(String, Vec<u8>)> {
    let msg = msg.replace("\r\n", "\n");
    let at = msg.find("Content-Type: application/pdf")?;
    // The part starts after the boundary line before its headers.
    let start = msg[..at].rfind("\n--").map_or(0, |i| i + 1);
    let part = msg[start..].split_once('\n').map_or("", |(_, rest)| rest);
    let (head, body) = part.split_once("\n\n")?;
    let head = head.replace("\n ", " ");
    let name = head
        .split("filename=\"")
        .nth(1)?
        .split('"')
        .next()?
        .to_string();
    let b64: String = body
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .concat();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    Some((name, bytes))
}

/// A loopback HTTP server recording webhook calls; `/down` answers 503.
struct Hooks {
    url: String,
    calls: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

async fn hooks() -> Hooks {
    let calls: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let rec = calls.clone();
    let app = Router::new()
        .route(
            "/hook",
            axum::routing::post(move |h: HeaderMap, b: Bytes| {
                let rec = rec.clone();
                async move {
                    rec.lock().expect("calls").push((h, b));
                    StatusCode::NO_CONTENT
                }
            }),
        )
        .route(
            "/down",
            axum::routing::post(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    Hooks { url, calls }
}

fn notifier(
    smtp_port: u16,
    hooks: Vec<WebhookFileConfig>,
    overdue_to: Vec<String>,
) -> Arc<Notifier> {
    let mail = MailFileConfig {
        host: Some("127.0.0.1".into()),
        port: Some(smtp_port),
        tls: Some("none".into()),
        from: Some("Kawal Diskominfo <kawal@diskominfo.example.go.id>".into()),
        timeout_secs: Some(5),
        ..MailFileConfig::default()
    };
    let delivery = DeliveryFileConfig {
        retry_base_secs: Some(1),
        max_attempts: Some(4),
        ..DeliveryFileConfig::default()
    };
    let reminders = ReminderFileConfig {
        unacknowledged_days: Some(3),
        overdue_to,
    };
    let s = NotifySettings::resolve(
        &Sources {
            mail: Some(&mail),
            delivery: &delivery,
            reminders: &reminders,
            webhooks: &hooks,
            public_url: Some("https://kawal.diskominfo.example.go.id"),
        },
        "test",
        &|_| None,
    )
    .expect("settings");
    Arc::new(Notifier::new(s).expect("notifier"))
}

async fn store(backend: &str) -> Option<(Arc<Store>, Option<(String, String)>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("tmp");
    if backend == "sqlite" {
        let url = format!("sqlite://{}/k.db", dir.path().display());
        return Some((
            Arc::new(Store::open(&url).await.expect("sqlite")),
            None,
            dir,
        ));
    }
    let url = common::pg_url()?;
    let schema = format!(
        "kawal_delivery_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let s = Store::open_pg_schema(&url, &schema).await.expect("pg");
    Some((Arc::new(s), Some((url, schema)), dir))
}

async fn drop_schema(place: Option<(String, String)>) {
    if let Some((url, schema)) = place {
        let pool = sqlx::PgPool::connect(&url).await.expect("cleanup");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&pool)
            .await
            .expect("drop schema");
    }
}

struct World {
    svc: Arc<Service>,
    store: Arc<Store>,
    clock: Arc<TestClock>,
    router: Router,
    evals: BTreeMap<&'static str, i64>,
}

impl World {
    async fn actor(&self, user: &str) -> Actor {
        Actor::cli(self.store.account(user).await.expect("account"))
    }
}

async fn world(store: Arc<Store>) -> World {
    kawal::install_crypto_provider();
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let mut cfg = ServiceConfig::default();
    cfg.delivery.max_attempts = 4;
    cfg.delivery.retry_base = Duration::from_secs(1);
    // DINAS-B prefers a link to the report over an attachment.
    cfg.delivery.public_url = Some("https://kawal.diskominfo.example.go.id".into());
    cfg.delivery
        .agencies
        .insert("DINAS-B".into(), kawal::notify::DeliveryMode::Link);
    let svc = Arc::new(Service::new(
        store.clone(),
        Roles::builtin().expect("roles"),
        clock.clone(),
        cfg,
    ));
    let local = Actor::local_operator();
    let users: [(&str, &str, Option<&str>, Option<&str>); 5] = [
        ("admin", "administrator", None, None),
        ("kasi", "kepala-seksi", None, None),
        ("kadis", "kepala-dinas", None, None),
        (
            "owner-a",
            "pj-aplikasi",
            Some("DINAS-A"),
            Some("owner-a@dinas-a.example.go.id"),
        ),
        (
            "owner-b",
            "pj-aplikasi",
            Some("DINAS-B"),
            Some("owner-b@dinas-b.example.go.id"),
        ),
    ];
    for (i, (user, role, agency, email)) in users.into_iter().enumerate() {
        let by = if i == 0 {
            local.clone()
        } else {
            Actor::cli(store.account("admin").await.expect("admin"))
        };
        let c = svc
            .add_user(
                &by,
                NewUser {
                    username: user.into(),
                    roles: vec![role.into()],
                    agency: agency.map(str::to_string),
                    email: email.map(str::to_string),
                    ..NewUser::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("add {user}: {e}"));
        svc.set_password(&c.setup_token, PW, None)
            .await
            .expect("password");
    }
    let mut evals = BTreeMap::new();
    // APP-C is evaluated but not yet decided: it is what "decision needed" is about.
    for (name, agency, owner) in [
        ("APP-A", "DINAS-A", "Bagian Umum DINAS-A"),
        ("APP-B", "DINAS-B", "pemilik@dinas-b.example.go.id"),
        ("APP-C", "DINAS-A", "Bagian Umum DINAS-A"),
    ] {
        let app = store
            .add_app(&NewApp {
                name: name.into(),
                url: format!("https://{}.example.go.id", name.to_lowercase()),
                agency: agency.into(),
                owner: owner.into(),
                timezone: "Asia/Jakarta".into(),
                ..NewApp::default()
            })
            .await
            .expect("app");
        let (report, _) = common::sample::report(12);
        let id = store
            .start_evaluation(Some(app.id), &app.url, "bssn", "1")
            .await
            .expect("start");
        store.finish_evaluation(id, &report).await.expect("finish");
        evals.insert(name, id);
    }
    let state = AppState {
        service: svc.clone(),
        checklist: Arc::new(kawal::checklist::Checklist::builtin().expect("checklist")),
        web: Arc::new(WebConfig::default()),
        liveness: None,
        sealer: Some(Arc::new(kawal::auth::seal::Sealer::from_key([7; 32]))),
    };
    World {
        svc,
        store,
        clock,
        router: router(state),
        evals,
    }
}

/// One request through the router as a logged-in browser (cookie, CSRF token).
async fn call(
    r: &Router,
    method: &str,
    path: &str,
    who: Option<&(String, String)>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "kawal.example.go.id");
    if let Some((cookie, csrf)) = who {
        b = b
            .header(header::COOKIE, format!("__Host-kawal={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let req = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .expect("request");
    let resp = tower_service::Service::call(&mut r.clone(), req)
        .await
        .expect("infallible");
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(c) = set_cookie {
        v["__cookie"] = json!(c);
    }
    (status, v)
}

async fn login(r: &Router, user: &str) -> (String, String) {
    let (s, v) = call(
        r,
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"username": user, "password": PW})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "login {user}: {v}");
    let cookie = v["__cookie"]
        .as_str()
        .and_then(|c| c.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .expect("cookie");
    (cookie, v["csrf_token"].as_str().expect("csrf").to_string())
}

async fn outbox(w: &World, eval: i64) -> Vec<Value> {
    let kasi = w.actor("kasi").await;
    let rows = w
        .svc
        .outbox(&kasi, None, Some(eval), 100)
        .await
        .expect("outbox");
    rows.iter().map(|r| json!(r)).collect()
}

async fn delivery_case(backend: &str) {
    let Some((store, place, _dir)) = store(backend).await else {
        return;
    };
    let Some(smtp) = Smtp::start() else {
        drop_schema(place).await;
        return;
    };
    let w = world(store).await;
    let (a, b) = (w.evals["APP-A"], w.evals["APP-B"]);
    let cfg = OutboxConfig::default();
    let kasi = w.actor("kasi").await;
    let checklist = kawal::checklist::Checklist::builtin().expect("checklist");

    // Only the security section approves sending; owners cannot.
    let owner_a = w.actor("owner-a").await;
    let e = w
        .svc
        .send_report(&owner_a, a, &SendInput::default(), &checklist)
        .await
        .expect_err("owner cannot send");
    assert!(e.to_string().contains("report:send"), "{e}");
    // Decision 1 comes first in the SOP; until it is recorded, nothing is sent.
    let early = w
        .svc
        .send_report(&kasi, a, &SendInput::default(), &checklist)
        .await
        .expect_err("decision 1 first");
    assert!(early.to_string().contains("decision 1"), "{early}");
    let kadis = w.actor("kadis").await;
    for id in [a, b] {
        let recommended = match w.store.evaluation(id).await.expect("row").meets_standard {
            Some(true) => "met",
            _ => "not_met",
        };
        w.svc
            .decide(
                &kadis,
                id,
                &kawal::service::DecideInput {
                    standard: Some(recommended.into()),
                    ..Default::default()
                },
                None,
                kawal::i18n::Lang::Id,
            )
            .await
            .expect("decision 1");
    }
    // APP-A's owner contact is not an address: only the agency's owner account receives it.
    let da = w
        .svc
        .send_report(
            &kasi,
            a,
            &SendInput {
                note: "Mohon ditindaklanjuti".into(),
            },
            &checklist,
        )
        .await
        .expect("send A");
    assert_eq!(
        (da.agency.as_str(), da.mode.as_str()),
        ("DINAS-A", "attachment")
    );
    let db = w
        .svc
        .send_report(&kasi, b, &SendInput::default(), &checklist)
        .await
        .expect("send B");
    let again = w
        .svc
        .send_report(&kasi, a, &SendInput::default(), &checklist)
        .await
        .expect_err("sent once");
    assert!(again.to_string().contains("already sent"), "{again}");

    // The mail server is down: every message stays queued with its reason, retried later.
    let down = notifier(closed_port(), vec![], vec![]);
    let now = w.clock.now();
    let s = send_due(&w.store, &down, now, &cfg).await.expect("round");
    assert_eq!(
        s,
        RoundStats {
            sent: 0,
            retried: 3,
            failed: 0
        }
    );
    let rows = outbox(&w, a).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "queued");
    assert_eq!(rows[0]["attempts"], 1);
    assert_eq!(rows[0]["recipient"], "owner-a@dinas-a.example.go.id");
    let reason = rows[0]["last_error"].as_str().expect("reason");
    assert!(
        reason.contains("cannot reach the SMTP server 127.0.0.1:"),
        "{reason}"
    );
    // Not due again before the backoff has passed; due after it, and failing again.
    let s = send_due(&w.store, &down, now, &cfg).await.expect("round");
    assert_eq!(s, RoundStats::default(), "backoff respected");
    w.clock.advance(Duration::from_secs(2));
    let s = send_due(&w.store, &down, w.clock.now(), &cfg)
        .await
        .expect("round");
    assert_eq!(s.retried, 3);
    assert_eq!(outbox(&w, a).await[0]["attempts"], 2);

    // The server is back: the messages arrive with recipient, subject and the PDF as sent.
    let up = notifier(smtp.port, vec![], vec![]);
    w.clock.advance(Duration::from_secs(10));
    let s = send_due(&w.store, &up, w.clock.now(), &cfg)
        .await
        .expect("round");
    assert_eq!(
        s,
        RoundStats {
            sent: 3,
            retried: 0,
            failed: 0
        }
    );
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    let to_a: Vec<&String> = msgs
        .iter()
        .filter(|m| {
            mail_header(m, "To").is_some_and(|t| t.contains("owner-a@dinas-a.example.go.id"))
        })
        .collect();
    assert_eq!(to_a.len(), 1);
    let m = to_a[0];
    let subject = mail_header(m, "Subject").expect("subject");
    assert!(
        subject.contains("Laporan evaluasi keamanan APP-A") && subject.contains(&format!("#{a}")),
        "{subject}"
    );
    assert!(mail_header(m, "From").is_some_and(|f| f.contains("kawal@diskominfo.example.go.id")));
    assert!(
        m.contains("Mohon ditindaklanjuti"),
        "covering note in the body"
    );
    let (name, pdf) = pdf_attachment(m).expect("PDF attached");
    assert_eq!(name, format!("laporan-evaluasi-{a}.pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        kawal::model::hex(&Sha256::digest(&pdf)),
        da.pdf_sha256,
        "the PDF archived is the PDF sent"
    );
    // APP-B goes to its owner account and to the application's owner address, as a link.
    assert_eq!(db.mode, "link");
    let to_b: Vec<&String> = msgs
        .iter()
        .filter(|m| mail_header(m, "To").is_some_and(|t| t.contains("dinas-b")))
        .collect();
    assert_eq!(to_b.len(), 2, "{to_b:?}");
    for m in to_b {
        assert!(pdf_attachment(m).is_none(), "link mode attaches nothing");
        let body = m.replace("=\n", "").replace("=3D", "=");
        assert!(
            body.contains(&format!(
                "https://kawal.diskominfo.example.go.id/api/v1/evaluations/{b}/report?format=pdf"
            )),
            "{body}"
        );
    }
    let rows = outbox(&w, a).await;
    assert_eq!(
        (rows[0]["status"].as_str(), rows[0]["attempts"].as_i64()),
        (Some("sent"), Some(3))
    );
    assert!(rows[0]["last_error"].is_null());

    // The inbox: each owner sees their own agency's report only, through the API as well.
    let ba = login(&w.router, "owner-a").await;
    let bb = login(&w.router, "owner-b").await;
    let (s, v) = call(&w.router, "GET", "/api/v1/inbox", Some(&ba), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["evaluation_id"], a);
    let (_, v) = call(&w.router, "GET", "/api/v1/inbox", Some(&bb), None).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["evaluation_id"], b);
    // Another agency's owner can neither acknowledge nor tell the report exists.
    let ack_a = format!("/api/v1/evaluations/{a}/acknowledge");
    let (s, v) = call(&w.router, "POST", &ack_a, Some(&bb), Some(json!({}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _) = call(
        &w.router,
        "POST",
        &format!("/api/v1/evaluations/{a}/delivery"),
        Some(&ba),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The owner acknowledges: SOP step 10 is done, by the owner, and audited.
    let (s, v) = call(
        &w.router,
        "POST",
        &ack_a,
        Some(&ba),
        Some(json!({"note": "Agenda 005/123"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["step_recorded"], true);
    assert_eq!(v["delivery"]["acknowledged_by"], "owner-a");
    let rec = w.svc.sop_record(&kasi, a).await.expect("sop");
    let step = rec
        .steps
        .iter()
        .find(|s| s.step == "penyampaian-laporan")
        .expect("step 10 recorded");
    assert_eq!(
        (step.actor.as_str(), step.output.as_str()),
        ("owner-a", "Laporan diterima")
    );
    assert!(
        step.note.contains(&da.pdf_sha256) && step.note.contains("Agenda 005/123"),
        "{}",
        step.note
    );
    let (s, v) = call(&w.router, "POST", &ack_a, Some(&ba), Some(json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "acknowledged once: {v}");
    // The notifier's bulk view of the SOP sees the step too.
    let snap = w
        .store
        .sop_snapshot(w.clock.now() - time::Duration::days(1), 100)
        .await
        .expect("snapshot");
    assert_eq!(snap.len(), 3);
    let sa = snap.iter().find(|s| s.evaluation.id == a).expect("A");
    let steps: Vec<&str> = sa.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["keputusan-standar", "penyampaian-laporan"]);
    assert_eq!(sa.decisions.len(), 1);
    let sc = snap
        .iter()
        .find(|s| s.evaluation.id == w.evals["APP-C"])
        .expect("C");
    assert!(sc.steps.is_empty() && sc.decisions.is_empty());
    let admin = w.actor("admin").await;
    let audit = w
        .svc
        .audit_list(
            &admin,
            &AuditFilter {
                action: Some("report.".into()),
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .expect("audit");
    let acts: Vec<(String, String)> = audit
        .iter()
        .map(|e| (e.content.action.clone(), e.content.actor.clone()))
        .collect();
    assert!(
        acts.contains(&("report.acknowledge".into(), "owner-a".into())),
        "{acts:?}"
    );
    assert!(
        acts.contains(&("report.send".into(), "kasi".into())),
        "{acts:?}"
    );
    assert!(
        !acts
            .iter()
            .any(|(a, u)| a == "report.acknowledge" && u == "owner-b"),
        "{acts:?}"
    );
    assert!(
        w.store
            .audit_verify()
            .await
            .expect("verify")
            .broken
            .is_none()
    );

    webhooks_and_reminders(&w, &smtp, db.evaluation_id).await;
    drop_schema(place).await;
}

/// Webhooks arrive signed; a failing endpoint is retried; scans queue each event once;
/// overdue steps and unacknowledged reports are reminded.
async fn webhooks_and_reminders(w: &World, smtp: &Smtp, b: i64) {
    let h = hooks().await;
    let hook = |name: &str, path: &str| WebhookFileConfig {
        name: name.into(),
        url: format!("{}{path}", h.url),
        secret: Some(SECRET.into()),
        ..WebhookFileConfig::default()
    };
    let n = notifier(
        smtp.port,
        vec![hook("chat", "/hook"), hook("rusak", "/down")],
        vec!["keamanan@diskominfo.example.go.id".into()],
    );
    let cfg = OutboxConfig::default();
    let now = w.clock.now();
    let queued = events::scan(&w.store, &n, now).await.expect("scan");
    // Per hook: evaluation.finished for the three evaluations, decision.needed for APP-C only.
    assert_eq!(queued, 8, "queued {queued}");
    assert_eq!(
        events::scan(&w.store, &n, now).await.expect("scan"),
        0,
        "each event once"
    );
    send_due(&w.store, &n, now, &cfg).await.expect("round");
    let calls = h.calls.lock().expect("calls").clone();
    let finished: Vec<&(HeaderMap, Bytes)> = calls
        .iter()
        .filter(|(hd, _)| {
            hd.get(sign::EVENT_HEADER)
                .is_some_and(|v| v == "evaluation.finished")
        })
        .collect();
    assert_eq!(finished.len(), 3, "every evaluation announced once");
    let needed: Vec<Value> = calls
        .iter()
        .filter(|(hd, _)| hd[sign::EVENT_HEADER] == "decision.needed")
        .map(|(_, b)| serde_json::from_slice(b).expect("json"))
        .collect();
    assert_eq!(needed.len(), 1, "only the undecided evaluation: {needed:?}");
    assert_eq!(needed[0]["evaluation_id"], w.evals["APP-C"]);
    for (hd, body) in &calls {
        let ts: i64 = hd[sign::TIMESTAMP_HEADER]
            .to_str()
            .expect("ts")
            .parse()
            .expect("ts");
        let sig = hd[sign::SIGNATURE_HEADER].to_str().expect("sig");
        assert!(
            sign::verify(SECRET.as_bytes(), ts, body, sig, now.unix_timestamp(), 300),
            "signature verifies"
        );
        assert!(!sign::verify(
            b"another secret of enough length....",
            ts,
            body,
            sig,
            now.unix_timestamp(),
            300
        ));
        let v: Value = serde_json::from_slice(body).expect("json");
        assert_eq!(v["event"], hd[sign::EVENT_HEADER].to_str().expect("event"));
    }
    let p: Value = serde_json::from_slice(&finished[0].1).expect("json");
    assert!(
        p["evaluation_id"].is_i64() && p["agency"].is_string(),
        "{p}"
    );
    // The endpoint answering 503 keeps its messages queued with the reason.
    let kasi = w.actor("kasi").await;
    let rows = w
        .svc
        .outbox(&kasi, Some("queued"), None, 500)
        .await
        .expect("outbox");
    let down: Vec<_> = rows.iter().filter(|r| r.recipient == "rusak").collect();
    assert!(!down.is_empty());
    assert!(
        down.iter()
            .all(|r| r.attempts == 1 && r.last_error.as_deref().is_some_and(|e| e.contains("503")))
    );

    // An hour on, the first SOP steps are overdue: a webhook and an e-mail to the section.
    w.clock.advance(Duration::from_secs(3600));
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan");
    send_due(&w.store, &n, w.clock.now(), &cfg)
        .await
        .expect("round");
    let sla = h
        .calls
        .lock()
        .expect("calls")
        .iter()
        .filter(|(hd, _)| hd[sign::EVENT_HEADER] == "sla.breach")
        .count();
    assert!(sla >= 3, "sla.breach for each evaluation's overdue step");
    assert!(
        smtp.messages().iter().any(|m| mail_header(m, "To")
            .is_some_and(|t| t.contains("keamanan@"))
            && mail_header(m, "Subject").is_some_and(|s| s.contains("Langkah SOP terlambat"))),
        "overdue step mailed"
    );

    // Four days on, B's report is still unacknowledged: its recipients are reminded, once.
    w.clock.advance(Duration::from_secs(4 * 86_400));
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan");
    events::scan(&w.store, &n, w.clock.now())
        .await
        .expect("scan");
    let rows = w
        .svc
        .outbox(&kasi, None, Some(b), 500)
        .await
        .expect("outbox");
    let reminders: Vec<_> = rows
        .iter()
        .filter(|r| r.topic == "reminder.acknowledge")
        .collect();
    assert_eq!(reminders.len(), 2, "one per recipient of B: {reminders:?}");
    let rows_a = w
        .svc
        .outbox(&kasi, None, Some(w.evals["APP-A"]), 500)
        .await
        .expect("outbox");
    assert!(
        !rows_a.iter().any(|r| r.topic == "reminder.acknowledge"),
        "A was acknowledged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_sqlite() {
    delivery_case("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_postgres() {
    delivery_case("postgres").await;
}

fn home_with_config(toml: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::write(home.path().join("kawal.toml"), toml).expect("config");
    home
}

#[test]
fn serve_refuses_bad_mail_and_webhook_settings() {
    let home = home_with_config("[mail]\nhost = \"mail.example.go.id\"\nfrom = \"bukan alamat\"\n");
    let mut c = common::kawal(home.path());
    c.args(["serve", "--no-http", "--workers", "0"]);
    let (code, _, err) = common::run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mail.from") && err.contains("kawal.toml"),
        "{err}"
    );
    let home = home_with_config(
        "[[webhook]]\nname = \"chat\"\nurl = \"http://chat.example.go.id/hook\"\nsecret_env = \"KAWAL_HOOK_SECRET\"\n",
    );
    let mut c = common::kawal(home.path());
    c.args(["serve", "--no-http", "--workers", "0"]);
    let (code, _, err) = common::run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("webhook \"chat\".url") && err.contains("https://"),
        "{err}"
    );
}

#[test]
fn mail_test_command_sends_through_smtp() {
    let Some(smtp) = Smtp::start() else {
        return;
    };
    let home = home_with_config(&format!(
        "[mail]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Kawal <kawal@diskominfo.example.go.id>\"\n",
        smtp.port
    ));
    let mut c = common::kawal(home.path());
    c.args(["mail", "test", "--to", "admin@diskominfo.example.go.id"]);
    let (code, out, err) = common::run(c);
    assert_eq!(code, 0, "{out}{err}");
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    assert!(
        mail_header(&msgs[0], "To").is_some_and(|t| t.contains("admin@diskominfo.example.go.id"))
    );
    assert!(mail_header(&msgs[0], "Subject").is_some_and(|s| s.contains("Pesan uji")));
    // A server that is not there: a precise error and a non-zero exit.
    let home = home_with_config(&format!(
        "[mail]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"kawal@diskominfo.example.go.id\"\n",
        closed_port()
    ));
    let mut c = common::kawal(home.path());
    c.args(["mail", "test", "--to", "admin@diskominfo.example.go.id"]);
    let (code, _, err) = common::run(c);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("cannot reach the SMTP server 127.0.0.1:"),
        "{err}"
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let home = tempfile::tempdir().expect("tmp");
    for shell in ["bash", "zsh", "fish"] {
        let mut c = common::kawal(home.path());
        c.args(["completions", shell]);
        let (code, out, err) = common::run(c);
        assert_eq!(code, 0, "{err}");
        for sub in ["serve", "delivery", "acknowledge", "evaluation"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let mut c = common::kawal(home.path());
    c.args(["man"]);
    let (code, out, err) = common::run(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(".ie") || out.contains(".TH kawal"),
        "{}",
        &out[..out.len().min(200)]
    );
    assert!(out.contains("delivery") && out.contains("serve"));
    let dir = home.path().join("man");
    let mut c = common::kawal(home.path());
    c.args(["man", "--out-dir"]).arg(&dir);
    let (code, _, err) = common::run(c);
    assert_eq!(code, 0, "{err}");
    for page in [
        "kawal.1",
        "kawal-serve.1",
        "kawal-delivery.1",
        "kawal-mail-test.1",
    ] {
        assert!(dir.join(page).is_file(), "{page} generated");
    }
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn deploy_files_are_hardened() {
    let unit = std::fs::read_to_string(repo("deploy/kawal.service")).expect("unit");
    for k in [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "ExecStart=/usr/local/bin/kawal serve",
        "User=kawal",
    ] {
        assert!(unit.contains(k), "kawal.service lacks {k}");
    }
    systemd_accepts(&unit);
    let docker = std::fs::read_to_string(repo("deploy/Dockerfile")).expect("Dockerfile");
    assert!(docker.matches("FROM ").count() >= 2, "multi-stage");
    assert!(docker.contains("USER kawal"), "runs as non-root");
    let compose = std::fs::read_to_string(repo("deploy/compose.yaml")).expect("compose");
    assert!(compose.contains("image: postgres") && compose.contains("[\"serve\""));
    assert!(compose.contains("cap_drop: [ALL]") && compose.contains("no-new-privileges:true"));
}

/// `systemd-analyze verify` finds no unknown or malformed setting (where systemd is installed).
fn systemd_accepts(unit: &str) {
    let present = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("systemd-analyze not installed: kawal.service checked by its keys only");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("kawal.service");
    let unit = unit.replace("/usr/local/bin/kawal", env!("CARGO_BIN_EXE_kawal"));
    std::fs::write(&path, unit).expect("unit");
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze");
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    for bad in ["Unknown", "Failed to parse", "Invalid", "ignoring"] {
        assert!(!text.contains(bad), "systemd-analyze: {text}");
    }
}

/// Builds the image, starts the compose file and polls `/readyz`, where Docker runs.
#[test]
fn compose_starts_and_answers_readyz() {
    let docker_ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    // The compose plugin, else the standalone docker-compose.
    let tool: Option<&[&str]> = [&["docker", "compose"][..], &["docker-compose"][..]]
        .into_iter()
        .find(|c| docker_ok && works(c));
    let Some(tool) = tool else {
        eprintln!(
            "SKIPPED compose_starts_and_answers_readyz: no Docker daemon with compose here (docker info failed); run where Docker is available"
        );
        return;
    };
    let project = format!("kawaltest{}", std::process::id());
    let file = repo("deploy/compose.yaml");
    let cmd = |args: &[&str]| {
        let mut c = Command::new(tool[0]);
        c.args(&tool[1..])
            .args(["-p", &project, "-f"])
            .arg(&file)
            .args(args)
            .env("KAWAL_HTTP_PORT", "0")
            .env("KAWAL_DB_PASSWORD", "uji-compose-kata-sandi-basis-data");
        c
    };
    let compose = |args: &[&str]| cmd(args).status().expect("docker compose");
    let up = compose(&["up", "-d", "--build"]);
    let result = (|| {
        if !up.success() {
            return Err("docker compose up failed".to_string());
        }
        let out = cmd(&["port", "kawal", "8443"])
            .output()
            .map_err(|e| e.to_string())?;
        let addr = String::from_utf8_lossy(&out.stdout).trim().to_string();
        for _ in 0..60 {
            let r = Command::new("curl")
                .args(["-sk", "-o", "/dev/null", "-w", "%{http_code}"])
                .arg(format!("https://{addr}/readyz"))
                .output()
                .map_err(|e| e.to_string())?;
            if String::from_utf8_lossy(&r.stdout) == "200" {
                return Ok(());
            }
            std::thread::sleep(Duration::from_secs(2));
        }
        Err(format!("/readyz at {addr} never answered 200"))
    })();
    compose(&["down", "-v"]);
    result.expect("compose answers /readyz");
}

/// The whole path through the binary: `kawal delivery send` queues, `kawal serve` sends it
/// to the SMTP server, the owner acknowledges with `kawal delivery acknowledge`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_sends_what_the_cli_approved() {
    let Some(smtp) = Smtp::start() else {
        return;
    };
    kawal::install_crypto_provider();
    let home = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}/k.db", home.path().display());
    std::fs::write(
        home.path().join("kawal.toml"),
        format!(
            "database_url = \"{db}\"\n[mail]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Kawal <kawal@diskominfo.example.go.id>\"\n",
            smtp.port
        ),
    )
    .expect("config");
    {
        let store = Arc::new(Store::open(&db).await.expect("store"));
        let svc = Service::new(
            store.clone(),
            Roles::builtin().expect("roles"),
            Arc::new(kawal::worker::SystemClock),
            ServiceConfig::default(),
        );
        for (user, role, agency, email) in [
            ("admin", "administrator", None, None),
            ("kasi", "kepala-seksi", None, None),
            ("kadis", "kepala-dinas", None, None),
            (
                "budi",
                "pj-aplikasi",
                Some("DINAS-A"),
                Some("budi@dinas-a.example.go.id"),
            ),
        ] {
            let by = match store.find_account("admin").await.expect("lookup") {
                Some(a) => Actor::cli(a),
                None => Actor::local_operator(),
            };
            svc.add_user(
                &by,
                NewUser {
                    username: user.into(),
                    roles: vec![role.into()],
                    agency: agency.map(str::to_string),
                    email: email.map(str::to_string),
                    ..NewUser::default()
                },
            )
            .await
            .expect("user");
        }
        let app = store
            .add_app(&NewApp {
                name: "APP-A".into(),
                url: "https://app-a.example.go.id".into(),
                agency: "DINAS-A".into(),
                owner: "Bagian Umum".into(),
                timezone: "Asia/Jakarta".into(),
                ..NewApp::default()
            })
            .await
            .expect("app");
        let id = store
            .start_evaluation(Some(app.id), &app.url, "bssn", "1")
            .await
            .expect("start");
        store
            .finish_evaluation(id, &common::sample::report(5).0)
            .await
            .expect("finish");
        drop(svc);
        store.close_shared().await;
    }
    let as_ = |user: &str, args: &[&str]| {
        let mut c = common::kawal(home.path());
        c.args(["--as", user]).args(args);
        common::run(c)
    };
    let (code, _, err) = as_("kasi", &["delivery", "send", "APP-A"]);
    assert_eq!(code, 2, "decision 1 comes first: {err}");
    assert!(err.contains("kawal evaluation decide"), "{err}");
    let (code, out, err) = as_(
        "kadis",
        &[
            "evaluation",
            "decide",
            "APP-A",
            "--standard",
            "met",
            "--reason",
            "Diterima dengan catatan",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = as_("kasi", &["delivery", "send", "APP-A", "--note", "Segera"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("budi@dinas-a.example.go.id"), "{out}");
    let (code, _, err) = as_("budi", &["delivery", "send", "APP-A"]);
    assert_eq!(code, 2, "an owner cannot approve sending: {err}");

    let mut serve = common::kawal(home.path());
    serve
        .args([
            "serve",
            "--no-http",
            "--workers",
            "0",
            "--tick-secs",
            "3600",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = serve.spawn().expect("serve starts");
    let mut got = Vec::new();
    // Up to 60 s: under a loaded CI machine the server's start, claim, PDF and SMTP session
    // can take well beyond the usual second.
    for _ in 0..600 {
        got = smtp.messages();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got.len(), 1, "kawal serve sent the queued report");
    assert!(mail_header(&got[0], "To").is_some_and(|t| t.contains("budi@dinas-a.example.go.id")));
    assert!(pdf_attachment(&got[0]).is_some_and(|(_, b)| b.starts_with(b"%PDF-")));
    let (code, out, err) = as_("kasi", &["delivery", "outbox", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(rows[0]["status"], "sent", "{rows}");

    let (code, out, err) = as_(
        "budi",
        &["delivery", "acknowledge", "1", "--note", "Agenda 9"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("SOP step 10") || out.contains("langkah SOP 10"),
        "{out}"
    );
    let (code, out, _) = as_("budi", &["delivery", "inbox", "--json"]);
    assert_eq!(code, 0);
    let inbox: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(inbox["items"][0]["acknowledged_by"], "budi", "{inbox}");
}

/// A mail server that is down at start does not stop `kawal serve`: it says so, and runs.
#[test]
fn serve_starts_while_the_mail_server_is_down() {
    use std::io::BufRead;
    let port = closed_port();
    let home = home_with_config(&format!(
        "[mail]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"kawal@diskominfo.example.go.id\"\n"
    ));
    let mut c = common::kawal(home.path());
    c.args([
        "serve",
        "--no-http",
        "--workers",
        "0",
        "--tick-secs",
        "3600",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("serve");
    let err = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline && !seen.contains("PERINGATAN") {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push_str(&l);
            seen.push('\n');
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let still_running = child.try_wait().expect("wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.contains("server surel belum dapat dihubungi")
            && seen.contains(&format!("127.0.0.1:{port}")),
        "{seen}"
    );
    assert!(still_running, "serve keeps running: {seen}");
}
