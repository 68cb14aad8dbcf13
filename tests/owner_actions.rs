//! What an application owner and the queue keeper do from the pages, end to end on SQLite:
//! a real evaluation of the vulnerable fixture, the owner reports the fix (a retest is queued
//! and a real worker runs only the failed items again), acknowledges the delivered report in
//! the inbox, and the queue keeper cancels and retries a job. Another agency's owner reaches
//! none of it.

mod common;

use common::pages::{self, Page, add_user, csrf, login};

use axum::Router;
use axum::http::{StatusCode, header};
use kawal::service::{Actor, SendInput};
use kawal::store::{FindingStatus, JobStatus, Store};
use std::sync::Arc;

const ORIGIN: &str = "https://kawal.test";

async fn call(
    r: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<String>,
) -> Page {
    pages::call(r, method, path, cookie, form, Some(ORIGIN)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_reports_a_fix_acknowledges_and_the_queue_keeper_cancels_and_retries() {
    let home = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}/kawal.db", home.path().display());
    let f = common::fixture(kawal_fixture::FixtureConfig::vulnerable()).await;
    let ca = common::ca_file(&f, home.path());
    let kawal = |args: &[&str]| {
        let mut c = common::kawal(home.path());
        c.env("KAWAL_DATABASE_URL", &db).args(args);
        common::run(c)
    };
    let url = f.https_url.clone().expect("https");
    let (code, _, err) = kawal(&[
        "app",
        "add",
        "--name",
        "SIKAP",
        "--url",
        &url,
        "--agency",
        "Disdukcapil",
        "--owner",
        "pj@bantulkab.example.go.id",
    ]);
    assert_eq!(code, 0, "{err}");
    let ca_s = ca.to_string_lossy().into_owned();
    let scan = [
        "--rate-limit",
        "0",
        "--session-samples",
        "200",
        "--ca-bundle",
        &ca_s,
    ];
    let mut args = vec!["evaluate", "SIKAP"];
    args.extend(scan);
    let (code, out, err) = kawal(&args);
    assert_eq!(code, 1, "the vulnerable fixture fails: {out}{err}");

    let store = Arc::new(Store::open(&db).await.expect("store"));
    let (svc, r) = pages::service(store.clone());
    add_user(&svc, &store, "admin", "administrator", None).await;
    add_user(&svc, &store, "seksi", "kepala-seksi", None).await;
    add_user(&svc, &store, "kadis", "kepala-dinas", None).await;
    add_user(&svc, &store, "pemilik", "pj-aplikasi", Some("Disdukcapil")).await;
    add_user(&svc, &store, "lain", "pj-aplikasi", Some("Dinkes")).await;
    let eval = store
        .latest_finished(None)
        .await
        .expect("latest")
        .expect("an evaluation");
    let app = store.app("SIKAP").await.expect("app");
    let owner = login(&r, "pemilik").await;
    let other = login(&r, "lain").await;

    // The owner sees the fix form on the evaluation; another agency's owner sees nothing.
    let page = call(
        &r,
        "GET",
        &format!("/evaluations/{eval}"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"report-fix\""), "{}", page.body);
    let token = csrf(&page.body);
    let p = call(
        &r,
        "GET",
        &format!("/evaluations/{eval}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let other_token = csrf(&call(&r, "GET", "/", Some(&other), None).await.body);
    let p = call(
        &r,
        "POST",
        &format!("/evaluations/{eval}/fix-reported"),
        Some(&other),
        Some(format!("csrf={other_token}&reason=bukan+milik+saya")),
    )
    .await;
    assert_eq!(
        p.status,
        StatusCode::NOT_FOUND,
        "another agency: {}",
        p.body
    );
    // Without the CSRF token nothing happens.
    let p = call(
        &r,
        "POST",
        &format!("/evaluations/{eval}/fix-reported"),
        Some(&owner),
        Some("reason=x".into()),
    )
    .await;
    assert!(p.status.is_client_error(), "{}", p.status);
    assert!(
        store
            .list_jobs(None, Some(app.id), 10)
            .await
            .expect("jobs")
            .iter()
            .all(|j| j.retest_of.is_none())
    );

    // Reporting the fix: failed findings become fix_reported and one retest is queued.
    let p = call(
        &r,
        "POST",
        &format!("/evaluations/{eval}/fix-reported"),
        Some(&owner),
        Some(format!("csrf={token}&reason=HSTS+dan+flag+cookie+dipasang")),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.headers[header::LOCATION],
        format!("/apps/{}", app.id).as_str()
    );
    let jobs = store
        .list_jobs(Some(JobStatus::Queued), Some(app.id), 10)
        .await
        .expect("jobs");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].retest_of, Some(eval));
    let states = store.finding_states(app.id).await.expect("states");
    let reported: Vec<_> = states
        .iter()
        .filter(|s| s.status == FindingStatus::FixReported)
        .collect();
    assert!(!reported.is_empty(), "{states:?}");
    assert!(
        reported
            .iter()
            .all(|s| s.reason.as_deref() == Some("HSTS dan flag cookie dipasang"))
    );
    // A second report joins the queued retest.
    let again = call(
        &r,
        "POST",
        &format!("/evaluations/{eval}/fix-reported"),
        Some(&owner),
        Some(format!("csrf={token}&reason=juga+header+lain")),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store
            .list_jobs(Some(JobStatus::Queued), Some(app.id), 10)
            .await
            .expect("jobs")
            .len(),
        1
    );

    // A real worker runs the retest: only the failed items, linked back, and the findings the
    // fixture still has are reopened, not silently closed.
    // The worker takes the session sample count from kawal.toml.
    std::fs::write(home.path().join("kawal.toml"), "[session]\nsamples = 200\n").expect("config");
    let args = [
        "worker",
        "--drain",
        "--quiet",
        "--rate-limit",
        "0",
        "--ca-bundle",
        &ca_s,
    ];
    let (code, out, err) = kawal(&args);
    assert_eq!(code, 0, "{out}{err}");
    let retest = store
        .latest_finished(Some(app.id))
        .await
        .expect("latest")
        .expect("retest");
    assert_ne!(retest, eval);
    let row = store.evaluation(retest).await.expect("row");
    assert_eq!(row.retest_of, Some(eval), "the retest links back");
    let report = store.stored_report(retest).await.expect("report");
    assert!(!report.retested_items.is_empty());
    assert!(
        report
            .retested_items
            .iter()
            .all(|i| !i.starts_with("manual."))
    );
    let states = store.finding_states(app.id).await.expect("states");
    assert!(
        states.iter().any(|s| s.status == FindingStatus::Reopened),
        "still-failing findings are reopened: {states:?}"
    );
    assert!(
        states
            .iter()
            .all(|s| s.status != FindingStatus::FixReported),
        "{states:?}"
    );

    // Delivery: the owner's inbox shows the report and takes the acknowledgement.
    let kadis = Actor::cli(store.account("kadis").await.expect("kadis"));
    let decision = kawal::service::DecideInput {
        standard: Some("not_met".into()),
        action: Some("monitoring".into()),
        reason: "Layanan kependudukan tidak boleh berhenti; pemantauan intensif".into(),
    };
    svc.decide(&kadis, retest, &decision, None, kawal::i18n::Lang::Id)
        .await
        .expect("decisions");
    let seksi = Actor::cli(store.account("seksi").await.expect("seksi"));
    let checklist = kawal::checklist::Checklist::builtin().expect("checklist");
    svc.send_report(
        &seksi,
        retest,
        &SendInput {
            note: "Mohon ditindaklanjuti".into(),
        },
        &checklist,
    )
    .await
    .expect("send");
    let inbox = call(&r, "GET", "/inbox", Some(&owner), None).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(
        inbox.body.contains(&format!("id=\"ack-button-{retest}\"")),
        "{}",
        inbox.body
    );
    assert!(
        inbox.body.contains("href=\"/inbox\""),
        "the menu names the inbox"
    );
    let none = call(&r, "GET", "/inbox", Some(&other), None).await;
    assert!(!none.body.contains("SIKAP"), "{}", none.body);
    let p = call(
        &r,
        "POST",
        &format!("/inbox/{retest}/acknowledge"),
        Some(&other),
        Some(format!("csrf={other_token}&note=x")),
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    let token = csrf(&inbox.body);
    let p = call(
        &r,
        "POST",
        &format!("/inbox/{retest}/acknowledge"),
        Some(&owner),
        Some(format!("csrf={token}&note=Agenda+045%2F112")),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let inbox = call(&r, "GET", "/inbox", Some(&owner), None).await;
    assert!(!inbox.body.contains("ack-button-"), "{}", inbox.body);
    assert!(
        inbox.body.contains("pemilik"),
        "acknowledged by the owner: {}",
        inbox.body
    );
    let open = call(&r, "GET", "/inbox?open=1", Some(&owner), None).await;
    assert!(
        !open.body.contains("SIKAP"),
        "nothing left to acknowledge: {}",
        open.body
    );

    // The queue keeper cancels a queued job and queues it again; an owner has no such buttons.
    let admin = login(&r, "seksi").await;
    let job = svc.start_evaluation(&seksi, "SIKAP").await.expect("queue");
    let jobs_page = call(&r, "GET", "/jobs", Some(&admin), None).await;
    assert!(
        jobs_page
            .body
            .contains(&format!("id=\"cancel-{}\"", job.id)),
        "{}",
        jobs_page.body
    );
    let token = csrf(&jobs_page.body);
    let p = call(
        &r,
        "POST",
        &format!("/jobs/{}/cancel", job.id),
        Some(&admin),
        Some(format!("csrf={token}")),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        store.job(job.id).await.expect("job").status,
        JobStatus::Cancelled
    );
    let jobs_page = call(&r, "GET", "/jobs", Some(&admin), None).await;
    assert!(jobs_page.body.contains(&format!("id=\"retry-{}\"", job.id)));
    let p = call(
        &r,
        "POST",
        &format!("/jobs/{}/retry", job.id),
        Some(&admin),
        Some(format!("csrf={token}")),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store.job(job.id).await.expect("job").status,
        JobStatus::Queued
    );
    // Retrying a job already queued is a clear conflict, not a silent success.
    let p = call(
        &r,
        "POST",
        &format!("/jobs/{}/retry", job.id),
        Some(&admin),
        Some(format!("csrf={token}")),
    )
    .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    let owner_token = csrf(&call(&r, "GET", "/", Some(&owner), None).await.body);
    let p = call(
        &r,
        "POST",
        &format!("/jobs/{}/cancel", job.id),
        Some(&owner),
        Some(format!("csrf={owner_token}")),
    )
    .await;
    assert!(
        p.status == StatusCode::FORBIDDEN || p.status == StatusCode::NOT_FOUND,
        "{}",
        p.status
    );
    assert_eq!(
        store.job(job.id).await.expect("job").status,
        JobStatus::Queued
    );
    f.shutdown().await;
}

#[tokio::test]
async fn the_job_queue_pages_fifty_at_a_time_keeping_its_filters() {
    let home = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}/kawal.db", home.path().display());
    let store = Arc::new(Store::open(&db).await.expect("store"));
    let (svc, r) = pages::service(store.clone());
    add_user(&svc, &store, "admin", "administrator", None).await;
    add_user(&svc, &store, "seksi", "kepala-seksi", None).await;
    let app = store
        .add_app(&kawal::store::NewApp {
            name: "ANTRE".into(),
            url: "https://antre.example.go.id".into(),
            agency: "Diskominfo".into(),
            owner: "pj@example.go.id".into(),
            timezone: "Asia/Jakarta".into(),
            ..kawal::store::NewApp::default()
        })
        .await
        .expect("app");
    let t0 = time::OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    for i in 0..60 {
        let j = store
            .enqueue_manual(app.id, t0 + std::time::Duration::from_secs(i))
            .await
            .expect("job");
        ids.push(j.id);
    }
    let seksi = login(&r, "seksi").await;
    let shown = |body: &str| {
        ids.iter()
            .filter(|id| body.contains(&format!("id=\"cancel-{id}\"")))
            .count()
    };
    let first = call(&r, "GET", "/jobs?status=queued", Some(&seksi), None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(shown(&first.body), 50, "a page holds 50 jobs");
    assert!(
        first.body.contains(&format!("id=\"cancel-{}\"", ids[59])),
        "newest first"
    );
    // The link as a browser reads it (the template escapes '=' and '&').
    let body = first.body.replace("&#x3D;", "=").replace("&amp;", "&");
    let next = format!("/jobs?status=queued&before={}", ids[10]);
    assert!(
        body.contains(&next),
        "the older page keeps the filter: {body}"
    );
    let second = call(&r, "GET", &next, Some(&seksi), None).await;
    assert_eq!(shown(&second.body), 10);
    assert!(second.body.contains(&format!("id=\"cancel-{}\"", ids[0])));
    assert!(!second.body.contains("before="), "no page after the last");
}
