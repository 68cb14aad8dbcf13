//! A small W3C WebDriver client over the crate's HTTP client, for driving Debian's Chromium
//! through chromedriver on loopback (the protocol is JSON over HTTP; see
//! https://www.w3.org/TR/webdriver2/).

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process on a loopback port.
pub struct Driver {
    child: Child,
    /// Its base URL.
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts `chromedriver` on `port` and waits until it answers.
    pub async fn start(binary: &str, port: u16) -> Driver {
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{binary} does not start: {e}"));
        let d = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = http.get(format!("{}/status", d.url)).send().await
                && r.status().is_success()
            {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer within 30 s");
    }
}

/// One browser session.
pub struct Browser {
    http: reqwest::Client,
    base: String,
}

/// A WebDriver command failed.
#[derive(Debug)]
pub struct WdError(pub String);

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Browser {
    /// A headless Chromium session through `driver`, asking for Indonesian pages and accepting the test
    /// server's certificate (issued by a CA made for the test).
    pub async fn new(driver: &Driver, chromium: &str, downloads: &std::path::Path) -> Browser {
        let http = reqwest::Client::new();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000", "--lang=id-ID"],
                "prefs": { "download.default_directory": downloads.to_string_lossy(), "intl.accept_languages": "id-ID,id" },
            },
        }}});
        let r = send(
            &http,
            reqwest::Method::POST,
            &format!("{}/session", driver.url),
            Some(caps),
        )
        .await
        .unwrap_or_else(|e| panic!("new browser session: {e}"));
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id: {r}"))
            .to_string();
        Browser {
            http,
            base: format!("{}/session/{id}", driver.url),
        }
    }

    async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WdError> {
        send(&self.http, method, &format!("{}{path}", self.base), body)
            .await
            .map(|v| v["value"].clone())
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// The element matching `css`, if any.
    pub async fn try_find(&self, css: &str) -> Option<String> {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await
            .ok()?;
        v[ELEMENT].as_str().map(str::to_string)
    }

    /// The element matching `css` (fails the test naming the page when absent).
    pub async fn find(&self, css: &str) -> String {
        match self.try_find(css).await {
            Some(e) => e,
            None => panic!(
                "no element '{css}' on {}:\n{}",
                self.current().await,
                self.text_of_body().await
            ),
        }
    }

    /// Waits up to `secs` for an element matching `css`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> String {
        let t = Instant::now();
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            if t.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "'{css}' did not appear within {secs} s on {}:\n{}",
                    self.current().await,
                    self.text_of_body().await
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Types `text` into the element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/clear"),
            Some(json!({})),
        )
        .await
        .ok();
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await
        .unwrap_or_else(|err| panic!("typing into {css}: {err}"));
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await
        .unwrap_or_else(|err| panic!("clicking {css}: {err}"));
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{e}/text"), None)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The current URL.
    pub async fn current(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The page's body text.
    pub async fn text_of_body(&self) -> String {
        self.exec(
            "return document.body ? document.body.innerText : '';",
            json!([]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Runs a script in the page and returns its value.
    pub async fn exec(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Runs an asynchronous script (its last argument is the callback) and returns its value.
    pub async fn exec_async(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
        .unwrap_or_else(|e| panic!("async script failed: {e}"))
    }

    /// Sets the script timeout.
    pub async fn script_timeout(&self, ms: u64) {
        self.cmd(
            reqwest::Method::POST,
            "/timeouts",
            Some(json!({ "script": ms })),
        )
        .await
        .expect("timeouts");
    }

    /// Resizes the window (e.g. to a tablet's width).
    pub async fn resize(&self, width: u32, height: u32) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await
        .expect("window size");
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let v = self
            .cmd(reqwest::Method::GET, "/screenshot", None)
            .await
            .expect("screenshot");
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("screenshot base64")
    }

    /// Ends the session.
    pub async fn quit(self) {
        let _ = send(&self.http, reqwest::Method::DELETE, &self.base, None).await;
    }
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WdError> {
    let mut req = http.request(method, url).timeout(Duration::from_secs(120));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&b).map_err(|e| WdError(e.to_string()))?);
    }
    let r = req.send().await.map_err(|e| WdError(e.to_string()))?;
    let status = r.status();
    let bytes = r.bytes().await.map_err(|e| WdError(e.to_string()))?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| WdError(format!("{e}: {}", String::from_utf8_lossy(&bytes))))?;
    if !status.is_success() {
        return Err(WdError(format!("{status}: {}", v["value"])));
    }
    Ok(v)
}
