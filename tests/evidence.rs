//! Personal data in stored evidence: access-control findings against the demo target, whose
//! citizens' pages hold (fictitious) NIKs and e-mail addresses, are stored masked by default and
//! unmasked only when the configuration allows it.

mod common;

use kawal::checklist::Checklist;
use kawal::checks::{CheckOptions, registry};
use kawal::config::NetConfig;
use kawal::evaluation::Policy;
use kawal::store::Store;
use kawal_fixture::FixtureConfig;
use url::Url;

const NIKS: [&str; 2] = ["3273011203850001", "3273014405900002"];

/// Evaluates the access-control items and returns the stored report as JSON text.
async fn stored_access_report(keep_personal_data: bool) -> String {
    let f = common::fixture(FixtureConfig::vulnerable()).await;
    let base = f.https_url.clone().expect("https");
    let url = Url::parse(&base).expect("url");
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&format!("sqlite://{}/k.db", dir.path().display()))
        .await
        .expect("store");
    let mut checklist = Checklist::builtin().expect("checklist");
    checklist.items.retain(|i| i.check == "access-control");
    let mut options = CheckOptions {
        keep_personal_data,
        ..CheckOptions::default()
    };
    options.access.roles = common::fixture_roles(&base);
    let net = NetConfig {
        rate_limit: 0.0,
        extra_ca_pem: Some(f.ca_pem.clone().into_bytes()),
        ..NetConfig::default()
    };
    let (_, id) = kawal::runner::run(
        Some(&store),
        kawal::runner::Target {
            url: &url,
            scope_extra: &[],
            app: None,
            net,
            options,
            retest_of: None,
        },
        &checklist,
        &Policy::builtin().expect("policy"),
        &registry(),
        &(),
        None,
    )
    .await
    .expect("evaluation");
    let report = store
        .stored_report(id.expect("stored"))
        .await
        .expect("report");
    f.shutdown().await;
    serde_json::to_string(&report).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_access_evidence_masks_personal_data_unless_configured() {
    kawal::install_crypto_provider();
    let masked = stored_access_report(false).await;
    for nik in NIKS {
        assert!(!masked.contains(nik), "{nik} stored in clear");
    }
    assert!(masked.contains("[NIK]"), "the kind of data is kept");
    assert!(
        masked.contains("personal data masked:") && masked.contains("\"masked\":{\"nik\":"),
        "the finding says what was masked and how much"
    );
    let v: serde_json::Value = serde_json::from_str(&masked).expect("json");
    let idor = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == "access.idor")
        .expect("idor item");
    assert_eq!(
        idor["outcome"]["status"], "fail",
        "the finding itself stays"
    );
    let kept = stored_access_report(true).await;
    assert!(
        NIKS.iter().any(|n| kept.contains(n)),
        "keep_personal_data = true keeps the excerpt"
    );
    assert!(!kept.contains("[NIK]"));
}
