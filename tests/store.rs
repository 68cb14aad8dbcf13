//! The same repository suite on SQLite (always) and PostgreSQL (when KAWAL_TEST_DATABASE_URL is set).

use kawal::checks::Observation;
use kawal::evaluation::{self, ChecklistRef, ItemResult, Policy, Report, Tool};
use kawal::i18n::Text;
use kawal::model::{EvaluationStatus, Outcome, Severity};
use kawal::store::{AppPatch, NewApp, Store, StoreError};
use time::OffsetDateTime;

fn new_app(name: &str) -> NewApp {
    NewApp {
        name: name.into(),
        url: "https://simpeg.example.go.id".into(),
        agency: "BKPSDM".into(),
        owner: "owner@example.go.id".into(),
        schedule: Some("0 2 * * 1".into()),
        timezone: "Asia/Jakarta".into(),
        rate_limit: Some(5.0),
        scope_hosts: vec!["*.example.go.id".into()],
        public_service: true,
        personal_data: true,
        allow_unsafe_methods: false,
        ca_bundle: None,
        insecure: false,
    }
}

fn report(target: &str, outcome: Outcome) -> Report {
    let obs = Observation::new(
        "session.cookie.secure",
        outcome.clone(),
        Text::new("ringkas", "summary"),
    )
    .at("cookie:SID");
    let mut obs = obs;
    obs.fingerprint = Some(kawal::model::fingerprint(
        target,
        "session.cookie.secure",
        Some("cookie:SID"),
    ));
    let items = vec![
        ItemResult {
            id: "session.cookie.secure".into(),
            area: "b".into(),
            severity: Severity::Medium,
            check: "cookies".into(),
            title: Text::new("Secure", "Secure"),
            outcome,
            observations: vec![obs],
            manual: None,
        },
        ItemResult {
            id: "manual.k33".into(),
            area: "f".into(),
            severity: Severity::Low,
            check: "manual".into(),
            title: Text::new("Log", "Log"),
            outcome: Outcome::Manual,
            observations: vec![],
            manual: None,
        },
    ];
    let policy = Policy::builtin().expect("policy");
    let mut r = Report {
        schema: evaluation::SCHEMA.into(),
        tool: Tool {
            name: "kawal".into(),
            version: "test".into(),
        },
        checklist: ChecklistRef {
            id: "bssn-web".into(),
            version: "t".into(),
        },
        target: target.into(),
        application: Some("SIMPEG".into()),
        started_at: OffsetDateTime::now_utc(),
        finished_at: OffsetDateTime::now_utc(),
        requests_sent: 3,
        summary: evaluation::summarise(&items),
        decision: kawal::decision::decide_standard(&policy, &items, &Default::default()),
        action: None,
        facts: Default::default(),
        retested_items: Vec::new(),
        items,
    };
    r.redecide(&policy, Default::default(), &Default::default());
    r
}

