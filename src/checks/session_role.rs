//! Which account the session checks log in as.
//!
//! The application's registered roles come first: the role `[session] role` names, else the
//! lowest-privilege one (ties by name), so scheduled evaluations of many applications each log
//! in as their own test user. The single global `[login]` table is only a fallback for
//! `kawal scan` of an application without roles.

use super::login::{self, Recipe};
use super::{CheckOptions, Context};
use crate::auth::{self, AuthSession, Role};
use crate::i18n::Text;
use url::Url;

/// The roles ordered from the lowest privilege up (ties by name).
pub fn lowest_first(roles: &[Role]) -> Vec<&Role> {
    let mut v: Vec<&Role> = roles.iter().collect();
    v.sort_by(|a, b| a.privilege.cmp(&b.privilege).then(a.name.cmp(&b.name)));
    v
}

/// The role the session checks use: the one named by `[session] role`, else the lowest
/// privilege; `Ok(None)` when no role is registered (pure).
pub fn pick<'a>(roles: &'a [Role], wanted: Option<&str>) -> Result<Option<&'a Role>, Text> {
    match wanted {
        Some(w) => roles.iter().find(|r| r.name == w).map(Some).ok_or_else(|| {
            let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            let known = if known.is_empty() {
                "-".to_string()
            } else {
                known.join(", ")
            };
            Text::new(
                format!(
                    "Peran '{w}' yang disebut [session] role tidak terdaftar untuk aplikasi ini (terdaftar: {known}); perbaiki kawal.toml atau daftarkan perannya."
                ),
                format!(
                    "The role '{w}' named by [session] role is not registered for this application (registered: {known}); fix kawal.toml or register the role."
                ),
            )
        }),
        None => Ok(lowest_first(roles).into_iter().next()),
    }
}

/// Whether logging a role in yields a fresh session each time (form and JSON logins do; a
/// fixed cookie, header or Basic credential does not).
pub fn mints_sessions(role: &Role) -> bool {
    matches!(
        role.recipe,
        auth::Recipe::Form { .. } | auth::Recipe::Json { .. }
    )
}

/// The login recipe of a role for the session tests, resolved against the application's URL:
/// a form login, or a JSON login whose answer sets the session cookie or hands out a bearer
/// token (fixed credentials mint no session to test).
pub fn form_recipe(role: &Role, base: &Url) -> Option<Recipe> {
    let (url, username_field, password_field, username, password, json) = match &role.recipe {
        auth::Recipe::Form {
            url,
            username_field,
            password_field,
            username,
            password,
        } => (
            url,
            username_field,
            password_field,
            username,
            password,
            None,
        ),
        auth::Recipe::Json {
            url,
            username_field,
            password_field,
            username,
            password,
            token_pointer,
        } => (
            url,
            username_field,
            password_field,
            username,
            password,
            Some(Some(token_pointer.clone()).filter(|p| !p.is_empty())),
        ),
        _ => return None,
    };
    Some(Recipe {
        role: role.name.clone(),
        url: base.join(url).ok()?,
        username_field: username_field.clone(),
        password_field: password_field.clone(),
        username: username.clone(),
        password: password.clone(),
        success_marker: role.marker.text.clone().filter(|t| !t.is_empty()),
        protected_url: role.marker.url.as_deref().and_then(|u| base.join(u).ok()),
        logout_url: None,
        json_page: json.as_ref().map(|_| base.clone()),
        token_pointer: json.flatten(),
    })
}

/// The form login of the session-lifecycle tests: the chosen registered role, else `[login]`;
/// the reason when there is none.
pub fn lifecycle_recipe(opts: &CheckOptions, base: &Url) -> Result<Recipe, Text> {
    let roles = &opts.access.roles;
    let chosen = pick(roles, opts.session_role.as_deref())?;
    match (chosen, &opts.login) {
        (Some(role), fallback) => match form_recipe(role, base) {
            Some(r) => Ok(r),
            None => fallback.clone().ok_or_else(|| {
                Text::new(
                    format!(
                        "Peran '{}' tidak login melalui formulir maupun login JSON, sedangkan pengujian siklus sesi memerlukan salah satunya; sebutkan peran demikian dengan [session] role, atau atur [login].",
                        role.name
                    ),
                    format!(
                        "Role '{}' logs in neither through a form nor through a JSON login, and the session-lifecycle tests need one of them; name such a role with [session] role, or set [login].",
                        role.name
                    ),
                )
            }),
        },
        (None, Some(r)) => Ok(r.clone()),
        (None, None) => Err(Text::new(
            "Tidak ada peran terdaftar maupun resep [login]: daftarkan akun uji dengan `kawal app auth add` atau [[role]], atau konfigurasikan [login] di kawal.toml (url, username_field, password_field, username, password) agar butir ini dapat diuji.",
            "No registered role and no [login] recipe: register a test account with `kawal app auth add` or [[role]], or configure [login] in kawal.toml (url, username_field, password_field, username, password) so this item can be tested.",
        )),
    }
}

