//! Authentication profiles: the roles Kawal logs in as (login recipes), and logging in.
//!
//! A role's recipe is one of: an HTML form login (hidden fields such as CSRF tokens are taken
//! from the form), a JSON login returning a token or a cookie, a static cookie or header, or HTTP
//! Basic. A logged-in marker verifies the login; a failed login is an error naming the role,
//! never a silent fall back to anonymous scanning.

pub mod seal;

use crate::checks::login::{self, Jar};
use crate::net::{HttpClient, NetError, Request, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use url::Url;

/// The role name that means "no session".
pub const ANONYMOUS: &str = "anonymous";

/// How one role logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Recipe {
    /// An HTML form: the form holding `password_field` on `url` is submitted with its hidden
    /// fields (anti-CSRF tokens) and the credentials.
    Form {
        /// Page holding the form.
        url: String,
        /// User-name field.
        #[serde(default = "username_field")]
        username_field: String,
        /// Password field.
        #[serde(default = "password_field")]
        password_field: String,
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// A JSON login: `{username_field: username, password_field: password}` is POSTed to `url`;
    /// the token at `token_pointer` (a JSON pointer) is sent as `Authorization: Bearer …`, and
    /// any cookie the answer sets is kept.
    Json {
        /// Login endpoint.
        url: String,
        /// User-name key.
        #[serde(default = "username_field")]
        username_field: String,
        /// Password key.
        #[serde(default = "password_field")]
        password_field: String,
        /// User name.
        username: String,
        /// Password.
        password: String,
        /// Where the token is in the answer, e.g. "/token" or "/data/access_token"; empty when
        /// the login sets a cookie instead.
        #[serde(default = "token_pointer")]
        token_pointer: String,
    },
    /// A fixed cookie (e.g. copied from a browser session).
    Cookie {
        /// Cookie name.
        name: String,
        /// Cookie value.
        value: String,
    },
    /// A fixed header, e.g. `Authorization: Bearer eyJ…` or an API key header.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// HTTP Basic authentication.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
}

fn username_field() -> String {
    "username".into()
}
fn password_field() -> String {
    "password".into()
}
fn token_pointer() -> String {
    "/token".into()
}

/// How to tell that a login worked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Page fetched with the new session to verify it (default: the page the login lands on).
    #[serde(default)]
    pub url: Option<String>,
    /// Text that page shows only when logged in.
    #[serde(default)]
    pub text: Option<String>,
    /// Status that page answers only when logged in.
    #[serde(default)]
    pub status: Option<u16>,
    /// Cookie a successful login sets.
    #[serde(default)]
    pub cookie: Option<String>,
}

/// One role: a name, a privilege rank and a recipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role name, e.g. "admin", "user_a".
    pub name: String,
    /// Privilege rank: higher means more privileged; roles of equal rank are peers (IDOR pairs).
    #[serde(default)]
    pub privilege: u32,
    /// How it logs in.
    pub recipe: Recipe,
    /// How to verify the login.
    #[serde(default)]
    pub marker: Marker,
}

