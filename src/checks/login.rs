//! A minimal form login: fetch the form, keep its hidden fields (anti-CSRF tokens), post the
//! credentials, follow in-scope redirects with a cookie jar, and verify the result.

use super::Context;
use super::setcookie::SetCookie;
use crate::net::{HttpClient, NetError, Request, Response};
use scraper::Selector;
use url::Url;

/// Redirects followed by one request of a login session.
const MAX_HOPS: usize = 10;

/// How to log in with one test account.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Which account this is (e.g. "admin", "operator"), named in messages.
    pub role: String,
    /// Page holding the login form.
    pub url: Url,
    /// Name of the user-name field.
    pub username_field: String,
    /// Name of the password field.
    pub password_field: String,
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Text only a logged-in page shows.
    pub success_marker: Option<String>,
    /// A page only logged-in users may see (default: where the login lands).
    pub protected_url: Option<Url>,
    /// Logout URL (default: found on the logged-in page).
    pub logout_url: Option<Url>,
    /// A JSON login: the application page whose script posts the credentials as a JSON
    /// document to `url` (the answer sets the session cookie); `None` for a form login.
    pub json_page: Option<Url>,
    /// A JSON login handing out a bearer token: where it is in the answer (a JSON pointer).
    pub token_pointer: Option<String>,
}

/// Cookies of one client, by name (one application, so domain and path are not tracked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jar {
    cookies: Vec<(String, String)>,
    /// Names of cookies set with `Secure`: never sent over plain HTTP, as in a browser.
    secure: Vec<String>,
}

impl Jar {
    /// Takes the `Set-Cookie` headers of a response (deletions remove the cookie).
    pub fn absorb(&mut self, r: &Response) {
        for c in r.headers_named("set-cookie").filter_map(SetCookie::parse) {
            self.cookies.retain(|(n, _)| *n != c.name);
            self.secure.retain(|n| *n != c.name);
            if !c.is_deletion() {
                if c.secure {
                    self.secure.push(c.name.clone());
                }
                self.cookies.push((c.name, c.value));
            }
        }
    }

    /// The value of cookie `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets cookie `name`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_string(), value.to_string()));
    }

    /// Cookie names held.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cookies.iter().map(|(n, _)| n.as_str())
    }

    /// The `Cookie` request header for `url`, when any cookie goes there.
    pub fn header(&self, url: &Url) -> Option<String> {
        let https = url.scheme() == "https";
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .filter(|(n, _)| https || !self.secure.contains(n))
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

/// A logged-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Cookies held before the credentials were posted (the anonymous session, if any).
    pub before: Jar,
    /// Cookies after login.
    pub jar: Jar,
    /// Where the login landed.
    pub landed: Url,
    /// The page the login landed on.
    pub page: Response,
    /// Every response of the login, form page first (their `Set-Cookie` headers are judged).
    pub chain: Vec<Response>,
    /// Headers that carry the session besides its cookies (`Authorization: Bearer …`).
    pub headers: Vec<(String, String)>,
}

/// Why a login did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// A request failed.
    #[error("{0}")]
    Net(#[from] NetError),
    /// No form with the password field on the login page.
    #[error(
        "tidak ada formulir dengan kolom '{field}' di {url} / no form with field '{field}' at {url}"
    )]
    NoForm {
        /// Login page.
        url: String,
        /// Password field looked for.
        field: String,
    },
    /// The application did not accept the login.
    #[error("{why_id} / {why_en} ({url})")]
    Rejected {
        /// Login page.
        url: String,
        /// Why, in Indonesian.
        why_id: String,
        /// Why, in English.
        why_en: String,
    },
}

/// A form to submit: where, how, and its fields with their default values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSpec {
    /// Absolute action URL.
    pub action: Url,
    /// Upper-case method.
    pub method: String,
    /// Successful controls in document order.
    pub fields: Vec<(String, String)>,
}

