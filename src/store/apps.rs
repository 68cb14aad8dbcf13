//! Registered applications and their agencies.

use super::{Store, StoreError, in_write_tx, on};
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

/// A registered application.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct App {
    /// Id.
    pub id: i64,
    /// Unique name, e.g. "SIMPEG".
    pub name: String,
    /// Base URL.
    pub url: String,
    /// Owning agency (Perangkat Daerah).
    pub agency: String,
    /// Owner contact.
    pub owner: String,
    /// Crontab schedule, if scheduled.
    pub schedule: Option<String>,
    /// IANA time zone of the schedule.
    pub timezone: String,
    /// Requests per second for this application (None = default).
    pub rate_limit: Option<f64>,
    /// Extra in-scope hosts.
    pub scope_hosts: Vec<String>,
    /// Serves the public.
    pub public_service: bool,
    /// Holds personal data.
    pub personal_data: bool,
    /// Tests may send state-changing requests (POST forms, request bodies).
    pub allow_unsafe_methods: bool,
    /// Paths only some roles may open (tested by the access-control check).
    #[schemars(with = "Vec<serde_json::Value>")]
    pub protected: Vec<kawal_access::Protected>,
    /// Extra CA certificates (PEM text) trusted for this application, e.g. a government CA.
    pub ca_bundle: Option<String>,
    /// Evaluate despite an invalid certificate (the TLS items still report it).
    pub insecure: bool,
    /// Registered at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    /// Last changed at.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub updated_at: OffsetDateTime,
}

/// Fields of a new application.
#[derive(Debug, Clone, Default)]
pub struct NewApp {
    /// Unique name.
    pub name: String,
    /// Base URL (validated by the caller).
    pub url: String,
    /// Agency name; created when new.
    pub agency: String,
    /// Owner contact.
    pub owner: String,
    /// Crontab schedule (validated by the caller).
    pub schedule: Option<String>,
    /// Time zone.
    pub timezone: String,
    /// Rate limit.
    pub rate_limit: Option<f64>,
    /// Extra scope hosts.
    pub scope_hosts: Vec<String>,
    /// Public service.
    pub public_service: bool,
    /// Personal data.
    pub personal_data: bool,
    /// State-changing test requests allowed.
    pub allow_unsafe_methods: bool,
    /// Extra CA certificates (PEM text, validated by the caller).
    pub ca_bundle: Option<String>,
    /// Evaluate despite an invalid certificate.
    pub insecure: bool,
}

/// Changes to an application; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AppPatch {
    /// New name.
    pub name: Option<String>,
    /// New URL.
    pub url: Option<String>,
    /// New agency.
    pub agency: Option<String>,
    /// New owner.
    pub owner: Option<String>,
    /// New schedule; `Some(None)` removes it.
    pub schedule: Option<Option<String>>,
    /// New time zone.
    pub timezone: Option<String>,
    /// New rate limit; `Some(None)` resets to default.
    pub rate_limit: Option<Option<f64>>,
    /// New scope hosts.
    pub scope_hosts: Option<Vec<String>>,
    /// Public service.
    pub public_service: Option<bool>,
    /// Personal data.
    pub personal_data: Option<bool>,
    /// State-changing test requests allowed.
    pub allow_unsafe_methods: Option<bool>,
    /// New CA bundle; `Some(None)` removes it.
    pub ca_bundle: Option<Option<String>>,
    /// Evaluate despite an invalid certificate.
    pub insecure: Option<bool>,
}

pub(super) const SELECT_APP: &str = "SELECT a.id, a.name, a.url, g.name AS agency, a.owner, a.schedule, a.timezone, a.rate_limit, a.scope_hosts, a.public_service, a.personal_data, a.allow_unsafe_methods, a.protected_paths, a.ca_bundle, a.insecure, a.created_at, a.updated_at FROM application a JOIN agency g ON g.id = a.agency_id";