impl Role {
    /// The recipe with secrets replaced, for listings.
    pub fn redacted(&self) -> Role {
        let hide = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                "••••".into()
            }
        };
        let recipe = match &self.recipe {
            Recipe::Form {
                url,
                username_field,
                password_field,
                username,
                password,
            } => Recipe::Form {
                url: url.clone(),
                username_field: username_field.clone(),
                password_field: password_field.clone(),
                username: username.clone(),
                password: hide(password),
            },
            Recipe::Json {
                url,
                username_field,
                password_field,
                username,
                password,
                token_pointer,
            } => Recipe::Json {
                url: url.clone(),
                username_field: username_field.clone(),
                password_field: password_field.clone(),
                username: username.clone(),
                password: hide(password),
                token_pointer: token_pointer.clone(),
            },
            Recipe::Cookie { name, value } => Recipe::Cookie {
                name: name.clone(),
                value: hide(value),
            },
            Recipe::Header { name, value } => Recipe::Header {
                name: name.clone(),
                value: hide(value),
            },
            Recipe::Basic { username, password } => Recipe::Basic {
                username: username.clone(),
                password: hide(password),
            },
        };
        Role {
            recipe,
            ..self.clone()
        }
    }

    /// Checks names and URLs before the role is stored.
    pub fn validate(&self) -> Result<(), AuthError> {
        let bad = |why_id: &str, why_en: &str| AuthError::Invalid {
            role: self.name.clone(),
            why: format!("{why_id} / {why_en}"),
        };
        if self.name.is_empty()
            || self.name.eq_ignore_ascii_case(ANONYMOUS)
            || !self
                .name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(bad(
                "nama peran harus huruf, angka, '_', '-' atau '.', dan bukan 'anonymous'",
                "a role name must be letters, digits, '_', '-' or '.', and not 'anonymous'",
            ));
        }
        let url_ok = |u: &str| {
            Url::parse(u)
                .ok()
                .is_some_and(|u| matches!(u.scheme(), "http" | "https"))
        };
        match &self.recipe {
            Recipe::Form { url, .. } | Recipe::Json { url, .. } if !url_ok(url) => Err(bad(
                &format!("URL login '{url}' tidak sah (harus http/https)"),
                &format!("login URL '{url}' is not a valid http(s) URL"),
            )),
            Recipe::Header { name, .. } | Recipe::Cookie { name, .. }
                if name.is_empty() || name.contains([':', '\r', '\n', ' ', ';', '=']) =>
            {
                Err(bad(
                    &format!("nama header/cookie '{name}' tidak sah"),
                    &format!("header/cookie name '{name}' is not valid"),
                ))
            }
            _ => match &self.marker.url {
                Some(u) if !url_ok(u) => Err(bad(
                    &format!("URL penanda '{u}' tidak sah"),
                    &format!("marker URL '{u}' is not valid"),
                )),
                _ => Ok(()),
            },
        }
    }
}

/// A role could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The recipe is malformed.
    #[error("peran/role '{role}': {why}")]
    Invalid {
        /// Role.
        role: String,
        /// What is wrong.
        why: String,
    },
    /// A request failed.
    #[error("peran/role '{role}': {source}")]
    Net {
        /// Role.
        role: String,
        /// Cause.
        source: NetError,
    },
    /// The application did not accept the login.
    #[error("peran '{role}' tidak dapat login: {why_id} / role '{role}' cannot log in: {why_en}")]
    Rejected {
        /// Role.
        role: String,
        /// Why, Indonesian.
        why_id: String,
        /// Why, English.
        why_en: String,
    },
}

/// A logged-in role: what to add to each request.
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// Role name.
    pub role: String,
    /// Privilege rank.
    pub privilege: u32,
    /// Cookies.
    pub jar: Jar,
    /// Extra headers (Authorization and the like).
    pub headers: Vec<(String, String)>,
    /// Every response of the login and its verification (their `Set-Cookie` headers are judged).
    pub responses: Vec<Response>,
}

impl AuthSession {
    /// The no-session "role".
    pub fn anonymous() -> AuthSession {
        AuthSession {
            role: ANONYMOUS.into(),
            privilege: 0,
            jar: Jar::default(),
            headers: Vec::new(),
            responses: Vec::new(),
        }
    }

    /// The headers that carry this session to `url`.
    pub fn request_headers(&self, url: &Url) -> Vec<(String, String)> {
        let mut h = self.headers.clone();
        if let Some(c) = self.jar.header(url) {
            h.push(("cookie".into(), c));
        }
        h
    }

    /// `req` with this session's credentials.
    pub fn apply(&self, mut req: Request) -> Request {
        req.headers.extend(self.request_headers(&req.url));
        req
    }
}

fn rejected(role: &Role, why_id: impl Into<String>, why_en: impl Into<String>) -> AuthError {
    AuthError::Rejected {
        role: role.name.clone(),
        why_id: why_id.into(),
        why_en: why_en.into(),
    }
}

