//! Runs `kawal scan` as a child process against one hostile server and judges the run: its wall
//! time, its peak memory (the child's `VmHWM`, sampled), its exit code and report.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Peak resident memory allowed to one evaluation.
pub const MEMORY_LIMIT_MB: u64 = 200;

/// `kawal.toml` network settings for servers that stall: a stalled request ends in seconds.
pub const SHORT_TIMEOUTS: &str =
    "[net]\nconnect_timeout_secs = 2\nread_timeout_secs = 3\ntotal_timeout_secs = 5\n";

/// What a behaviour allows Kawal to conclude.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// The landing page never arrives as HTTP: no item passes and the scan does not exit 0.
    Unobserved,
    /// Items whose id starts with one of these prefixes may not pass (they depend on what
    /// the server withholds); the scan may otherwise judge what it saw.
    NoPass(&'static [&'static str]),
    /// As `NoPass`, and the scan may not exit 0 either (the application is not vouched for).
    NotVouched(&'static [&'static str]),
}

impl Expect {
    fn guards(&self, id: &str) -> bool {
        match self {
            Expect::Unobserved => true,
            Expect::NoPass(p) | Expect::NotVouched(p) => p.iter().any(|x| id.starts_with(x)),
        }
    }

    fn exit_0_allowed(&self) -> bool {
        matches!(self, Expect::NoPass(_))
    }
}

/// One hostile server and how to scan it.
pub struct Behaviour {
    /// Short name, used in the messages and the README table.
    pub name: &'static str,
    /// URL handed to `kawal scan`.
    pub url: String,
    /// Contents of `kawal.toml` in the scan's home directory.
    pub config: String,
    /// Extra `kawal scan` arguments.
    pub args: Vec<String>,
    /// Wall time the scan must end within.
    pub budget: Duration,
    /// What may not pass.
    pub expect: Expect,
    /// Most requests the scan may send (a trap must not draw it on forever).
    pub max_requests: u64,
}

impl Behaviour {
    /// A behaviour with default settings: 60 s budget, 5,000 requests at most.
    pub fn new(name: &'static str, url: String, expect: Expect) -> Behaviour {
        Behaviour {
            name,
            url,
            config: String::new(),
            args: Vec::new(),
            budget: Duration::from_secs(60),
            expect,
            max_requests: 5_000,
        }
    }

    /// With `kawal.toml` contents.
    pub fn config(mut self, toml: &str) -> Behaviour {
        self.config.push_str(toml);
        self
    }

    /// With extra arguments.
    pub fn args(mut self, args: &[&str]) -> Behaviour {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// With another time budget.
    pub fn budget(mut self, secs: u64) -> Behaviour {
        self.budget = Duration::from_secs(secs);
        self
    }

    /// With another request bound.
    pub fn max_requests(mut self, n: u64) -> Behaviour {
        self.max_requests = n;
        self
    }
}

/// What one scan did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Signal that ended the child, if any.
    pub signal: Option<i32>,
    /// The JSON report, when one was printed.
    pub report: Option<serde_json::Value>,
    /// Standard error.
    pub stderr: String,
    /// Wall time.
    pub took: Duration,
    /// Peak resident memory of the child, KiB.
    pub peak_kib: u64,
    /// Whether the harness had to kill it for running far past its budget.
    pub killed: bool,
}