async fn suite(store: Store) {
    // Applications: add, unique names, case-insensitive lookup, edit, list.
    let a = store.add_app(&new_app("SIMPEG")).await.expect("add");
    assert_eq!(a.agency, "BKPSDM");
    assert_eq!(a.scope_hosts, vec!["*.example.go.id".to_string()]);
    assert!(a.public_service && a.personal_data && !a.allow_unsafe_methods);
    assert!(matches!(
        store.add_app(&new_app("simpeg")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.app("simpeg").await.expect("ci lookup").id, a.id);
    assert_eq!(
        store.app(&a.id.to_string()).await.expect("id lookup").name,
        "SIMPEG"
    );
    let b = store
        .add_app(&NewApp {
            agency: "Dinas Kesehatan".into(),
            ..new_app("SIMKES")
        })
        .await
        .expect("add 2");
    let e = store
        .edit_app(
            "SIMKES",
            &AppPatch {
                schedule: Some(None),
                agency: Some("BKPSDM".into()),
                rate_limit: Some(None),
                allow_unsafe_methods: Some(true),
                ..AppPatch::default()
            },
        )
        .await
        .expect("edit");
    assert_eq!(
        (
            e.id,
            e.schedule.clone(),
            e.agency.as_str(),
            e.rate_limit,
            e.allow_unsafe_methods
        ),
        (b.id, None, "BKPSDM", None, true)
    );
    assert!(matches!(
        store
            .edit_app(
                "SIMKES",
                &AppPatch {
                    name: Some("SIMPEG".into()),
                    ..AppPatch::default()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.list_apps().await.expect("list").len(), 2);
    assert!(matches!(
        store.app("NOPE").await,
        Err(StoreError::NotFound { .. })
    ));

    // Evaluations: running → finished in one transaction, findings with stable fingerprints.
    let id1 = store
        .start_evaluation(Some(a.id), &a.url, "bssn-web", "t")
        .await
        .expect("start");
    assert_eq!(
        store.evaluation(id1).await.expect("row").status,
        EvaluationStatus::Running
    );
    store
        .finish_evaluation(id1, &report(&a.url, Outcome::Fail))
        .await
        .expect("finish");
    let row = store.evaluation(id1).await.expect("row");
    assert_eq!(row.status, EvaluationStatus::Finished);
    assert_eq!(row.meets_standard, Some(false));
    assert_eq!(row.failures, 1);
    let f1 = store.findings(id1).await.expect("findings");
    assert_eq!(f1.len(), 2, "one observation plus the manual item");
    assert_eq!(f1[0].outcome, "fail");
    assert_eq!(f1[1].outcome, "manual");
    let doc = store.report_json(id1).await.expect("doc").expect("stored");
    assert!(doc.contains("kawal.evaluation/1"));

    let id2 = store
        .start_evaluation(Some(a.id), &a.url, "bssn-web", "t")
        .await
        .expect("start 2");
    store
        .finish_evaluation(id2, &report(&a.url, Outcome::Pass))
        .await
        .expect("finish 2");
    let f2 = store.findings(id2).await.expect("findings 2");
    assert_eq!(
        f1[0].fingerprint, f2[0].fingerprint,
        "same item and instance, same fingerprint"
    );
    assert_ne!(f1[0].fingerprint, f1[1].fingerprint);
    assert_eq!(
        store.evaluation(id2).await.expect("row").meets_standard,
        Some(true)
    );

    // A finished evaluation cannot be finished twice, and a failed one keeps its reason.
    assert!(matches!(
        store
            .finish_evaluation(id2, &report(&a.url, Outcome::Pass))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let id3 = store
        .start_evaluation(Some(a.id), &a.url, "bssn-web", "t")
        .await
        .expect("start 3");
    store
        .fail_evaluation(id3, "target unreachable")
        .await
        .expect("fail");
    let r3 = store.evaluation(id3).await.expect("row");
    assert_eq!(
        (r3.status, r3.error.as_deref()),
        (EvaluationStatus::Failed, Some("target unreachable"))
    );
    assert_eq!(
        store.findings(id3).await.expect("none").len(),
        0,
        "a failed run leaves no findings"
    );

    // Our own running evaluation is alive, so recovery leaves it alone.
    let id4 = store
        .start_evaluation(None, "https://x.example.go.id", "bssn-web", "t")
        .await
        .expect("start 4");
    store.heartbeat(id4).await.expect("beat");
    assert!(
        store
            .recover_interrupted()
            .await
            .expect("recover")
            .is_empty()
    );
    assert_eq!(
        store.evaluation(id4).await.expect("row").status,
        EvaluationStatus::Running
    );

    let hist = store.list_evaluations(Some(a.id)).await.expect("history");
    assert_eq!(
        hist.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![id3, id2, id1],
        "newest first"
    );
    assert_eq!(store.list_evaluations(None).await.expect("all").len(), 4);
    job_done_with_its_evaluation(&store).await;

    // Removing an application with history needs force and takes its history with it.
    assert!(matches!(
        store.remove_app("SIMPEG", false).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.remove_app("SIMPEG", true).await.expect("forced"), 3);
    assert!(matches!(
        store.evaluation(id1).await,
        Err(StoreError::NotFound { .. })
    ));
    store.close().await;
}

/// The job that ran an evaluation is done in the transaction that finishes it: a worker killed
/// right after the evaluation finished leaves nothing for another worker to run again (the
/// kill soak found such twice-run jobs on PostgreSQL when "done" was a second write).
async fn job_done_with_its_evaluation(store: &Store) {
    use kawal::store::{ClaimLimits, JobStatus};
    let app = &store.add_app(&new_app("SIMANTAP")).await.expect("add");
    let t = OffsetDateTime::now_utc();
    let lease = std::time::Duration::from_secs(60);
    let job = store.enqueue_manual(app.id, t).await.expect("enqueue");
    let claimed = store
        .claim_job("w1", t, lease, ClaimLimits::default())
        .await
        .expect("claim")
        .expect("a job");
    assert_eq!(claimed.id, job.id);
    let eval = store
        .start_evaluation(Some(app.id), &app.url, "bssn-web", "t")
        .await
        .expect("start");
    store.attach_evaluation(job.id, eval).await.expect("attach");
    store
        .finish_evaluation(eval, &report(&app.url, Outcome::Pass))
        .await
        .expect("finish");
    // No "complete" call yet, as after a crash: the job is already done, and stays done after
    // its lease runs out.
    assert_eq!(
        store.job(job.id).await.expect("job").status,
        JobStatus::Done
    );
    let after_lease = t + time::Duration::seconds(120);
    assert!(
        store
            .reap_expired(after_lease)
            .await
            .expect("reap")
            .is_empty()
    );
    assert!(
        store
            .claim_job("w2", after_lease, lease, ClaimLimits::default())
            .await
            .expect("claim")
            .is_none(),
        "nothing is handed out again"
    );
    // The worker that ran it still completes it (a no-op); another worker cannot.
    assert!(store.complete_job(job.id, "w1", t).await.expect("complete"));
    assert!(!store.complete_job(job.id, "w2", t).await.expect("complete"));
    // A new request in the same second as that finished job is a new run, not the old job
    // handed back; a second click while it is queued is the same run.
    let again = store
        .enqueue_manual(app.id, t)
        .await
        .expect("enqueue again");
    assert_ne!(again.id, job.id);
    assert_eq!(again.status, JobStatus::Queued);
    let click = store.enqueue_manual(app.id, t).await.expect("second click");
    assert_eq!(click.id, again.id);
    store.remove_app("SIMANTAP", true).await.expect("remove");
}

/// Evaluates `app` once with the cookie item at `outcome`; returns the evaluation id.
async fn evaluate(store: &Store, app: &kawal::store::App, outcome: Outcome) -> i64 {
    let id = store
        .start_evaluation(Some(app.id), &app.url, "bssn-web", "t")
        .await
        .expect("start");
    store
        .finish_evaluation(id, &report(&app.url, outcome))
        .await
        .expect("finish");
    id
}

async fn status(store: &Store, app: i64, fp: &str) -> Option<kawal::store::FindingStatus> {
    store
        .finding_states(app)
        .await
        .expect("states")
        .into_iter()
        .find(|s| s.fingerprint == fp)
        .map(|s| s.status)
}

/// The SOP record and the finding lifecycle, on whichever back end `store` is.
async fn sop_suite(store: Store) {
    use kawal::store::{DecisionRecord, FindingStatus};
    let app = store.add_app(&new_app("SIKAP")).await.expect("add");
    let fp = kawal::model::fingerprint(&app.url, "session.cookie.secure", Some("cookie:SID"));

    // A failing instance opens a finding.
    let e1 = evaluate(&store, &app, Outcome::Fail).await;
    assert_eq!(status(&store, app.id, &fp).await, Some(FindingStatus::Open));
    let t1 = store.trend(e1).await.expect("trend");
    assert_eq!((t1.previous, t1.new), (None, 1));

    // SOP steps: recorded once, with actor and role.
    let step = store
        .record_step(
            e1,
            "disposisi",
            false,
            "Kepala Dinas",
            "Kepala Dinas",
            "Disposisi 005/12",
            "",
        )
        .await
        .expect("step");
    assert_eq!(step.output, "Disposisi 005/12");
    let dup = store
        .record_step(e1, "disposisi", false, "x", "x", "", "")
        .await
        .expect_err("a step is recorded once");
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");

    // A manual item with an attachment updates the stored report and keeps the file intact.
    let bytes = b"%PDF-1.7 bukti dukung \x00\xff".to_vec();
    let policy = Policy::builtin().expect("policy");
    let rec = store
        .record_manual(
            e1,
            "manual.k33",
            Outcome::Pass,
            "Ani (Tim Analisis)",
            "log audit diperiksa",
            Some(("log-audit.pdf", &bytes)),
            |r| r.redecide(&policy, Default::default(), &Default::default()),
        )
        .await
        .expect("record manual");
    assert_eq!(rec.attachment_sha256.as_deref().map(str::len), Some(64));
    let stored = store.stored_report(e1).await.expect("report");
    let k33 = stored
        .items
        .iter()
        .find(|i| i.id == "manual.k33")
        .expect("k33");
    assert_eq!(k33.outcome, Outcome::Pass);
    assert_eq!(
        k33.manual.as_ref().map(|m| m.actor.as_str()),
        Some("Ani (Tim Analisis)")
    );
    assert_eq!(stored.summary.manual, 0);
    assert_eq!(
        store
            .manual_attachment(e1, "manual.k33")
            .await
            .expect("attachment"),
        Some(("log-audit.pdf".to_string(), bytes.clone()))
    );
    let missing = store
        .record_manual(e1, "no.such.item", Outcome::Pass, "Ani", "", None, |_| {})
        .await
        .expect_err("unknown item");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");

    // The head of office's decision is recorded once, and completes its SOP step.
    let d = DecisionRecord {
        kind: "standard".into(),
        recommended: "not_met".into(),
        decided: "met".into(),
        agrees: false,
        actor: "Kepala Dinas".into(),
        reason: "perbaikan sudah dijadwalkan minggu ini".into(),
        decided_at: OffsetDateTime::now_utc(),
    };
    store
        .record_decision(e1, &d, Some(("keputusan-standar", "Kepala Dinas")))
        .await
        .expect("decision");
    let again = store.record_decision(e1, &d, None).await.expect_err("once");
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
    let ds = store.decisions(e1).await.expect("decisions");
    assert_eq!(ds.len(), 1);
    assert!(!ds[0].agrees && ds[0].reason.contains("dijadwalkan"));
    assert!(
        store
            .steps(e1)
            .await
            .expect("steps")
            .iter()
            .any(|s| s.step == "keputusan-standar" && s.actor == "Kepala Dinas")
    );

    // Lifecycle: fix reported → still failing reopens → passing verifies → failing reopens.
    store
        .set_finding_status(
            app.id,
            &fp,
            FindingStatus::FixReported,
            "owner",
            "sudah diperbaiki",
            None,
        )
        .await
        .expect("fix reported");
    let e2 = evaluate(&store, &app, Outcome::Fail).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::Reopened)
    );
    let t2 = store.trend(e2).await.expect("trend");
    assert_eq!(
        (t2.previous, t2.new, t2.fixed, t2.still_open),
        (Some(e1), 0, 0, 1)
    );
    let e3 = evaluate(&store, &app, Outcome::Pass).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::VerifiedFixed)
    );
    let t3 = store.trend(e3).await.expect("trend");
    assert_eq!((t3.new, t3.fixed, t3.still_open), (0, 1, 0));
    evaluate(&store, &app, Outcome::Fail).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::Reopened)
    );

    // An inconclusive item proves nothing: the finding stays as it is.
    store
        .set_finding_status(
            app.id,
            &fp,
            FindingStatus::FixReported,
            "owner",
            "diperbaiki lagi",
            None,
        )
        .await
        .expect("fix reported");
    evaluate(&store, &app, Outcome::inconclusive("-", "-")).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::FixReported)
    );

    // Accepted risk excludes the finding until its date; expired, the next failure reopens it.
    let future = OffsetDateTime::now_utc() + time::Duration::days(30);
    store
        .set_finding_status(
            app.id,
            &fp,
            FindingStatus::AcceptedRisk,
            "Kepala Dinas",
            "sistem diganti Maret",
            Some(future),
        )
        .await
        .expect("accept");
    let excl = store
        .exclusions(app.id, OffsetDateTime::now_utc())
        .await
        .expect("excl");
    assert!(excl.fingerprints.contains(&fp));
    let mut r = report(&app.url, Outcome::Fail);
    r.redecide(&policy, Default::default(), &excl);
    assert!(
        r.decision.meets_standard,
        "accepted risk is not counted: {:?}",
        r.decision
    );
    let e6 = evaluate(&store, &app, Outcome::Fail).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::AcceptedRisk)
    );
    let later = future + time::Duration::days(1);
    assert!(
        store
            .exclusions(app.id, later)
            .await
            .expect("excl")
            .fingerprints
            .is_empty()
    );
    store
        .set_finding_status(
            app.id,
            &fp,
            FindingStatus::AcceptedRisk,
            "Kepala Dinas",
            "sudah lewat",
            Some(OffsetDateTime::now_utc() - time::Duration::days(1)),
        )
        .await
        .expect("expired acceptance");
    evaluate(&store, &app, Outcome::Fail).await;
    assert_eq!(
        status(&store, app.id, &fp).await,
        Some(FindingStatus::Reopened)
    );
    let events = store.finding_events(app.id, &fp).await.expect("events");
    assert!(events.len() >= 8, "{events:?}");
    assert_eq!(events[0].1, "open");
    assert!(store.latest_finished(Some(app.id)).await.expect("latest") > Some(e6));
    let unknown = store
        .set_finding_status(app.id, "ffff", FindingStatus::FalsePositive, "x", "y", None)
        .await
        .expect_err("unknown fingerprint");
    assert!(matches!(unknown, StoreError::NotFound { .. }), "{unknown}");
    store.close().await;
}