/// Logs `role` in against `base` and verifies the marker.
pub async fn login(http: &HttpClient, base: &Url, role: &Role) -> Result<AuthSession, AuthError> {
    role.validate()?;
    let net = |source| AuthError::Net {
        role: role.name.clone(),
        source,
    };
    let parse = |u: &str| {
        base.join(u).map_err(|e| AuthError::Invalid {
            role: role.name.clone(),
            why: format!("URL '{u}': {e}"),
        })
    };
    let mut session = AuthSession {
        role: role.name.clone(),
        privilege: role.privilege,
        jar: Jar::default(),
        headers: Vec::new(),
        responses: Vec::new(),
    };
    let mut landed: Option<Response> = None;
    match &role.recipe {
        Recipe::Form {
            url,
            username_field,
            password_field,
            username,
            password,
        } => {
            let recipe = login::Recipe {
                role: role.name.clone(),
                url: parse(url)?,
                username_field: username_field.clone(),
                password_field: password_field.clone(),
                username: username.clone(),
                password: password.clone(),
                success_marker: role.marker.text.clone(),
                protected_url: None,
                logout_url: None,
                json_page: None,
                token_pointer: None,
            };
            let ctx_free = login::login_with(http, &recipe).await;
            match ctx_free {
                Ok(s) => {
                    session.jar = s.jar;
                    landed = Some(s.page);
                    session.responses = s.chain;
                }
                Err(login::LoginError::Net(e)) => return Err(net(e)),
                Err(e) => return Err(rejected(role, e.to_string(), e.to_string())),
            }
        }
        Recipe::Json {
            url,
            username_field,
            password_field,
            username,
            password,
            token_pointer,
        } => {
            let recipe = login::Recipe {
                role: role.name.clone(),
                url: parse(url)?,
                username_field: username_field.clone(),
                password_field: password_field.clone(),
                username: username.clone(),
                password: password.clone(),
                success_marker: None,
                protected_url: None,
                logout_url: None,
                json_page: Some(base.clone()),
                token_pointer: Some(token_pointer.clone()).filter(|p| !p.is_empty()),
            };
            let s = match login::json_login(http, base, &recipe).await {
                Ok(s) => s,
                Err(login::LoginError::Net(e)) => return Err(net(e)),
                Err(login::LoginError::Rejected { why_id, why_en, .. }) => {
                    return Err(rejected(role, why_id, why_en));
                }
                Err(e) => return Err(rejected(role, e.to_string(), e.to_string())),
            };
            session.jar = s.jar;
            session.responses = s.chain;
            session.headers = s.headers;
        }
        Recipe::Cookie { name, value } => session.jar.set(name, value),
        Recipe::Header { name, value } => session.headers.push((name.clone(), value.clone())),
        Recipe::Basic { username, password } => {
            let raw = format!("{username}:{password}");
            session.headers.push((
                "authorization".into(),
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ),
            ));
        }
    }
    if let Some(page) = verify(http, base, role, &session, landed).await? {
        session.responses.push(page);
    }
    Ok(session)
}