/// The role whose repeated logins may supply session-token samples: the chosen role when it
/// mints sessions, else the lowest-privilege role that does; none when `[session]
/// login_samples` is 0.
pub fn sampling_role(opts: &CheckOptions) -> Option<&Role> {
    if opts.login_samples == 0 {
        return None;
    }
    let roles = &opts.access.roles;
    match pick(roles, opts.session_role.as_deref()) {
        Ok(Some(r)) if mints_sessions(r) => Some(r),
        Ok(Some(_)) | Ok(None) => lowest_first(roles).into_iter().find(|r| mints_sessions(r)),
        Err(_) => None,
    }
}

/// A logged-in role, or why it could not log in.
pub type RoleLogin = (String, Result<AuthSession, auth::AuthError>);

/// Logs every registered role in once (lowest privilege first), or the `[login]` recipe when
/// there are no roles; each session keeps the responses of its login.
pub async fn log_in_all(ctx: &Context) -> Vec<RoleLogin> {
    let mut out = Vec::new();
    for role in lowest_first(&ctx.options.access.roles) {
        let s = auth::login(&ctx.http, &ctx.target, role).await;
        out.push((role.name.clone(), s));
    }
    if out.is_empty()
        && let Some(recipe) = &ctx.options.login
    {
        let s = login::login(ctx, recipe).await.map(|s| AuthSession {
            role: recipe.role.clone(),
            privilege: 0,
            jar: s.jar,
            headers: Vec::new(),
            responses: s.chain,
        });
        let s = s.map_err(|e| auth::AuthError::Rejected {
            role: recipe.role.clone(),
            why_id: e.to_string(),
            why_en: e.to_string(),
        });
        out.push((recipe.role.clone(), s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Marker, Recipe as AuthRecipe};

    fn role(name: &str, privilege: u32, form: bool) -> Role {
        let recipe = if form {
            AuthRecipe::Form {
                url: "/login".into(),
                username_field: "u".into(),
                password_field: "p".into(),
                username: name.into(),
                password: "x".into(),
            }
        } else {
            AuthRecipe::Header {
                name: "x-api-key".into(),
                value: "k".into(),
            }
        };
        Role {
            name: name.into(),
            privilege,
            recipe,
            marker: Marker {
                text: Some("Keluar".into()),
                url: Some("/dasbor".into()),
                ..Marker::default()
            },
        }
    }

    fn base() -> Url {
        Url::parse("https://app.example.go.id/portal/").expect("url")
    }

    #[test]
    fn lowest_privilege_role_is_chosen_unless_one_is_named() {
        let roles = vec![
            role("admin", 100, true),
            role("siti", 10, true),
            role("budi", 10, true),
        ];
        assert_eq!(
            pick(&roles, None).ok().flatten().map(|r| r.name.as_str()),
            Some("budi")
        );
        assert_eq!(
            pick(&roles, Some("admin"))
                .ok()
                .flatten()
                .map(|r| r.name.as_str()),
            Some("admin")
        );
        let e = pick(&roles, Some("tamu")).expect_err("unknown role");
        assert!(
            e.en.contains("tamu") && e.en.contains("admin, siti, budi"),
            "{}",
            e.en
        );
        assert!(pick(&[], None).expect("no roles").is_none());
    }

    #[test]
    fn registered_roles_win_over_the_global_login() {
        let mut opts = CheckOptions::default();
        let global = form_recipe(&role("global", 0, true), &base()).expect("recipe");
        opts.login = Some(Recipe {
            role: "global".into(),
            ..global
        });
        assert_eq!(
            lifecycle_recipe(&opts, &base()).expect("fallback").role,
            "global"
        );
        opts.access.roles = vec![role("admin", 100, true), role("budi", 10, true)];
        let r = lifecycle_recipe(&opts, &base()).expect("role");
        assert_eq!(r.role, "budi");
        assert_eq!(r.url.as_str(), "https://app.example.go.id/login");
        assert_eq!(r.success_marker.as_deref(), Some("Keluar"));
        assert_eq!(
            r.protected_url.as_ref().map(Url::as_str),
            Some("https://app.example.go.id/dasbor")
        );
        // A header-only lowest role falls back to [login], else names the problem.
        opts.access.roles = vec![role("api", 1, false), role("admin", 100, true)];
        assert_eq!(
            lifecycle_recipe(&opts, &base()).expect("fallback").role,
            "global"
        );
        opts.login = None;
        let e = lifecycle_recipe(&opts, &base()).expect_err("no form role");
        assert!(
            e.en.contains("'api'") && e.en.contains("[session] role"),
            "{}",
            e.en
        );
        opts.access.roles.clear();
        let e = lifecycle_recipe(&opts, &base()).expect_err("nothing");
        assert!(e.en.contains("[login]"), "{}", e.en);
    }

    #[test]
    fn sampling_needs_a_role_that_mints_sessions() {
        let mut opts = CheckOptions::default();
        opts.access.roles = vec![role("api", 1, false), role("admin", 100, true)];
        assert_eq!(sampling_role(&opts).map(|r| r.name.as_str()), Some("admin"));
        opts.login_samples = 0;
        assert!(sampling_role(&opts).is_none());
    }
}