/// The form holding a field named `password_field` (else the first with a password input).
pub fn find_form(page: &Url, html: &str, password_field: &str) -> Option<FormSpec> {
    let doc = crate::crawl::html::parse(html);
    let forms = Selector::parse("form").ok()?;
    let controls = Selector::parse("input, select, textarea").ok()?;
    let mut fallback = None;
    for form in doc.select(&forms) {
        let mut fields = Vec::new();
        let mut named = false;
        let mut password = false;
        for el in form.select(&controls) {
            let e = el.value();
            let Some(name) = e.attr("name").filter(|n| !n.is_empty()) else {
                continue;
            };
            let kind = e.attr("type").unwrap_or("text").to_ascii_lowercase();
            named |= name == password_field;
            password |= kind == "password";
            let value = match (e.name(), kind.as_str()) {
                (_, "submit" | "button" | "image" | "reset" | "file") => continue,
                (_, "checkbox" | "radio") if e.attr("checked").is_none() => continue,
                (_, "checkbox" | "radio") => e.attr("value").unwrap_or("on").to_string(),
                ("textarea", _) => el.text().collect(),
                ("select", _) => {
                    let opt = Selector::parse("option").ok()?;
                    let mut opts = el.select(&opt);
                    let chosen = el
                        .select(&opt)
                        .find(|o| o.value().attr("selected").is_some())
                        .or_else(|| opts.next());
                    chosen
                        .map(|o| {
                            o.value()
                                .attr("value")
                                .map_or_else(|| o.text().collect(), str::to_string)
                        })
                        .unwrap_or_default()
                }
                _ => e.attr("value").unwrap_or("").to_string(),
            };
            fields.push((name.to_string(), value));
        }
        let action = form
            .value()
            .attr("action")
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .and_then(|a| page.join(a).ok())
            .unwrap_or_else(|| page.clone());
        let method = form
            .value()
            .attr("method")
            .unwrap_or("get")
            .to_ascii_uppercase();
        let spec = FormSpec {
            action,
            method,
            fields,
        };
        if named {
            return Some(spec);
        }
        if password && fallback.is_none() {
            fallback = Some(spec);
        }
    }
    fallback
}

/// Whether a page shows a password input (a login form shown again means not logged in).
pub fn has_password_input(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.contains("type=\"password\"")
        || lower.contains("type='password'")
        || lower.contains("type=password")
}

/// Sends `req` with the jar's cookies, following in-scope redirects and keeping every cookie
/// set on the way (a browser would); returns every response, redirects first.
pub async fn fetch(
    http: &HttpClient,
    jar: &mut Jar,
    req: Request,
) -> Result<Vec<Response>, NetError> {
    let mut current = Request {
        follow_redirects: false,
        ..req
    };
    let mut chain = Vec::new();
    loop {
        let mut r = current.clone();
        if let Some(h) = jar.header(&r.url) {
            r.headers.push(("cookie".into(), h));
        }
        let ex = http.send(r).await?;
        let resp = ex.response;
        jar.absorb(&resp);
        let next = (300..400)
            .contains(&resp.status)
            .then(|| resp.header("location"))
            .flatten()
            .and_then(|l| resp.url.join(l.trim()).ok())
            .filter(|u| http.scope().allows(u));
        let status = resp.status;
        chain.push(resp);
        let Some(next) = next else {
            return Ok(chain);
        };
        if chain.len() > MAX_HOPS {
            return Ok(chain);
        }
        if matches!(status, 301..=303) {
            current.method = reqwest::Method::GET;
            current.body = None;
            current
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        }
        current.url = next;
    }
}

/// Logs in with `recipe` and returns the session.
pub async fn login(ctx: &Context, recipe: &Recipe) -> Result<Session, LoginError> {
    login_with(&ctx.http, recipe).await
}

