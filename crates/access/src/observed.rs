//! One HTTP answer as the judgement functions see it.

use crate::similarity::Fingerprint;
use serde::{Deserialize, Serialize};

/// A response reduced to what the access-control judgements need.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Observed {
    /// HTTP status code.
    pub status: u16,
    /// The `Location` header, as sent (relative or absolute).
    pub location: Option<String>,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The body, lossily decoded and already capped by the caller.
    pub body: String,
}

impl Observed {
    /// A response with a status and a body and no headers.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Observed {
            status,
            location: None,
            content_type: None,
            body: body.into(),
        }
    }

    /// The same response with a `Location` header.
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// The same response with a `Content-Type` header.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The body's fingerprint; compute it once per response and reuse it.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(self)
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// True for 3xx.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    /// True when the body is empty or only whitespace (HEAD, 204, some redirects).
    pub fn body_is_blank(&self) -> bool {
        self.body.trim().is_empty()
    }
}
