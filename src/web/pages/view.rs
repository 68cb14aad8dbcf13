//! Rendering the dashboard: the templates, labels, stylesheet and script (data files under
//! `pages/`, embedded in the binary), the language of a request, the logged-in user of a page,
//! and the headers a page answers with.

use crate::i18n::Lang;
use crate::service::{Actor, ServiceError, SessionInfo};
use crate::web::AppState;
use crate::web::auth::{COOKIE, client_addr, cookie, same_origin};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The templates of the pages, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../../pages/layout.hbs")),
    ("pager", include_str!("../../../pages/pager.hbs")),
    ("app_table", include_str!("../../../pages/app_table.hbs")),
    (
        "finding_table",
        include_str!("../../../pages/finding_table.hbs"),
    ),
    ("overview", include_str!("../../../pages/overview.hbs")),
    ("apps", include_str!("../../../pages/apps.hbs")),
    ("app", include_str!("../../../pages/app.hbs")),
    ("app_form", include_str!("../../../pages/app_form.hbs")),
    ("evaluation", include_str!("../../../pages/evaluation.hbs")),
    ("findings", include_str!("../../../pages/findings.hbs")),
    ("jobs", include_str!("../../../pages/jobs.hbs")),
    ("inbox", include_str!("../../../pages/inbox.hbs")),
    ("audit", include_str!("../../../pages/audit.hbs")),
    ("message", include_str!("../../../pages/message.hbs")),
    ("workflows", include_str!("../../../pages/workflows.hbs")),
    ("workflow", include_str!("../../../pages/workflow.hbs")),
    (
        "workflow_new",
        include_str!("../../../pages/workflow_new.hbs"),
    ),
];
const LABELS: &str = include_str!("../../../pages/labels.toml");
/// The stylesheet served at `/static/kawal.css`.
pub const STYLE: &str = include_str!("../../../pages/kawal.css");
/// The script served at `/static/kawal.js`.
pub const SCRIPT: &str = include_str!("../../../pages/kawal.js");

/// The policy of a page: its own stylesheet and script, requests to itself, nothing else.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The cookie holding a chosen language.
const LANG_COOKIE: &str = "kawal-lang";

struct Assets {
    hbs: Handlebars<'static>,
    labels: [Value; 2],
}

/// Templates and labels, checked once: a broken data file names itself.
fn assets() -> Result<&'static Assets, String> {
    static ASSETS: OnceLock<Result<Assets, String>> = OnceLock::new();
    ASSETS.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Assets, String> {
    let mut hbs = Handlebars::new();
    for (name, text) in TEMPLATES {
        hbs.register_template_string(name, *text)
            .map_err(|e| format!("pages/{name}.hbs: {e}"))?;
    }
    #[derive(serde::Deserialize)]
    struct Label {
        id: String,
        en: String,
    }
    let raw: BTreeMap<String, Label> =
        toml::from_str(LABELS).map_err(|e| format!("pages/labels.toml: {e}"))?;
    let (mut id, mut en) = (Map::new(), Map::new());
    for (k, l) in raw {
        id.insert(k.clone(), Value::String(l.id));
        en.insert(k, Value::String(l.en));
    }
    Ok(Assets {
        hbs,
        labels: [Value::Object(id), Value::Object(en)],
    })
}

/// One label in `lang` (the key itself if the file lacks it, which a test refuses).
pub fn label(lang: Lang, key: &str) -> String {
    assets()
        .ok()
        .and_then(|a| a.labels[lang_index(lang)].get(key))
        .and_then(Value::as_str)
        .unwrap_or(key)
        .to_string()
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Id => 0,
        Lang::En => 1,
    }
}

/// The language of a page request: `?lang=`, then the cookie, then Accept-Language.
/// The second value is set when the query chose it (the answer then stores the choice).
pub fn page_lang(parts: &Parts) -> (Lang, Option<Lang>) {
    let asked = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| v.parse::<Lang>().ok())
    });
    if let Some(l) = asked {
        return (l, Some(l));
    }
    if let Some(l) = cookie(&parts.headers, LANG_COOKIE).and_then(|v| v.parse::<Lang>().ok()) {
        return (l, None);
    }
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    (crate::service::lang_of(accept), None)
}

/// A logged-in page user.
pub struct PageUser {
    /// The acting user.
    pub actor: Actor,
    /// The session's CSRF token, for forms.
    pub csrf: String,
}

/// The request's page context: language and, when logged in, the user.
pub struct Ctx {
    /// Language of the page.
    pub lang: Lang,
    /// Language chosen by the query, to remember in a cookie.
    pub chosen: Option<Lang>,
    /// The user, when the session cookie is valid.
    pub user: Option<PageUser>,
    /// Which lists the menu offers (the queue and audit log only to those holding them over
    /// every agency).
    pub nav: Value,
}