/// Logs in with `recipe` through `http`.
pub async fn login_with(http: &HttpClient, recipe: &Recipe) -> Result<Session, LoginError> {
    if let Some(page) = &recipe.json_page {
        return json_login(http, page, recipe).await;
    }
    let mut jar = Jar::default();
    let mut seen = fetch(http, &mut jar, Request::get(recipe.url.clone())).await?;
    let before = jar.clone();
    let Some(page) = seen.last().cloned() else {
        return Err(LoginError::NoForm {
            url: recipe.url.to_string(),
            field: recipe.password_field.clone(),
        });
    };
    let Some(mut form) = find_form(&page.url, &page.text(), &recipe.password_field) else {
        return Err(LoginError::NoForm {
            url: recipe.url.to_string(),
            field: recipe.password_field.clone(),
        });
    };
    for (name, value) in [
        (&recipe.username_field, &recipe.username),
        (&recipe.password_field, &recipe.password),
    ] {
        match form.fields.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = value.clone(),
            None => form.fields.push((name.clone(), value.clone())),
        }
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.fields.iter())
        .finish();
    let req = if form.method == "GET" {
        let mut u = form.action.clone();
        u.set_query(Some(&encoded));
        Request::get(u)
    } else {
        // As a browser submits it: CSRF middleware checks Origin/Referer and double-submit tokens.
        let mut headers = super::browser::headers(&page.url, &page.text(), &jar);
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        Request {
            method: reqwest::Method::POST,
            url: form.action.clone(),
            headers,
            body: Some(encoded.into_bytes()),
            follow_redirects: false,
        }
    };
    let chain = fetch(http, &mut jar, req).await?;
    seen.extend(chain);
    let Some(last) = seen.last().cloned() else {
        return Err(rejected(recipe, "tanpa jawaban", "no answer"));
    };
    let text = last.text();
    if last.status >= 400 {
        return Err(rejected(
            recipe,
            &format!("server menjawab {}", last.status),
            &format!("the server answered {}", last.status),
        ));
    }
    match &recipe.success_marker {
        Some(m) if !text.contains(m.as_str()) => {
            return Err(rejected(
                recipe,
                &format!("teks penanda '{m}' tidak muncul setelah login"),
                &format!("the success marker '{m}' did not appear after login"),
            ));
        }
        Some(_) => {}
        None if has_password_input(&text) => {
            return Err(rejected(
                recipe,
                "formulir login ditampilkan kembali (kredensial ditolak?)",
                "the login form was shown again (credentials refused?)",
            ));
        }
        None => {}
    }
    Ok(Session {
        before,
        jar,
        landed: last.url.clone(),
        page: last,
        chain: seen,
        headers: Vec::new(),
    })
}

/// A JSON login as the application's script performs it: the page first (it may set the
/// double-submit CSRF cookie or meta token the call must echo), then `POST url` with the
/// credentials as a JSON document and a browser's headers. The logged-in check is left to the
/// caller: the answer is a JSON document, not a page showing the marker.
pub async fn json_login(
    http: &HttpClient,
    page: &Url,
    recipe: &Recipe,
) -> Result<Session, LoginError> {
    let mut jar = Jar::default();
    let mut seen = fetch(http, &mut jar, Request::get(page.clone())).await?;
    let before = jar.clone();
    let (shell, html) = seen
        .last()
        .map(|r| (r.url.clone(), r.text().into_owned()))
        .unwrap_or_else(|| (page.clone(), String::new()));
    let body = serde_json::json!({
        recipe.username_field.as_str(): recipe.username,
        recipe.password_field.as_str(): recipe.password,
    });
    let mut headers = super::browser::headers(&shell, &html, &jar);
    headers.push(("content-type".into(), "application/json".into()));
    headers.push(("accept".into(), "application/json".into()));
    let req = Request {
        method: reqwest::Method::POST,
        url: recipe.url.clone(),
        headers,
        body: Some(body.to_string().into_bytes()),
        follow_redirects: false,
    };
    let chain = fetch(http, &mut jar, req).await?;
    seen.extend(chain);
    let Some(last) = seen.last().cloned() else {
        return Err(rejected(recipe, "tanpa jawaban", "no answer"));
    };
    if last.status >= 400 {
        return Err(rejected(
            recipe,
            &format!("endpoint login menjawab {}", last.status),
            &format!("the login endpoint answered {}", last.status),
        ));
    }
    let headers = match &recipe.token_pointer {
        Some(pointer) => vec![("authorization".into(), bearer(recipe, &last, pointer)?)],
        None => Vec::new(),
    };
    Ok(Session {
        before,
        jar,
        landed: last.url.clone(),
        page: last,
        chain: seen,
        headers,
    })
}