/// Checks the marker with the new session: the page must answer the expected status, show the
/// text, and not be a login form again. Returns the page when it had to be fetched.
async fn verify(
    http: &HttpClient,
    base: &Url,
    role: &Role,
    session: &AuthSession,
    landed: Option<Response>,
) -> Result<Option<Response>, AuthError> {
    let m = &role.marker;
    if let Some(c) = &m.cookie
        && session.jar.get(c).is_none()
    {
        return Err(rejected(
            role,
            format!("cookie penanda '{c}' tidak diterima setelah login"),
            format!("the marker cookie '{c}' was not set by the login"),
        ));
    }
    let (page, fetched) = match (&m.url, landed) {
        (None, Some(p)) if m.status.is_none() => (p, false),
        (url, _) => {
            let target = match url {
                Some(u) => base.join(u).map_err(|e| AuthError::Invalid {
                    role: role.name.clone(),
                    why: format!("URL '{u}': {e}"),
                })?,
                None => base.clone(),
            };
            let mut jar = session.jar.clone();
            let req = Request {
                headers: session.headers.clone(),
                ..Request::get(target)
            };
            let chain =
                login::fetch(http, &mut jar, req)
                    .await
                    .map_err(|source| AuthError::Net {
                        role: role.name.clone(),
                        source,
                    })?;
            match chain.into_iter().last() {
                Some(p) => (p, true),
                None => return Err(rejected(role, "tanpa jawaban", "no answer")),
            }
        }
    };
    if let Some(s) = m.status
        && page.status != s
    {
        return Err(rejected(
            role,
            format!("{} menjawab {} (diharapkan {s})", page.url, page.status),
            format!("{} answered {} (expected {s})", page.url, page.status),
        ));
    }
    let text = page.text();
    if let Some(t) = &m.text
        && !text.contains(t.as_str())
    {
        return Err(rejected(
            role,
            format!("teks penanda '{t}' tidak muncul di {}", page.url),
            format!("the marker text '{t}' does not appear on {}", page.url),
        ));
    }
    if matches!(role.recipe, Recipe::Form { .. } | Recipe::Basic { .. })
        && (page.status == 401 || (m.text.is_none() && login::has_password_input(&text)))
    {
        return Err(rejected(
            role,
            format!("{} masih meminta login (status {})", page.url, page.status),
            format!(
                "{} still asks for a login (status {})",
                page.url, page.status
            ),
        ));
    }
    Ok(fetched.then_some(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(recipe: Recipe) -> Role {
        Role {
            name: "user_a".into(),
            privilege: 10,
            recipe,
            marker: Marker::default(),
        }
    }

    #[test]
    fn recipes_read_from_toml_with_defaults() {
        let r: Role = toml::from_str(
            "name = 'admin'\nprivilege = 100\n[recipe]\nkind = 'form'\nurl = 'https://a.example.go.id/login'\nusername = 'admin'\npassword = 'x'\n[marker]\ntext = 'Keluar'\n",
        )
        .expect("form role");
        assert!(
            matches!(&r.recipe, Recipe::Form { username_field, .. } if username_field == "username")
        );
        assert_eq!(r.marker.text.as_deref(), Some("Keluar"));
        let j: Role = toml::from_str(
            "name = 'api'\n[recipe]\nkind = 'json'\nurl = 'https://a.example.go.id/api/login'\nusername = 'u'\npassword = 'p'\n",
        )
        .expect("json role");
        assert!(
            matches!(&j.recipe, Recipe::Json { token_pointer, .. } if token_pointer == "/token")
        );
        let e = toml::from_str::<Role>("name = 'x'\n[recipe]\nkind = 'oauth'\n")
            .expect_err("unknown kind");
        assert!(e.to_string().contains("oauth"), "{e}");
    }

    #[test]
    fn redaction_hides_every_secret() {
        for recipe in [
            Recipe::Basic {
                username: "u".into(),
                password: "rahasia".into(),
            },
            Recipe::Header {
                name: "x-api-key".into(),
                value: "rahasia".into(),
            },
            Recipe::Cookie {
                name: "SID".into(),
                value: "rahasia".into(),
            },
        ] {
            let shown = format!("{:?}", role(recipe).redacted());
            assert!(!shown.contains("rahasia"), "{shown}");
        }
    }

    #[test]
    fn validation_names_the_problem() {
        let mut r = role(Recipe::Header {
            name: "bad name".into(),
            value: "v".into(),
        });
        assert!(r.validate().is_err());
        r.recipe = Recipe::Form {
            url: "ftp://x".into(),
            username_field: "u".into(),
            password_field: "p".into(),
            username: "u".into(),
            password: "p".into(),
        };
        let e = r.validate().expect_err("ftp login");
        assert!(
            e.to_string().contains("user_a") && e.to_string().contains("ftp://x"),
            "{e}"
        );
        r.name = "anonymous".into();
        assert!(r.validate().is_err());
    }

    #[test]
    fn sessions_carry_cookies_and_headers() {
        let mut s = AuthSession::anonymous();
        s.jar.set("SID", "abc");
        s.headers.push(("authorization".into(), "Bearer t".into()));
        let u = Url::parse("https://a.example.go.id/x").expect("url");
        let h = s.request_headers(&u);
        assert!(h.contains(&("cookie".into(), "SID=abc".into())));
        assert!(h.contains(&("authorization".into(), "Bearer t".into())));
    }
}
