//! The `kawal` binary end to end: exit codes, formats, bad inputs, registration and history.

mod common;

use common::{ca_file, kawal, run};
use kawal_fixture::FixtureConfig;

/// `[[role]]` tables for the demo target's administrator and two citizens: access control
/// between roles can only be shown met when Kawal can log in as them.
fn demo_roles(base: &str) -> String {
    kawal_fixture::ACCOUNTS
        .iter()
        .map(|a| {
            let privilege = if a.role == kawal_fixture::Role::Admin { 100 } else { 10 };
            format!(
                "[[role]]\nname = \"{u}\"\nprivilege = {privilege}\nrecipe = {{ kind = \"form\", url = \"{base}/login\", username = \"{u}\", password = \"{p}\" }}\nmarker = {{ text = \"Masuk sebagai\" }}\n\n",
                u = a.username,
                p = a.password
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_vulnerable_fails_hardened_passes() {
    let home = tempfile::tempdir().expect("tmp");
    let vuln = common::fixture(FixtureConfig::vulnerable()).await;
    let ca = ca_file(&vuln, home.path());
    let mut c = kawal(home.path());
    c.args([
        "scan",
        vuln.https_url.as_deref().expect("https"),
        "--ca-bundle",
    ])
    .arg(&ca)
    .args(["--fail-on", "medium", "--rate-limit", "0"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    for item in [
        "session.cookie.httponly",
        "session.cookie.samesite",
        "session.cookie.prefix",
        "session.cookie.persistent",
        "session.cookie.secure",
        "headers.hsts",
        "headers.csp",
        "headers.content-type-options",
        "headers.frame-options",
        "headers.referrer-policy",
        "headers.version-disclosure",
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(item))
            .unwrap_or_else(|| panic!("{item} missing:\n{out}"));
        assert!(line.contains("Tidak Sesuai"), "{item} should fail: {line}");
    }
    assert!(
        out.contains("Apache/2.4.41"),
        "the banner is quoted as evidence"
    );
    assert!(out.contains("Belum Memenuhi Standar"));
    assert!(!out.contains('\u{1b}'), "NO_COLOR honoured");

    let hard = common::fixture(FixtureConfig::hardened()).await;
    let ca = ca_file(&hard, home.path());
    // Fixation and logout invalidation (high) can only be shown met with a login, so the
    // hardened target is scanned with a login recipe for its form.
    std::fs::write(
        home.path().join("kawal.toml"),
        format!(
            "[login]\nurl = \"{u}/login\"\nusername_field = \"username\"\npassword_field = \"password\"\nusername = \"penguji\"\npassword = \"rahasia\"\n\n{roles}",
            u = hard.https_url.as_deref().expect("https"),
            roles = demo_roles(hard.https_url.as_deref().expect("https"))
        ),
    )
    .expect("kawal.toml");
    let mut c = kawal(home.path());
    c.args([
        "scan",
        hard.https_url.as_deref().expect("https"),
        "--ca-bundle",
    ])
    .arg(&ca)
    .args(["--fail-on", "info", "--lang", "en", "--rate-limit", "0"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("Meets the Standard"), "{out}");
    assert!(!out.contains("Fail "), "{out}");
    vuln.shutdown().await;
    hard.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_broad_cookie_domain_is_found_by_host_name() {
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(
        FixtureConfig::hardened()
            .with_flaw("cookie_broad_domain", true)
            .expect("flaw")
            .with_flaw("http_no_redirect", true)
            .expect("flaw"),
    )
    .await;
    let port = f.http_addr.port();
    let mut c = kawal(home.path());
    c.args([
        "scan",
        &format!("http://simpeg.bkpsdm.example.go.id:{port}/"),
        "--resolve",
        "simpeg.bkpsdm.example.go.id:127.0.0.1",
        "--format",
        "json",
        "--rate-limit",
        "0",
    ]);
    let (code, out, err) = run(c);
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == "session.cookie.domain")
        .expect("item");
    assert_eq!(item["outcome"]["status"], "fail", "{item}");
    assert!(
        item["observations"][0]["summary"]["en"]
            .as_str()
            .expect("summary")
            .contains("bkpsdm.example.go.id")
    );
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_junit_and_file_output() {
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::vulnerable()).await;
    let ca = ca_file(&f, home.path());
    let url = f.https_url.clone().expect("https");
    let mut c = kawal(home.path());
    c.args(["scan", &url, "--format", "json", "--ca-bundle"])
        .arg(&ca)
        .args(["--rate-limit", "0"]);
    let (code, out, _) = run(c);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["schema"], "kawal.evaluation/1");
    // The default --fail-on is high: the exit code follows exactly the failed high/critical items.
    let high_fail = v["items"].as_array().expect("items").iter().any(|i| {
        i["outcome"]["status"] == "fail" && (i["severity"] == "high" || i["severity"] == "critical")
    });
    assert_eq!(
        code,
        if high_fail { 1 } else { 0 },
        "exit code follows --fail-on high"
    );
    let medium_only = v["items"].as_array().expect("items").iter().all(|i| {
        i["outcome"]["status"] != "fail"
            || !(i["severity"] == "high" || i["severity"] == "critical")
    });
    assert_eq!(medium_only, !high_fail);
    assert_eq!(v["decision"]["meets_standard"], false);
    assert!(v["summary"]["fail"].as_u64().expect("fail count") >= 10);
    assert!(
        !out.contains(&f.ca_pem[30..60]),
        "no certificate material leaks"
    );
    // No session cookie value ends up in the document.
    assert!(
        !out.contains("SESSIONID=") || out.contains("SESSIONID=<disamarkan/redacted"),
        "cookie values redacted"
    );

    let junit = home.path().join("kawal.xml");
    let mut c = kawal(home.path());
    c.args(["scan", &url, "--format", "junit", "-o"])
        .arg(&junit)
        .arg("--ca-bundle")
        .arg(&ca)
        .args(["--rate-limit", "0"]);
    let (junit_code, out, _) = run(c);
    assert_eq!(
        junit_code, code,
        "the exit code does not depend on the format"
    );
    assert!(out.is_empty(), "with -o nothing goes to stdout");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let check = std::process::Command::new("python3")
        .args(["-c", "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); s=r.find('testsuite'); print(s.get('tests'), s.get('failures'), len(s.findall('testcase')), len(s.findall('testcase/failure')), len(s.findall('testcase/skipped')))"])
        .arg(&junit)
        .output()
        .expect("python3 parses the XML");
    assert!(
        check.status.success(),
        "well-formed XML: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let nums: Vec<usize> = String::from_utf8_lossy(&check.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    assert_eq!(nums[0], nums[2], "tests attribute equals test cases");
    assert_eq!(
        nums[1], nums[3],
        "failures attribute equals failure elements"
    );
    assert_eq!(nums[3] as u64, v["summary"]["fail"].as_u64().expect("fail"));
    assert!(nums[4] > 0, "manual items are skipped");
    assert!(xml.contains("session.cookie.httponly"));
    f.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sarif_validates_against_the_2_1_0_schema() {
    let schema = std::env::var("KAWAL_SARIF_SCHEMA").expect(
        "KAWAL_SARIF_SCHEMA must name the SARIF 2.1.0 JSON schema; run the tests through scripts/test, which provides it",
    );
    let home = tempfile::tempdir().expect("tmp");
    let f = common::fixture(FixtureConfig::vulnerable()).await;
    let ca = ca_file(&f, home.path());
    let sarif = home.path().join("kawal.sarif");
    let mut c = kawal(home.path());
    c.args([
        "scan",
        f.https_url.as_deref().expect("https"),
        "--format",
        "sarif",
        "-o",
    ])
    .arg(&sarif)
    .arg("--ca-bundle")
    .arg(&ca)
    .args(["--rate-limit", "0", "--fail-on", "medium"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 1, "{err}");
    let out = std::process::Command::new("python3")
        .args(["-c", "import json,sys,jsonschema; s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2])); jsonschema.validate(d, s); r=d['runs'][0]; print(len(r['results']), len(r['tool']['driver']['rules']))"])
        .arg(&schema)
        .arg(&sarif)
        .output()
        .expect("python3 with jsonschema");
    assert!(
        out.status.success(),
        "SARIF does not validate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nums: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("n"))
        .collect();
    assert!(nums[0] >= 10, "failed items are results: {nums:?}");
    assert!(nums[1] >= 12, "checklist items are rules: {nums:?}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("read")).expect("json");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
    }
    f.shutdown().await;
}

#[test]
fn unreachable_target_exits_3() {
    let home = tempfile::tempdir().expect("tmp");
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut c = kawal(home.path());
    c.args(["scan", &format!("http://127.0.0.1:{port}/")]);
    let (code, _, err) = run(c);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("tidak dapat dijangkau") && err.contains("127.0.0.1"),
        "{err}"
    );
}

#[test]
fn connection_reset_exits_3() {
    let home = tempfile::tempdir().expect("tmp");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            // Close without answering: the client sees the connection end mid-exchange.
            drop(s);
        }
    });
    let mut c = kawal(home.path());
    c.args(["scan", &format!("http://127.0.0.1:{port}/")]);
    let (code, _, err) = run(c);
    assert_eq!(code, 3, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn malformed_urls_exit_2() {
    let home = tempfile::tempdir().expect("tmp");
    for bad in ["not a url", "ftp://files.example.go.id/", "https://"] {
        let mut c = kawal(home.path());
        c.args(["scan", bad]);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(
            err.contains("https://simpeg.example.go.id"),
            "the message shows an example: {err}"
        );
    }
}

#[test]
fn malformed_config_names_file_line_and_key() {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::write(
        home.path().join("kawal.toml"),
        "lang = \"id\"\n[net]\nrate = 3\n",
    )
    .expect("write");
    let mut c = kawal(home.path());
    c.args(["checklist", "list"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("kawal.toml:3:1") && err.contains("key 'rate'"),
        "{err}"
    );
}

#[test]
fn checklist_with_unknown_field_is_rejected_precisely() {
    let home = tempfile::tempdir().expect("tmp");
    let good = kawal::checklist::BUILTIN_SOURCE;
    let bad = good.replacen("severity = ", "severty = \"low\"\nseverity = ", 1);
    let path = home.path().join("custom.toml");
    std::fs::write(&path, bad).expect("write");
    let mut c = kawal(home.path());
    c.args(["checklist", "list", "--checklist"]).arg(&path);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("custom.toml:") && err.contains("item '") && err.contains("severty"),
        "{err}"
    );
}

#[test]
fn unreachable_and_invalid_databases() {
    let home = tempfile::tempdir().expect("tmp");
    let mut c = kawal(home.path());
    c.args([
        "app",
        "list",
        "--database-url",
        "postgres://kawal:rahasia@127.0.0.1:1/kawal",
    ]);
    let (code, _, err) = run(c);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("PostgreSQL") && !err.contains("rahasia"),
        "{err}"
    );
    let mut c = kawal(home.path());
    c.args(["app", "list", "--database-url", "mysql://x"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sqlite://"), "{err}");
}

#[test]
fn app_registration_roundtrip() {
    let home = tempfile::tempdir().expect("tmp");
    let k = |args: &[&str]| {
        let mut c = kawal(home.path());
        c.args(args);
        run(c)
    };
    let (code, out, err) = k(&[
        "app",
        "add",
        "--name",
        "SIMPEG",
        "--url",
        "https://simpeg.example.go.id",
        "--agency",
        "BKPSDM",
        "--owner",
        "owner@example.go.id",
        "--schedule",
        "0 2 * * 1",
    ]);
    assert_eq!(code, 0, "{err}");
    // The next five runs are Mondays at 02:00 WIB.
    let runs: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("Mon "))
        .collect();
    assert_eq!(runs.len(), 5, "{out}");
    assert!(runs.iter().all(|l| l.contains("02:00 +07:00")), "{out}");
    let (code, _, err) = k(&[
        "app",
        "add",
        "--name",
        "simpeg",
        "--url",
        "https://x.example.go.id",
        "--agency",
        "A",
        "--owner",
        "o",
    ]);
    assert_eq!(code, 2, "duplicate: {err}");
    let (code, _, err) = k(&[
        "app",
        "add",
        "--name",
        "X",
        "--url",
        "https://x.example.go.id",
        "--agency",
        "A",
        "--owner",
        "o",
        "--schedule",
        "0 2 * *",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("expected 5 fields"), "{err}");
    let (code, out, _) = k(&["app", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("SIMPEG") && out.contains("BKPSDM"));
    let (code, out, err) = k(&[
        "app",
        "edit",
        "SIMPEG",
        "--agency",
        "Dinas Kominfo",
        "--no-schedule",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Dinas Kominfo"));
    let (_, out, _) = k(&["app", "show", "simpeg", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schedule"], serde_json::Value::Null);
    assert_eq!(
        v["allow_unsafe_methods"], false,
        "safe methods only by default"
    );
    let (code, _, err) = k(&["app", "edit", "SIMPEG", "--allow-unsafe-methods", "true"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = k(&["app", "show", "simpeg", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["allow_unsafe_methods"], true);
    let (code, _, _) = k(&["app", "remove", "SIMPEG"]);
    assert_eq!(code, 0);
    let (code, _, err) = k(&["app", "show", "SIMPEG"]);
    assert_eq!(code, 2);
    assert!(err.contains("tidak ditemukan"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_stores_history_and_demo_runs() {
    let home = tempfile::tempdir().expect("tmp");
    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.args(["demo", "--rate-limit", "0"])
            .env("KAWAL_RATE_LIMIT", "0");
        c.arg("--quiet");
        c
    });
    assert_eq!(code, 2, "demo takes no --rate-limit flag: {out}{err}");
    let (code, out, err) = run({
        let mut c = kawal(home.path());
        c.arg("demo");
        c
    });
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        out.contains("Belum Memenuhi Standar") && out.contains("Memenuhi Standar"),
        "{out}"
    );
    assert!(
        err.contains("kawal.db"),
        "says where the results are: {err}"
    );
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["evaluations", "--json"]);
        c
    });
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    let by = |name: &str| {
        rows.iter()
            .find(|r| r["application"] == name)
            .expect("row")
            .clone()
    };
    assert_eq!(by("DEMO-RENTAN")["meets_standard"], false);
    assert_eq!(by("DEMO-AMAN")["meets_standard"], true);
    assert_eq!(by("DEMO-AMAN")["status"], "finished");

    // A registered application evaluated on its own: stored, exit code from the decision.
    let f = common::fixture(FixtureConfig::vulnerable()).await;
    let ca = ca_file(&f, home.path());
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args([
            "app",
            "add",
            "--name",
            "SIMPEG",
            "--url",
            f.https_url.as_deref().expect("https"),
            "--agency",
            "BKPSDM",
            "--owner",
            "o@example.go.id",
        ]);
        c
    });
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["evaluate", "SIMPEG", "--ca-bundle"]).arg(&ca);
        c
    });
    assert_eq!(code, 1, "does not meet the standard: {err}");
    assert!(err.contains("Evaluasi tersimpan dengan id"), "{err}");
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["evaluations", "SIMPEG"]);
        c
    });
    assert_eq!(code, 0);
    assert!(
        out.contains("SIMPEG") && out.contains("Belum Memenuhi Standar"),
        "{out}"
    );
    f.shutdown().await;
}

#[test]
fn crashed_evaluation_is_marked_interrupted() {
    let home = tempfile::tempdir().expect("tmp");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let f = rt.block_on(common::fixture(
        FixtureConfig::hardened()
            .with_flaw("http_no_redirect", true)
            .expect("flaw"),
    ));
    let slow = format!("{}/_test/slow?ms=60000", f.http_url);
    let add = run({
        let mut c = kawal(home.path());
        c.args([
            "app", "add", "--name", "LAMBAT", "--url", &slow, "--agency", "A", "--owner", "o",
        ]);
        c
    });
    assert_eq!(add.0, 0, "{}", add.2);
    let mut child = {
        let mut c = kawal(home.path());
        c.args(["evaluate", "LAMBAT"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c.spawn().expect("spawn")
    };
    // Wait until the evaluation row exists, then kill -9 mid-evaluation.
    let mut running = false;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let (_, out, _) = run({
            let mut c = kawal(home.path());
            c.args(["evaluations", "--json"]);
            c
        });
        if out.contains("\"running\"") {
            running = true;
            break;
        }
    }
    assert!(running, "the evaluation started");
    child.kill().expect("kill -9");
    let _ = child.wait();
    let (_, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["evaluations", "--json"]);
        c
    });
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(rows[0]["status"], "interrupted", "{out}");
    assert_eq!(rows[0]["failures"], 0, "nothing half-written");
    rt.block_on(f.shutdown());
}

#[test]
fn help_has_examples_and_checklist_is_browsable() {
    let home = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.arg("--help");
        c
    });
    assert_eq!(code, 0);
    assert!(out.contains("kawal scan https://app.example.go.id"));
    let (code, out, _) = run({
        let mut c = kawal(home.path());
        c.args(["checklist", "show", "session.cookie.secure", "--lang", "en"]);
        c
    });
    assert_eq!(code, 0);
    assert!(out.contains("K13") && out.contains("Remediation:"), "{out}");
    let (code, _, err) = run({
        let mut c = kawal(home.path());
        c.args(["checklist", "show", "cookie"]);
        c
    });
    assert_eq!(code, 2);
    assert!(
        err.contains("session.cookie"),
        "suggests similar items: {err}"
    );
}