/// Runs `kawal scan` for `b` in a fresh home; kills it at twice its budget.
pub fn scan(b: &Behaviour) -> Run {
    let home = tempfile::tempdir().expect("home");
    if !b.config.is_empty() {
        std::fs::write(home.path().join("kawal.toml"), &b.config).expect("kawal.toml");
    }
    let mut c = super::common::kawal(home.path());
    c.args(["scan", &b.url, "--format", "json", "--rate-limit", "0"])
        .args(&b.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = c.spawn().expect("kawal starts");
    let pid = child.id() as libc::pid_t;
    let out = drain(child.stdout.take().expect("stdout"));
    let err = drain(child.stderr.take().expect("stderr"));
    let (status, peak_kib, killed) = wait_bounded(pid, b.budget * 2);
    let took = started.elapsed();
    // Reaped by waitpid above; std's handle must not wait again.
    std::mem::forget(child);
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    let (code, signal) = if libc::WIFEXITED(status) {
        (libc::WEXITSTATUS(status), None)
    } else {
        (-1, Some(libc::WTERMSIG(status)))
    };
    Run {
        code,
        signal,
        report: serde_json::from_str(&stdout).ok(),
        stderr,
        took,
        peak_kib,
        killed,
    }
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Waits for `pid`, sampling its peak resident memory (`VmHWM`) every 10 ms, and kills it
/// after `limit`. `ru_maxrss` would not do: a child spawned from this (large) test process
/// inherits the parent's resident size until it execs.
fn wait_bounded(pid: libc::pid_t, limit: Duration) -> (i32, u64, bool) {
    let started = Instant::now();
    let mut killed = false;
    let mut peak_kib = 0;
    let status_file = format!("/proc/{pid}/status");
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            peak_kib = peak_kib.max(vm_hwm_kib(&s));
        }
        let mut status = 0;
        // SAFETY: pid is our own unreaped child; the pointer is to a live local.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return (status, peak_kib, killed);
        }
        assert!(
            r == 0,
            "waitpid failed: {}",
            std::io::Error::last_os_error()
        );
        if !killed && started.elapsed() > limit {
            // SAFETY: signalling our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `VmHWM` of a `/proc/PID/status` text, KiB (0 when absent, e.g. before exec completes).
fn vm_hwm_kib(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Scans every behaviour, `parallel` at a time; results in the same order.
pub fn scan_all(behaviours: &[Behaviour], parallel: usize) -> Vec<Run> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Run>>> = behaviours
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..parallel.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(b) = behaviours.get(i) else { return };
                    let r = scan(b);
                    *slots[i].lock().expect("slot") = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().expect("slot").expect("scanned"))
        .collect()
}

/// Everything wrong with one run; empty when the run met every requirement.
pub fn problems(b: &Behaviour, r: &Run) -> Vec<String> {
    let mut p = Vec::new();
    let name = b.name;
    if r.killed || r.took > b.budget {
        p.push(format!(
            "{name}: took {:?}, budget {:?}{}",
            r.took,
            b.budget,
            if r.killed { " (killed)" } else { "" }
        ));
    }
    if r.peak_kib > MEMORY_LIMIT_MB * 1024 {
        p.push(format!(
            "{name}: peak memory {} MiB > {MEMORY_LIMIT_MB} MiB",
            r.peak_kib / 1024
        ));
    }
    if r.stderr.contains("panicked") || r.signal.is_some() && !r.killed {
        p.push(format!("{name}: crashed ({:?}): {}", r.signal, r.stderr));
    }
    if !matches!(r.code, 0 | 1 | 3) && !r.killed {
        p.push(format!("{name}: exit code {}: {}", r.code, r.stderr));
    }
    match &r.report {
        None if r.code != 3 && !r.killed => {
            p.push(format!("{name}: no report and no exit 3: {}", r.stderr));
        }
        None => {}
        Some(v) => p.extend(report_problems(b, r, v)),
    }
    if !b.expect.exit_0_allowed() && r.code == 0 {
        p.push(format!("{name}: exit 0 on a target that was not observed"));
    }
    p
}

fn report_problems(b: &Behaviour, r: &Run, v: &serde_json::Value) -> Vec<String> {
    let name = b.name;
    let mut p = Vec::new();
    let sent = v["requests_sent"].as_u64().unwrap_or(0);
    if sent > b.max_requests {
        p.push(format!("{name}: {sent} requests > {}", b.max_requests));
    }
    let Some(items) = v["items"].as_array() else {
        p.push(format!("{name}: report without items (exit {})", r.code));
        return p;
    };
    for i in items {
        let id = i["id"].as_str().unwrap_or("?");
        let status = i["outcome"]["status"].as_str().unwrap_or("?");
        if status == "pass" && b.expect.guards(id) {
            p.push(format!("{name}: {id} passes on what the server withheld"));
        }
        if status == "inconclusive" && !has_text(&i["outcome"]["reason"]) {
            p.push(format!("{name}: {id} inconclusive without a reason"));
        }
        let explained = i["observations"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| has_text(&o["summary"])));
        if status == "fail" && !explained {
            p.push(format!("{name}: {id} fails without a reason"));
        }
    }
    p
}

fn has_text(t: &serde_json::Value) -> bool {
    ["id", "en"]
        .iter()
        .all(|l| t[*l].as_str().is_some_and(|s| !s.trim().is_empty()))
}

/// Outcome of item `id` in a report (`"-"` when absent).
pub fn status(r: &Run, id: &str) -> String {
    r.report
        .as_ref()
        .and_then(|v| v["items"].as_array())
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .and_then(|i| i["outcome"]["status"].as_str())
        .unwrap_or("-")
        .to_string()
}

/// One line for the summary printed by each test: name, exit, time, memory, requests.
pub fn line(b: &Behaviour, r: &Run) -> String {
    let v = r.report.as_ref();
    let s = |k: &str| v.and_then(|v| v["summary"][k].as_u64()).unwrap_or(0);
    format!(
        "{:<42} exit {} {:>6.1} s {:>4} MiB {:>5} req  pass {} fail {} inconclusive {}",
        b.name,
        r.code,
        r.took.as_secs_f64(),
        r.peak_kib / 1024,
        v.and_then(|v| v["requests_sent"].as_u64()).unwrap_or(0),
        s("pass"),
        s("fail"),
        s("inconclusive"),
    )
}

/// Scans the behaviours in parallel, prints one line each, and fails with every problem found.
pub fn run_suite(behaviours: &[Behaviour], parallel: usize) -> Vec<Run> {
    let runs = scan_all(behaviours, parallel);
    let mut all = Vec::new();
    let dump = std::env::var_os("KAWAL_HOSTILE_DUMP").map(std::path::PathBuf::from);
    for (b, r) in behaviours.iter().zip(&runs) {
        eprintln!("{}", line(b, r));
        // For reading what Kawal said about each server (e.g. to update the README table).
        if let Some(dir) = &dump {
            let file: String = b
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let text = format!(
                "{}\n--- stderr ---\n{}",
                r.report.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                r.stderr
            );
            let _ = std::fs::write(dir.join(format!("{file}.txt")), text);
        }
        all.extend(problems(b, r));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    runs
}