/// `Bearer <token>` from the JSON answer of a token login, at `pointer`.
fn bearer(recipe: &Recipe, answer: &Response, pointer: &str) -> Result<String, LoginError> {
    let doc: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|e| {
        rejected(
            recipe,
            &format!("jawaban login bukan JSON: {e}"),
            &format!("the login answer is not JSON: {e}"),
        )
    })?;
    doc.pointer(pointer)
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty())
        .map(|t| format!("Bearer {t}"))
        .ok_or_else(|| {
            rejected(
                recipe,
                &format!("token tidak ada di {pointer} pada jawaban login"),
                &format!("no token at {pointer} in the login answer"),
            )
        })
}

fn rejected(recipe: &Recipe, id: &str, en: &str) -> LoginError {
    LoginError::Rejected {
        url: recipe.url.to_string(),
        why_id: format!("login akun '{}' gagal: {id}", recipe.role),
        why_en: format!("login of account '{}' failed: {en}", recipe.role),
    }
}

/// The page that proves a session is logged in.
pub fn protected_url(recipe: &Recipe, session: &Session) -> Url {
    recipe
        .protected_url
        .clone()
        .unwrap_or_else(|| session.landed.clone())
}

/// Whether `jar` (with `headers`, a bearer token) is still logged in: the protected page answers 200 without sending the client
/// to the login page (nor showing a login form), and shows the success marker when one is set.
/// The jar is not updated, so a replay never refreshes the session it tests.
pub async fn authenticated(
    ctx: &Context,
    recipe: &Recipe,
    jar: &Jar,
    headers: &[(String, String)],
    protected: &Url,
) -> Result<(bool, Response), NetError> {
    let mut probe = jar.clone();
    let req = Request {
        headers: headers.to_vec(),
        ..Request::get(protected.clone())
    };
    let chain = fetch(&ctx.http, &mut probe, req).await?;
    let Some(last) = chain.last().cloned() else {
        return Err(NetError::Http {
            url: protected.to_string(),
            detail: "no response".into(),
        });
    };
    let to_login =
        chain.iter().any(|r| same_page(&r.url, &recipe.url)) && !same_page(protected, &recipe.url);
    let text = last.text();
    let ok = last.status == 200
        && !to_login
        && !has_password_input(&text)
        && recipe
            .success_marker
            .as_deref()
            .is_none_or(|m| text.contains(m));
    Ok((ok, last))
}

/// Same scheme, host, port and path (the query is ignored).
pub fn same_page(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
}

/// Scripts of the application page read for a logout endpoint.
const MAX_LOGOUT_SCRIPTS: usize = 5;

/// The logout endpoint a single-page application's own page or same-origin scripts name (its
/// front end calls it with `POST`, as `fetch(url, {method: "POST"})`): the first named path
/// whose last segments say logout. `None` when nothing names one.
pub async fn find_script_logout(http: &HttpClient, page: &Url) -> Option<FormSpec> {
    let mut jar = Jar::default();
    let shell = fetch(http, &mut jar, Request::get(page.clone()))
        .await
        .ok()?
        .pop()?;
    let html = shell.text().into_owned();
    if let Some(f) = find_logout(&shell.url, &html) {
        return Some(f);
    }
    let mut texts = vec![html.clone()];
    let scripts = crate::crawl::extract::extract(&shell.url, &html).scripts;
    for s in scripts
        .into_iter()
        .filter(|s| s.origin() == shell.url.origin())
        .take(MAX_LOGOUT_SCRIPTS)
    {
        if let Ok(r) = http.get(&s).await {
            texts.push(r.response.text().into_owned());
        }
    }
    texts
        .iter()
        .flat_map(|t| crate::crawl::textual::named_urls(&shell.url, t))
        .find(|u| is_logout_path(u.path()))
        .map(|action| FormSpec {
            action,
            method: "POST".into(),
            fields: Vec::new(),
        })
}