impl Ctx {
    /// Reads the language and the session of a page request.
    pub async fn of(st: &AppState, parts: &Parts) -> Ctx {
        let (lang, chosen) = page_lang(parts);
        let user = session(st, parts).await.map(|info| PageUser {
            actor: info.actor,
            csrf: info.csrf_token,
        });
        let all = |p: &str| {
            user.as_ref().is_some_and(|u| {
                matches!(
                    st.service.require(&u.actor, p),
                    Ok(crate::store::AgencyScope::All)
                )
            })
        };
        let nav = json!({
            "findings": user.as_ref().is_some_and(|u| st.service.may(&u.actor, "finding:read")),
            "jobs": all("job:read"),
            "inbox": user.as_ref().is_some_and(|u| st.service.may(&u.actor, "report:acknowledge")),
            "audit": all("audit:read"),
            "workflows": user.as_ref().is_some_and(|u| {
                crate::service::WORKFLOW_PERMISSIONS
                    .iter()
                    .any(|p| st.service.may(&u.actor, p))
            }),
        });
        Ctx {
            lang,
            chosen,
            user,
            nav,
        }
    }

    /// The user, or the answer sending the browser to the login page.
    pub fn require(&self) -> Result<&PageUser, Box<Response>> {
        self.user
            .as_ref()
            .ok_or_else(|| Box::new(redirect("/login")))
    }

    /// A label.
    pub fn t(&self, key: &str) -> String {
        label(self.lang, key)
    }
}

async fn session(st: &AppState, parts: &Parts) -> Option<SessionInfo> {
    let sid = cookie(&parts.headers, COOKIE)?;
    let client = client_addr(st, parts).map(|c| c.to_string());
    st.service.session(&sid, client.as_deref()).await.ok()?
}

/// Whether a page form may change state: same origin and the session's CSRF token.
pub fn form_allowed(parts: &Parts, user: &PageUser, token: &str) -> bool {
    same_origin(&parts.headers) && crate::team::secret::same(&user.csrf, token)
}

/// A page: `template` rendered with `page` inside the layout, answered with `status`.
pub fn render(
    ctx: &Ctx,
    status: StatusCode,
    template: &str,
    title: &str,
    section: &str,
    page: Value,
) -> Response {
    render_with(ctx, status, template, title, section, page, None)
}

/// As [`render`], with an error shown above the content.
pub fn render_with(
    ctx: &Ctx,
    status: StatusCode,
    template: &str,
    title: &str,
    section: &str,
    page: Value,
    error: Option<&str>,
) -> Response {
    let assets = match assets() {
        Ok(a) => a,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    };
    let lang = ctx.lang;
    let other = match lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let user = ctx.user.as_ref().and_then(|u| u.actor.account.as_ref());
    let mut data = json!({
        "lang": lang.to_string(),
        "other_lang": other.to_string(),
        "t": assets.labels[lang_index(lang)],
        "title": title,
        "section": section,
        "user": user.map(|a| json!({ "name": a.username, "agency": a.agency })),
        "csrf": ctx.user.as_ref().map(|u| u.csrf.clone()),
        "nav": ctx.nav,
        "script": template == "app",
        "error": error,
        "page": page,
    });
    let body = match assets.hbs.render(template, &data) {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{template}: {e}"),
            )
                .into_response();
        }
    };
    data["body"] = Value::String(body);
    let html = match assets.hbs.render("layout", &data) {
        Ok(h) => h,
        Err(e) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("layout: {e}")).into_response();
        }
    };
    html_response(ctx, status, html)
}

/// An HTML answer with the page headers (and the chosen language remembered).
pub fn html_response(ctx: &Ctx, status: StatusCode, html: String) -> Response {
    let mut r = (status, axum::response::Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    // With `no-referrer` browsers send `Origin: null` on the page's own form posts, which the
    // origin check must refuse; `same-origin` keeps the referrer inside Kawal and the Origin real.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if let Some(l) = ctx.chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={l}; Path=/; Secure; SameSite=Lax; Max-Age=31536000"
        ))
    {
        h.insert(header::SET_COOKIE, v);
    }
    r
}

/// A 303 to `to`.
pub fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The page context and acting user of a state-changing form post: logged in, same origin and
/// the session's CSRF token, or the answer that refuses it.
pub async fn form_actor(
    st: &AppState,
    parts: &Parts,
    token: &str,
) -> Result<(Ctx, crate::service::Actor), Box<Response>> {
    let ctx = Ctx::of(st, parts).await;
    let actor = {
        let user = ctx.require()?;
        if !form_allowed(parts, user, token) {
            return Err(Box::new(csrf_refused(&ctx)));
        }
        user.actor.clone()
    };
    Ok((ctx, actor))
}