#[tokio::test]
async fn sqlite_sop_suite() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/kawal.db", dir.path().display());
    sop_suite(Store::open(&url).await.expect("open sqlite")).await;
}

#[tokio::test]
async fn postgres_sop_suite() {
    let Ok(url) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
        eprintln!("KAWAL_TEST_DATABASE_URL not set: PostgreSQL suite not run");
        return;
    };
    let schema = format!(
        "kawal_sop_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    sop_suite(
        Store::open_pg_schema(&url, &schema)
            .await
            .expect("open postgres"),
    )
    .await;
    let pool = sqlx::PgPool::connect(&url)
        .await
        .expect("cleanup connection");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await
        .expect("drop schema");
}

#[tokio::test]
async fn sqlite_repository_suite() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}/nested/kawal.db", dir.path().display());
    suite(Store::open(&url).await.expect("open sqlite")).await;
    // Reopening runs the migrations idempotently and keeps the data.
    let again = Store::open(&url).await.expect("reopen");
    assert_eq!(again.list_apps().await.expect("list").len(), 1);
    assert_eq!(again.backend(), "sqlite");
}

#[tokio::test]
async fn postgres_repository_suite() {
    let Ok(url) = std::env::var("KAWAL_TEST_DATABASE_URL") else {
        eprintln!("KAWAL_TEST_DATABASE_URL not set: PostgreSQL suite not run");
        return;
    };
    let schema = format!(
        "kawal_test_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let store = Store::open_pg_schema(&url, &schema)
        .await
        .expect("open postgres");
    assert_eq!(store.backend(), "postgres");
    suite(store).await;
    let again = Store::open_pg_schema(&url, &schema).await.expect("reopen");
    assert_eq!(again.list_apps().await.expect("list").len(), 1);
    again.close().await;
    let pool = sqlx::PgPool::connect(&url)
        .await
        .expect("cleanup connection");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await
        .expect("drop schema");
}

#[tokio::test]
async fn bad_database_urls_are_clear_errors() {
    let e = Store::open("mysql://root@127.0.0.1/x")
        .await
        .err()
        .expect("bad scheme");
    assert!(matches!(e, StoreError::BadUrl { .. }), "{e}");
    assert!(e.to_string().contains("sqlite://"), "{e}");
    let e = Store::open("postgres://kawal:s3cret@127.0.0.1:1/db")
        .await
        .err()
        .expect("unreachable");
    assert!(matches!(e, StoreError::Connect { .. }), "{e}");
    assert!(!e.to_string().contains("s3cret"), "password is hidden: {e}");
    let e = Store::open("sqlite://").await.err().expect("no path");
    assert!(matches!(e, StoreError::BadUrl { .. }), "{e}");
}