/// Whether a path names a logout route (`/api/auth/logout`, `/keluar`, `/sign-out`), by its
/// last segment (pure).
pub fn is_logout_path(path: &str) -> bool {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "logout"
            | "log-out"
            | "signout"
            | "sign-out"
            | "sign_out"
            | "log_out"
            | "keluar"
            | "logoff"
    )
}

/// Whether a text or URL says "log out" in so many words: whole words, so that "keluarga"
/// (family) or "blogout" never do (pure).
pub fn says_logout(s: &str) -> bool {
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let single = ["logout", "signout", "keluar", "logoff"];
    words.iter().any(|w| single.contains(w))
        || words
            .windows(2)
            .any(|p| matches!((p[0], p[1]), ("log" | "sign", "out") | ("log", "off")))
}

/// A logout link or form on a logged-in page: where, how, and the form's fields (its CSRF
/// token among them).
pub fn find_logout(page: &Url, html: &str) -> Option<FormSpec> {
    let doc = crate::crawl::html::parse(html);
    let matches = |s: &str| says_logout(s);
    if let Ok(sel) = Selector::parse("form") {
        for f in doc.select(&sel) {
            let action = f.value().attr("action").unwrap_or("");
            let text: String = f.text().collect();
            let button = Selector::parse("button, input[type=submit]")
                .ok()
                .and_then(|b| f.select(&b).next())
                .map(|b| {
                    format!(
                        "{} {}",
                        b.value().attr("value").unwrap_or(""),
                        b.inner_html()
                    )
                });
            if (matches(action) || matches(&text) || button.is_some_and(|b| matches(&b)))
                && let Ok(u) = page.join(action)
            {
                let method = f
                    .value()
                    .attr("method")
                    .unwrap_or("get")
                    .to_ascii_uppercase();
                return Some(FormSpec {
                    action: u,
                    method,
                    fields: hidden_fields(f),
                });
            }
        }
    }
    if let Ok(sel) = Selector::parse("a[href]") {
        for a in doc.select(&sel) {
            let href = a.value().attr("href").unwrap_or("");
            let text: String = a.text().collect();
            if (matches(href) || matches(&text))
                && let Ok(u) = page.join(href)
            {
                return Some(FormSpec {
                    action: u,
                    method: "GET".into(),
                    fields: Vec::new(),
                });
            }
        }
    }
    None
}