/// The refusal of a page form whose CSRF token or origin is wrong.
pub fn csrf_refused(ctx: &Ctx) -> Response {
    refused(
        ctx,
        ServiceError::Forbidden {
            permission: "csrf".into(),
        },
    )
}

/// The key sealing secrets at rest, or the page saying it is not loaded.
pub fn sealer<'a>(
    st: &'a AppState,
    ctx: &Ctx,
) -> Result<&'a crate::auth::seal::Sealer, Box<Response>> {
    st.sealer.as_deref().ok_or_else(|| {
        Box::new(refused(
            ctx,
            ServiceError::Internal(
                "kunci rahasia tidak dimuat / the secret key is not loaded".into(),
            ),
        ))
    })
}

/// A page saying why a request was refused or failed (the service's error, in the page's
/// language; another agency's objects read as missing).
pub fn refused(ctx: &Ctx, e: ServiceError) -> Response {
    if matches!(e, ServiceError::Unauthenticated) {
        return redirect("/login");
    }
    let (status, key_id, key_en) = match &e {
        ServiceError::NotFound { .. } => (StatusCode::NOT_FOUND, "Tidak ditemukan", "Not found"),
        ServiceError::Forbidden { .. } => {
            (StatusCode::FORBIDDEN, "Tidak diizinkan", "Not permitted")
        }
        ServiceError::Invalid { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Isian tidak sah",
            "Invalid input",
        ),
        ServiceError::Conflict(_) => (StatusCode::CONFLICT, "Konflik", "Conflict"),
        ServiceError::Throttled => (
            StatusCode::TOO_MANY_REQUESTS,
            "Terlalu banyak percobaan",
            "Too many attempts",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kesalahan internal",
            "Internal error",
        ),
    };
    let message = match &e {
        ServiceError::Store(_) | ServiceError::Internal(_) => {
            tracing::error!("page: {e}");
            crate::i18n::tr(
                ctx.lang,
                "Kesalahan internal; lihat log server.",
                "Internal error; see the server log.",
            )
            .to_string()
        }
        e => e.to_string(),
    };
    let title = crate::i18n::tr(ctx.lang, key_id, key_en);
    render(
        ctx,
        status,
        "message",
        title,
        "",
        json!({ "message": message, "back": "/" }),
    )
}

/// `GET /static/kawal.css`.
pub async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// `GET /static/kawal.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// A time as the pages show it (UTC, to the minute).
pub fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// An evaluation's outcome as a label and a style class.
pub fn decision_label(ctx: &Ctx, e: &crate::store::EvaluationRow) -> (String, &'static str) {
    match e.meets_standard {
        Some(true) if e.provisional => (
            format!("{} ({})", ctx.t("met"), ctx.t("provisional")),
            "met",
        ),
        Some(true) => (ctx.t("met"), "met"),
        Some(false) => (ctx.t("not_met"), "not-met"),
        None => (e.status.as_str().to_string(), ""),
    }
}

/// The query of a page request, or a page saying what is wrong with it.
pub fn query<T: serde::de::DeserializeOwned>(ctx: &Ctx, parts: &Parts) -> Result<T, Box<Response>> {
    axum::extract::Query::<T>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .map_err(|e| {
            Box::new(refused(
                ctx,
                ServiceError::Invalid {
                    field: "query".into(),
                    message: e.body_text(),
                },
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_every_label_they_use_exists_in_both_languages() {
        let a = assets().expect("pages/ data files");
        let used = regex::Regex::new(r"\bt\.([a-z0-9_]+)").expect("regex");
        for (name, text) in TEMPLATES {
            for c in used.captures_iter(text) {
                for labels in &a.labels {
                    assert!(
                        labels.get(&c[1]).is_some(),
                        "pages/{name}.hbs uses t.{} which pages/labels.toml lacks",
                        &c[1]
                    );
                }
            }
        }
    }

    #[test]
    fn the_language_comes_from_the_query_then_the_cookie_then_the_header() {
        let parts = |uri: &str, cookie: Option<&str>, accept: Option<&str>| {
            let mut b = axum::http::Request::builder().uri(uri);
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            if let Some(a) = accept {
                b = b.header(header::ACCEPT_LANGUAGE, a);
            }
            b.body(()).expect("request").into_parts().0
        };
        assert_eq!(
            page_lang(&parts("/?lang=en", Some("kawal-lang=id"), None)),
            (Lang::En, Some(Lang::En))
        );
        assert_eq!(
            page_lang(&parts("/", Some("kawal-lang=en"), Some("id"))),
            (Lang::En, None)
        );
        assert_eq!(
            page_lang(&parts("/", None, Some("en-US,en;q=0.9"))),
            (Lang::En, None)
        );
        assert_eq!(page_lang(&parts("/?lang=xx", None, None)), (Lang::Id, None));
    }
}
