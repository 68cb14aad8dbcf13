//! Posting signed JSON events to the configured webhooks.

use super::config::Webhook;
use super::mail::SendError;
use super::sign;
use std::time::Duration;

/// An HTTP client for webhooks: no redirects (a redirect could carry the signed body
/// elsewhere), short timeouts.
pub fn client() -> Result<reqwest::Client, SendError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("kawal/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SendError::permanent(format!("klien HTTP / HTTP client: {e}")))
}

/// Posts `payload` (JSON text) as `event`, signed at `timestamp` (Unix seconds). A 2xx answer
/// is success; 408, 429 and 5xx are retried; any other answer is final.
pub async fn post(
    http: &reqwest::Client,
    hook: &Webhook,
    event: &str,
    message_id: i64,
    payload: &str,
    timestamp: i64,
) -> Result<(), SendError> {
    let signature = sign::sign(&hook.secret, timestamp, payload.as_bytes());
    let r = http
        .post(hook.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(sign::EVENT_HEADER, event)
        .header(sign::DELIVERY_HEADER, message_id.to_string())
        .header(sign::TIMESTAMP_HEADER, timestamp.to_string())
        .header(sign::SIGNATURE_HEADER, signature)
        .body(payload.to_string())
        .send()
        .await
        .map_err(|e| {
            let mut d = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                d.push_str(": ");
                d.push_str(&s.to_string());
                src = s.source();
            }
            SendError::transient(format!(
                "webhook '{}' ({}) tidak terjangkau / unreachable: {d}",
                hook.name, hook.url
            ))
        })?;
    let status = r.status();
    if status.is_success() {
        return Ok(());
    }
    let reason = format!(
        "webhook '{}' ({}) menjawab / answered HTTP {status}",
        hook.name, hook.url
    );
    if status.as_u16() == 408 || status.as_u16() == 429 || status.is_server_error() {
        Err(SendError::transient(reason))
    } else {
        Err(SendError::permanent(reason))
    }
}
