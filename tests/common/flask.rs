//! The Flask application of `fixtures/python`, started on an ephemeral loopback port.

use std::ffi::OsStr;
use std::time::Duration;

/// A running Flask app, killed on drop.
pub struct Flask {
    child: std::process::Child,
    /// Base URL.
    pub url: String,
}

impl Drop for Flask {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a Flask script of `fixtures/python` with `args`; waits for the "PORT n" line and the
/// port to accept connections. Fails with an install hint without Flask.
pub fn spawn(script: &str, args: &[&OsStr]) -> (std::process::Child, u16) {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import flask"])
        .output()
        .expect("python3 runs");
    assert!(
        probe.status.success(),
        "Flask is not installed; install it with: python3 -m pip install flask ({})",
        String::from_utf8_lossy(&probe.stderr).trim()
    );
    let path = format!("{}/fixtures/python/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(path).args(args);
    spawn_command(cmd, script)
}

/// Starts `cmd`, a test application that prints "PORT n" once it listens; waits for the port
/// to accept connections.
pub fn spawn_command(mut cmd: std::process::Command, script: &str) -> (std::process::Child, u16) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("read port");
    let port: u16 = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output from {script}: {line:?}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{script} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

/// Starts `fixtures/python/flask_app.py` in `mode`; fails with an install hint without Flask.
pub fn flask(mode: &str) -> Flask {
    let (child, port) = spawn("flask_app.py", &[OsStr::new(mode)]);
    Flask {
        child,
        url: format!("http://127.0.0.1:{port}/"),
    }
}