macro_rules! app_from_row {
    ($r:expr) => {{
        let r = $r;
        let hosts: String = r.try_get("scope_hosts")?;
        App {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            url: r.try_get("url")?,
            agency: r.try_get("agency")?,
            owner: r.try_get("owner")?,
            schedule: r.try_get("schedule")?,
            timezone: r.try_get("timezone")?,
            rate_limit: r.try_get("rate_limit")?,
            scope_hosts: serde_json::from_str(&hosts)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            public_service: r.try_get("public_service")?,
            personal_data: r.try_get("personal_data")?,
            allow_unsafe_methods: r.try_get("allow_unsafe_methods")?,
            protected: serde_json::from_str(&r.try_get::<String, _>("protected_paths")?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ca_bundle: r.try_get("ca_bundle")?,
            insecure: r.try_get("insecure")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        }
    }};
}

pub(super) use app_from_row;

/// How a user named an application: by id or by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKey<'a> {
    /// `12` or `#12`.
    Id(i64),
    /// Anything else.
    Name(&'a str),
}

impl<'a> AppKey<'a> {
    /// Digits, optionally after `#`, are an id; everything else is a name.
    pub fn parse(key: &'a str) -> AppKey<'a> {
        let key = key.trim();
        let digits = key.strip_prefix('#').unwrap_or(key);
        match digits.parse::<i64>() {
            Ok(id) if digits.bytes().all(|b| b.is_ascii_digit()) => AppKey::Id(id),
            _ => AppKey::Name(key),
        }
    }
}

/// Checks an application name: not empty, not an id (digits or `#` and digits), no control
/// characters, at most 100 characters.
pub fn validate_app_name(name: &str) -> Result<(), StoreError> {
    let bad = |why_id: &str, why_en: &str| {
        Err(StoreError::Invalid(format!(
            "nama aplikasi '{name}' tidak sah: {why_id} / invalid application name '{name}': {why_en}"
        )))
    };
    let n = name.trim();
    if n.is_empty() {
        return bad("kosong", "empty");
    }
    if n != name || name.chars().any(char::is_control) {
        return bad(
            "ada spasi di awal/akhir atau karakter kendali",
            "leading/trailing spaces or control characters",
        );
    }
    if matches!(AppKey::parse(n), AppKey::Id(_)) || n.starts_with('#') {
        return bad(
            "nama yang hanya berisi angka tertukar dengan id aplikasi; tambahkan huruf, misalnya 'APP-12'",
            "a purely numeric name is confused with an application id; add letters, e.g. 'APP-12'",
        );
    }
    if n.chars().count() > 100 {
        return bad("lebih dari 100 karakter", "longer than 100 characters");
    }
    Ok(())
}

impl Store {
    /// Replaces the paths only some roles of an application may open.
    pub async fn set_protected(
        &self,
        key: &str,
        protected: &[kawal_access::Protected],
    ) -> Result<App, StoreError> {
        let app = self.app(key).await?;
        let json =
            serde_json::to_string(protected).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE application SET protected_paths = $1, updated_at = $2 WHERE id = $3")
                .bind(&json).bind(now).bind(app.id).execute(&mut *tx).await?;
        });
        self.app_by_id(app.id).await
    }

    /// Registers an application (and its agency, if new).
    pub async fn add_app(&self, a: &NewApp) -> Result<App, StoreError> {
        if self.find_app(&a.name).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "aplikasi '{}' sudah terdaftar / application '{}' is already registered",
                a.name, a.name
            )));
        }
        self.add_apps(std::slice::from_ref(a)).await?;
        self.app(&a.name).await
    }

    /// Registers many applications in one transaction (an import); names must be new.
    pub async fn add_apps(&self, apps: &[NewApp]) -> Result<usize, StoreError> {
        for a in apps {
            validate_app_name(&a.name)?;
        }
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
                        let mut agencies: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
            for a in apps {
                let agency_id = match agencies.get(a.agency.as_str()) {
                    Some(id) => *id,
                    None => {
                        sqlx::query("INSERT INTO agency (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                            .bind(&a.agency).bind(now).execute(&mut *tx).await?;
                        let id: i64 = sqlx::query("SELECT id FROM agency WHERE name = $1")
                            .bind(&a.agency).fetch_one(&mut *tx).await?.try_get("id")?;
                        agencies.insert(&a.agency, id);
                        id
                    }
                };
                let hosts = serde_json::to_string(&a.scope_hosts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query("INSERT INTO application (name, url, agency_id, owner, schedule, timezone, rate_limit, scope_hosts, public_service, personal_data, allow_unsafe_methods, created_at, updated_at, ca_bundle, insecure) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12,$13,$14)")
                    .bind(&a.name).bind(&a.url).bind(agency_id).bind(&a.owner).bind(&a.schedule)
                    .bind(&a.timezone).bind(a.rate_limit).bind(&hosts).bind(a.public_service).bind(a.personal_data).bind(a.allow_unsafe_methods).bind(now)
                    .bind(&a.ca_bundle).bind(a.insecure)
                    .execute(&mut *tx).await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!("application '{}' is already registered", a.name)),
                        _ => StoreError::Db(e),
                    })?;
            }
        });
        Ok(apps.len())
    }

    /// Finds an application by key: digits (or `#` and digits) are an id, anything else a name
    /// (case-insensitive). Names are never purely numeric, so a key means one thing only.
    pub async fn find_app(&self, key: &str) -> Result<Option<App>, StoreError> {
        match AppKey::parse(key) {
            AppKey::Id(id) => self.find_app_by_id(id).await,
            AppKey::Name(name) => {
                let sql = concat_sql(SELECT_APP, " WHERE lower(a.name) = lower($1)");
                Ok(on!(self, pool => {
                    match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(pool).await? {
                        Some(r) => Some(app_from_row!(&r)),
                        None => None,
                    }
                }))
            }
        }
    }

    /// Finds an application by id.
    pub async fn find_app_by_id(&self, id: i64) -> Result<Option<App>, StoreError> {
        let sql = concat_sql(SELECT_APP, " WHERE a.id = $1");
        Ok(on!(self, pool => {
            match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(app_from_row!(&r)),
                None => None,
            }
        }))
    }

    /// An application that must exist, by id.
    pub async fn app_by_id(&self, id: i64) -> Result<App, StoreError> {
        self.find_app_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "aplikasi/application",
                name: format!("#{id}"),
            })
    }

    /// An application that must exist.
    pub async fn app(&self, key: &str) -> Result<App, StoreError> {
        self.find_app(key)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "aplikasi/application",
                name: key.to_string(),
            })
    }

    /// Every application, by agency then name.
    pub async fn list_apps(&self) -> Result<Vec<App>, StoreError> {
        let sql = concat_sql(SELECT_APP, " ORDER BY g.name, a.name");
        on!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(app_from_row!(r))).collect()
        })
    }

    /// Applies a patch in one transaction.
    pub async fn edit_app(&self, key: &str, p: &AppPatch) -> Result<App, StoreError> {
        let cur = self.app(key).await?;
        if let Some(n) = &p.name {
            validate_app_name(n)?;
        }
        if let Some(n) = &p.name
            && !n.eq_ignore_ascii_case(&cur.name)
            && self.find_app(n).await?.is_some()
        {
            return Err(StoreError::Conflict(format!(
                "aplikasi '{n}' sudah ada / application '{n}' already exists"
            )));
        }
        let name = p.name.clone().unwrap_or(cur.name);
        let url = p.url.clone().unwrap_or(cur.url);
        let agency = p.agency.clone().unwrap_or(cur.agency);
        let owner = p.owner.clone().unwrap_or(cur.owner);
        let schedule = p.schedule.clone().unwrap_or(cur.schedule.clone());
        let timezone = p.timezone.clone().unwrap_or(cur.timezone.clone());
        let reschedule = schedule != cur.schedule || timezone != cur.timezone;
        let rate = p.rate_limit.unwrap_or(cur.rate_limit);
        let hosts = serde_json::to_string(p.scope_hosts.as_ref().unwrap_or(&cur.scope_hosts))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let public = p.public_service.unwrap_or(cur.public_service);
        let personal = p.personal_data.unwrap_or(cur.personal_data);
        let unsafe_methods = p.allow_unsafe_methods.unwrap_or(cur.allow_unsafe_methods);
        let ca_bundle = p.ca_bundle.clone().unwrap_or(cur.ca_bundle.clone());
        let insecure = p.insecure.unwrap_or(cur.insecure);
        let now = OffsetDateTime::now_utc();
        in_write_tx!(self, tx => {
                        sqlx::query("INSERT INTO agency (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(&agency).bind(now).execute(&mut *tx).await?;
            let agency_id: i64 = sqlx::query("SELECT id FROM agency WHERE name = $1")
                .bind(&agency).fetch_one(&mut *tx).await?.try_get("id")?;
            sqlx::query("UPDATE application SET name=$1, url=$2, agency_id=$3, owner=$4, schedule=$5, timezone=$6, rate_limit=$7, scope_hosts=$8, public_service=$9, personal_data=$10, allow_unsafe_methods=$11, updated_at=$12, ca_bundle=$14, insecure=$15 WHERE id=$13")
                .bind(&name).bind(&url).bind(agency_id).bind(&owner).bind(&schedule).bind(&timezone)
                .bind(rate).bind(&hosts).bind(public).bind(personal).bind(unsafe_methods).bind(now).bind(cur.id)
                .bind(&ca_bundle).bind(insecure)
                .execute(&mut *tx).await?;
            if reschedule {
                // The scheduler computes the next run from the new schedule.
                sqlx::query("UPDATE application SET next_run_at = NULL WHERE id = $1").bind(cur.id).execute(&mut *tx).await?;
            }
        });
        self.app_by_id(cur.id).await
    }

    /// Removes an application; with evaluations on record it needs `force` (they are removed too).
    pub async fn remove_app(&self, key: &str, force: bool) -> Result<u64, StoreError> {
        let app = self.app(key).await?;
        let evals = self.list_evaluations(Some(app.id)).await?.len() as u64;
        if evals > 0 && !force {
            return Err(StoreError::Conflict(format!(
                "aplikasi '{}' memiliki {evals} evaluasi tersimpan; gunakan --force untuk menghapus beserta riwayatnya / application '{}' has {evals} stored evaluations; use --force to remove it with its history",
                app.name, app.name
            )));
        }
        in_write_tx!(self, tx => {
            sqlx::query("DELETE FROM application WHERE id = $1").bind(app.id).execute(&mut *tx).await?;
        });
        Ok(evals)
    }
}

/// Joins constant SQL fragments (never user input).
fn concat_sql(a: &str, b: &str) -> String {
    format!("{a}{b}")
}
