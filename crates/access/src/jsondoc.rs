//! One JSON document compared with another "modulo volatile fields": an API that hands a lower
//! role the same document it gives the administrator (timestamps and request ids aside) did
//! not enforce anything, however small the document.

use serde_json::Value;

/// Member names whose values change on every answer (compared case-insensitively; a name
/// ending in `_at` or `At` counts too, as in `created_at`, `generatedAt`).
pub const VOLATILE_KEYS: &[&str] = &[
    "timestamp",
    "time",
    "ts",
    "date",
    "now",
    "server_time",
    "servertime",
    "request_id",
    "requestid",
    "trace_id",
    "traceid",
    "correlation_id",
    "nonce",
    "csrf",
    "csrf_token",
    "_token",
    "etag",
    "expires",
    "expires_in",
    "took",
    "elapsed",
    "duration_ms",
    "dibuat_pada",
    "diperbarui_pada",
    "waktu_server",
    "waktu",
];

fn volatile(key: &str, extra: &[String]) -> bool {
    let k = key.to_ascii_lowercase();
    VOLATILE_KEYS.contains(&k.as_str())
        || extra.iter().any(|e| e.eq_ignore_ascii_case(key))
        || k.ends_with("_at")
        || (key.ends_with("At") && key.len() > 2)
}

/// `v` with volatile members removed at every depth.
fn strip(v: &mut Value, extra: &[String]) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !volatile(k, extra));
            m.values_mut().for_each(|x| strip(x, extra));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip(x, extra)),
        _ => {}
    }
}

/// Whether a document holds any data (a non-empty scalar somewhere).
fn has_data(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().any(has_data),
        Value::Array(a) => a.iter().any(has_data),
        Value::String(s) => !s.trim().is_empty(),
        Value::Null => false,
        _ => true,
    }
}

/// The stable part of a JSON body, when it is JSON.
pub fn stable(body: &str, extra: &[String]) -> Option<Value> {
    let mut v: Value = serde_json::from_str(body.trim()).ok()?;
    strip(&mut v, extra);
    Some(v)
}

/// Whether two bodies are the same JSON document with data, volatile members aside.
pub fn same_document(a: &str, b: &str, extra: &[String]) -> bool {
    match (stable(a, extra), stable(b, extra)) {
        (Some(x), Some(y)) => has_data(&x) && x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_members_are_ignored_at_every_depth() {
        let a = r#"{"data":[{"id":1,"updated_at":"2026-01-01"}],"meta":{"requestId":"x","generatedAt":"t1"}}"#;
        let b = r#"{"meta":{"requestId":"y","generatedAt":"t2"},"data":[{"updated_at":"2026-01-02","id":1}]}"#;
        assert!(same_document(a, b, &[]));
        assert!(!same_document(a, r#"{"data":[{"id":2}]}"#, &[]));
        assert!(
            !same_document("[]", "[]", &[]),
            "no data, nothing to compare"
        );
        assert!(!same_document("<p>x</p>", "<p>x</p>", &[]));
        let c = r#"{"hasil":1,"versi":"a"}"#;
        let d = r#"{"hasil":1,"versi":"b"}"#;
        assert!(same_document(c, d, &["versi".to_string()]));
    }
}
