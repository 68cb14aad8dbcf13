//! The `kawal.toml` role registrations of the real-framework test applications (an
//! administrator and two ordinary users each); `BASE/` stands for the application's URL.

/// The Flask portal's roles: two form logins and one JSON login setting the session cookie.
pub const PORTAL_ROLES: &str = r#"
[access]
protected = [{ pattern = "/api/admin/*", allowed = ["admin"] }]

[[role]]
name = "admin"
privilege = 100
recipe = { kind = "form", url = "BASE/masuk", username = "admin", password = "Admin#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "budi"
privilege = 10
recipe = { kind = "form", url = "BASE/masuk", username = "budi", password = "Budi#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "siti"
privilege = 10
recipe = { kind = "json", url = "BASE/api/masuk", username = "siti", password = "Siti#2026", token_pointer = "" }
marker = { url = "BASE/dasbor", text = "Masuk sebagai" }
"#;

/// The Express application's roles: two JSON logins setting the session cookie, one JSON login
/// handing out a bearer token.
pub const EXPRESS_ROLES: &str = r#"
[access]
protected = [{ pattern = "/api/admin/*", allowed = ["admin"] }]

[[role]]
name = "admin"
privilege = 100
recipe = { kind = "json", url = "BASE/api/auth/login", username = "admin", password = "Admin#2026", token_pointer = "" }
marker = { url = "BASE/api/auth/me", text = "\"username\":\"admin\"" }

[[role]]
name = "budi"
privilege = 10
recipe = { kind = "json", url = "BASE/api/auth/login", username = "budi", password = "Budi#2026", token_pointer = "" }
marker = { url = "BASE/api/auth/me", text = "\"username\":\"budi\"" }

[[role]]
name = "siti"
privilege = 10
recipe = { kind = "json", url = "BASE/api/auth/token", username = "siti", password = "Siti#2026", token_pointer = "/data/access_token" }
marker = { url = "BASE/api/auth/me", text = "\"username\":\"siti\"" }
"#;

/// The Django application's roles: three form logins behind Django's CSRF protection.
pub const DJANGO_ROLES: &str = r#"
[access]
protected = [{ pattern = "/kelola/*", allowed = ["admin"] }]

[[role]]
name = "admin"
privilege = 100
recipe = { kind = "form", url = "BASE/masuk/", username = "admin", password = "Admin#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "budi"
privilege = 10
recipe = { kind = "form", url = "BASE/masuk/", username = "budi", password = "Budi#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "siti"
privilege = 10
recipe = { kind = "form", url = "BASE/masuk/", username = "siti", password = "Siti#2026" }
marker = { text = "Masuk sebagai" }
"#;

/// The PHP application's roles: three form logins.
pub const PHP_ROLES: &str = r#"
[access]
protected = [{ pattern = "/admin/*", allowed = ["admin"] }]

[[role]]
name = "admin"
privilege = 100
recipe = { kind = "form", url = "BASE/login.php", username = "admin", password = "Admin#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "budi"
privilege = 10
recipe = { kind = "form", url = "BASE/login.php", username = "budi", password = "Budi#2026" }
marker = { text = "Masuk sebagai" }

[[role]]
name = "siti"
privilege = 10
recipe = { kind = "form", url = "BASE/login.php", username = "siti", password = "Siti#2026" }
marker = { text = "Masuk sebagai" }
"#;