/// The named `input` controls of a form with their values (hidden CSRF tokens and the like).
fn hidden_fields(form: scraper::ElementRef<'_>) -> Vec<(String, String)> {
    let Ok(inputs) = Selector::parse("input[name]") else {
        return Vec::new();
    };
    form.select(&inputs)
        .filter(|i| {
            !matches!(
                i.value()
                    .attr("type")
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("submit" | "button" | "image" | "reset" | "file" | "checkbox" | "radio")
            )
        })
        .filter_map(|i| {
            let v = i.value();
            Some((
                v.attr("name")?.to_string(),
                v.attr("value").unwrap_or("").to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://app.example.go.id/auth/login").expect("url")
    }

    #[test]
    fn logout_is_recognised_by_whole_words_only() {
        for yes in [
            "/keluar/",
            "Log out",
            "sign-out",
            "/api/auth/logout",
            "Keluar",
        ] {
            assert!(says_logout(yes), "{yes}");
        }
        for no in [
            "Cuti untuk keperluan keluarga",
            "/blogout",
            "/catalog/outlet",
            "keluaran",
        ] {
            assert!(!says_logout(no), "{no}");
        }
        let html = "<a href='/cuti/11/'>Cuti untuk keluarga</a> <a href='/keluar/'>Keluar</a>";
        let found = find_logout(&page(), html).expect("logout link");
        assert_eq!(found.action.path(), "/keluar/");
        assert!(is_logout_path("/api/auth/logout") && !is_logout_path("/api/keluarga"));
    }

    #[test]
    fn form_with_hidden_csrf_field_is_found() {
        let html = r#"<form action="/search"><input name="q"></form>
<form method="post" action="masuk">
<input type="hidden" name="_token" value="c5rf">
<input name="nip"><input type="password" name="sandi">
<input type="checkbox" name="ingat" value="1">
<input type="checkbox" name="setuju" checked>
<select name="unit"><option value="a">A</option><option value="b" selected>B</option></select>
<button type="submit">Masuk</button></form>"#;
        let f = find_form(&page(), html, "sandi").expect("form");
        assert_eq!(f.action.as_str(), "https://app.example.go.id/auth/masuk");
        assert_eq!(f.method, "POST");
        assert_eq!(
            f.fields,
            vec![
                ("_token".into(), "c5rf".into()),
                ("nip".into(), String::new()),
                ("sandi".into(), String::new()),
                ("setuju".into(), "on".into()),
                ("unit".into(), "b".into()),
            ]
        );
        assert!(find_form(&page(), "<p>no form</p>", "sandi").is_none());
    }

    #[test]
    fn jar_follows_set_cookie_and_deletion() {
        let mut r = Response {
            method: "GET".into(),
            url: page(),
            status: 200,
            headers: vec![
                ("set-cookie".into(), "SID=abc; Path=/".into()),
                ("set-cookie".into(), "lang=id".into()),
            ],
            body: Vec::new(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        };
        let mut jar = Jar::default();
        jar.absorb(&r);
        assert_eq!(jar.header(&page()).as_deref(), Some("SID=abc; lang=id"));
        r.headers = vec![("set-cookie".into(), "SID=; Max-Age=0".into())];
        jar.absorb(&r);
        assert_eq!(jar.get("SID"), None);
        assert_eq!(jar.header(&page()).as_deref(), Some("lang=id"));
        r.headers = vec![("set-cookie".into(), "__Host-S=x; Secure; Path=/".into())];
        jar.absorb(&r);
        let plain = Url::parse("http://app.example.go.id/").expect("url");
        assert_eq!(jar.header(&plain).as_deref(), Some("lang=id"));
        assert_eq!(jar.header(&page()).as_deref(), Some("lang=id; __Host-S=x"));
    }

    #[test]
    fn logout_is_found_by_form_or_link() {
        let html = r#"<a href="/profil">Profil</a><form method="post" action="/logout"><button>Keluar</button></form>"#;
        let f = find_logout(&page(), html).expect("logout");
        assert_eq!((f.action.path(), f.method.as_str()), ("/logout", "POST"));
        let html = r#"<a href="/keluar.php">Keluar</a>"#;
        assert_eq!(
            find_logout(&page(), html)
                .map(|f| f.action.path().to_string())
                .as_deref(),
            Some("/keluar.php")
        );
        // Django-style: the CSRF token travels in the logout form.
        let html = r#"<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="t0k"><button type="submit">Log out</button></form>"#;
        let f = find_logout(&page(), html).expect("logout form");
        assert_eq!(
            f.fields,
            vec![("csrfmiddlewaretoken".to_string(), "t0k".to_string())]
        );
        assert!(find_logout(&page(), "<a href='/x'>x</a>").is_none());
    }

    #[test]
    fn login_page_detection() {
        assert!(has_password_input("<input TYPE=\"password\" name=p>"));
        assert!(!has_password_input("<p>Dasbor</p>"));
        let a = Url::parse("https://a.example.go.id/login?next=/").expect("u");
        let b = Url::parse("https://a.example.go.id/login/").expect("u");
        assert!(same_page(&a, &b));
    }
}
