//! Every route of the service in one table: the router, the OpenAPI document and the
//! route × role test are all built from it, so none can drift from the others.

use super::AppState;
use super::api;
use super::workflows as wf;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, login, the API description).
    Public,
    /// Any logged-in user or token.
    Authenticated,
    /// Holders of this permission (see `checklists/roles.toml`).
    Permission(&'static str),
}

/// A parameter of a route.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Name.
    pub name: &'static str,
    /// `path` or `query`.
    pub location: &'static str,
    /// JSON type: `string`, `integer` or `boolean`.
    pub kind: &'static str,
    /// Description.
    pub doc: &'static str,
}

/// One route.
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path with `{param}` segments.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Group in the API description.
    pub tag: &'static str,
    /// One-line summary (English; the Indonesian follows after " / ").
    pub summary: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// Request body schema name, if any.
    pub body: Option<&'static str>,
    /// Response schema name (or `binary` for downloads).
    pub response: &'static str,
    /// Success status.
    pub status: u16,
    /// The handler.
    pub handler: fn() -> MethodRouter<AppState>,
}

const fn p(
    name: &'static str,
    location: &'static str,
    kind: &'static str,
    doc: &'static str,
) -> Param {
    Param {
        name,
        location,
        kind,
        doc,
    }
}

const PAGE: [Param; 2] = [
    p("limit", "query", "integer", "page size, 1–500 (default 50)"),
    p("offset", "query", "integer", "items to skip"),
];
const PG: Param = p("page", "query", "integer", "page number, from 1");
const APP: Param = p("app", "path", "string", "application id or name");
const ID: Param = p("id", "path", "integer", "id");
const USER: Param = p("username", "path", "string", "user name");

macro_rules! route {
    ($m:literal, $path:literal, $access:expr, $tag:literal, $sum:literal, $params:expr, $body:expr, $resp:literal, $status:literal, $h:expr) => {
        Route {
            method: $m,
            path: $path,
            access: $access,
            tag: $tag,
            summary: $sum,
            params: $params,
            body: $body,
            response: $resp,
            status: $status,
            handler: || $h,
        }
    };
}

use Access::{Authenticated, Permission as P, Public};

/// The routes of the service.
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    route!("GET", "/healthz", Public, "service", "Liveness / Proses hidup", &[], None, "Health", 200, get(super::healthz)),
    route!("GET", "/readyz", Public, "service", "Readiness: database and scheduler / Kesiapan: basis data dan penjadwal", &[], None, "Health", 200, get(super::readyz)),
    route!("GET", "/api/v1/openapi.json", Public, "service", "This API description / Deskripsi API ini", &[], None, "Object", 200, get(super::openapi_json)),
    route!("POST", "/api/v1/session", Public, "session", "Log in with a password; sets the session cookie / Masuk dengan kata sandi", &[], Some("LoginBody"), "Session", 200, post(api::login)),
    route!("GET", "/api/v1/session", Authenticated, "session", "Who is logged in, with the CSRF token / Pengguna yang masuk", &[], None, "Session", 200, get(api::whoami)),
    route!("DELETE", "/api/v1/session", Authenticated, "session", "Log out (ends the session on the server) / Keluar", &[], None, "Object", 200, delete(api::logout)),
    route!("GET", "/", Public, "pages", "What this service is and where its parts are / Halaman awal layanan", &[], None, "html", 200, get(super::pages::home)),
    route!("GET", "/login", Public, "pages", "Login page / Halaman masuk", &[], None, "html", 200, get(super::pages::login_page)),
    route!("POST", "/login", Public, "pages", "Log in from the page; redirects home / Masuk dari halaman", &[], None, "html", 303, post(super::pages::login_submit)),
    route!("GET", "/login/oidc", Public, "pages", "Log in through the organisation's OpenID Connect provider (404 when not configured) / Masuk lewat penyedia SSO", &[], None, "html", 303, get(super::oidc::start)),
    route!("GET", "/login/oidc/callback", Public, "pages", "The provider's return address; opens the session / Alamat kembali dari penyedia SSO", &[p("code", "query", "string", "authorization code"), p("state", "query", "string", "login state")], None, "html", 200, get(super::oidc::callback)),
    route!("POST", "/logout", Public, "pages", "Log out from the page (form CSRF token) / Keluar dari halaman", &[], None, "html", 303, post(super::pages::logout_submit)),
    route!("GET", "/setup-password", Public, "pages", "Set-password page of a one-time link / Halaman atur kata sandi", &[p("token", "query", "string", "the link's secret")], None, "html", 200, get(super::pages::setup_form)),
    route!("POST", "/setup-password", Public, "pages", "Set a password from the page / Atur kata sandi dari halaman", &[], None, "html", 200, post(super::pages::setup_submit)),
    route!("GET", "/static/kawal.css", Public, "pages", "The pages' stylesheet / Lembar gaya halaman", &[], None, "css", 200, get(super::pages::view::stylesheet)),
    route!("GET", "/static/kawal.js", Public, "pages", "The pages' progress script / Skrip kemajuan halaman", &[], None, "js", 200, get(super::pages::view::script)),
    route!("GET", "/apps", Public, "pages", "Applications page (session checked by the page) / Halaman aplikasi", &[p("q", "query", "string", "text in name, URL or owner"), p("agency", "query", "string", "agency name"), PG], None, "html", 200, get(super::pages::apps::list)),
    route!("POST", "/apps", Public, "pages", "Register an application from the page / Daftarkan aplikasi dari halaman", &[], None, "html", 303, post(super::pages::apps::create)),
    route!("GET", "/apps/new", Public, "pages", "Registration form / Formulir pendaftaran aplikasi", &[], None, "html", 200, get(super::pages::apps::new_form)),
    route!("GET", "/apps/{app}", Public, "pages", "Application page with live progress / Halaman aplikasi", &[APP, PG], None, "html", 200, get(super::pages::apps::detail)),
    route!("POST", "/apps/{app}", Public, "pages", "Edit an application from the page / Ubah aplikasi dari halaman", &[APP], None, "html", 303, post(super::pages::apps::update)),
    route!("GET", "/apps/{app}/edit", Public, "pages", "Edit form / Formulir ubah aplikasi", &[APP], None, "html", 200, get(super::pages::apps::edit_form)),
    route!("POST", "/apps/{app}/roles", Public, "pages", "Store a test role from the page / Simpan peran uji dari halaman", &[APP], None, "html", 303, post(super::pages::apps::put_role)),
    route!("POST", "/apps/{app}/evaluate", Public, "pages", "Start an evaluation from the page / Mulai evaluasi dari halaman", &[APP], None, "html", 303, post(super::pages::apps::evaluate)),
    route!("GET", "/apps/{app}/progress", Public, "pages", "The application's newest jobs, for the page's script / Kemajuan job", &[APP], None, "Object", 200, get(super::pages::apps::progress)),
    route!("GET", "/evaluations/{id}", Public, "pages", "Evaluation page / Halaman evaluasi", &[ID, PG], None, "html", 200, get(super::pages::evals::detail)),
    route!("POST", "/evaluations/{id}/manual", Public, "pages", "Record a manual item with an attachment (multipart) / Catat butir manual", &[ID], None, "html", 303, post(super::pages::evals::record_manual).layer(axum::extract::DefaultBodyLimit::max(super::pages::evals::MAX_ATTACHMENT + (64 << 10)))),
    route!("POST", "/evaluations/{id}/steps", Public, "pages", "Record an SOP step from the page / Catat langkah SOP", &[ID], None, "html", 303, post(super::pages::evals::advance_step)),
    route!("POST", "/evaluations/{id}/decisions", Public, "pages", "Record decision 1 or 2 from the page / Catat keputusan", &[ID], None, "html", 303, post(super::pages::evals::decide)),
    route!("GET", "/findings", Public, "pages", "Findings page / Halaman temuan", &[p("app", "query", "string", "application id or name"), p("severity", "query", "string", "severity"), p("outcome", "query", "string", "outcome (default fail)"), PG], None, "html", 200, get(super::pages::lists::findings)),
    route!("POST", "/jobs/{id}/cancel", Public, "pages", "Cancel a queued job from the page / Batalkan job dari halaman", &[ID], None, "html", 303, post(super::pages::actions::cancel_job)),
    route!("POST", "/jobs/{id}/retry", Public, "pages", "Queue a job again from the page / Ulangi job dari halaman", &[ID], None, "html", 303, post(super::pages::actions::retry_job)),
    route!("GET", "/inbox", Public, "pages", "Reports delivered to your agency, with acknowledgement / Kotak masuk laporan", &[p("open", "query", "string", "1: only those not yet acknowledged"), p("page", "query", "integer", "page number")], None, "html", 200, get(super::pages::actions::inbox)),
    route!("POST", "/inbox/{id}/acknowledge", Public, "pages", "Acknowledge receipt of a report from the page (SOP step 10) / Konfirmasi penerimaan", &[ID], None, "html", 303, post(super::pages::actions::acknowledge)),
    route!("POST", "/evaluations/{id}/fix-reported", Public, "pages", "Report the failed items fixed from the page; queues a retest / Laporkan perbaikan", &[ID], None, "html", 303, post(super::pages::actions::report_fix)),
    route!("GET", "/jobs", Public, "pages", "Evaluation queue page / Halaman antrean", &[p("app", "query", "string", "application id or name"), p("status", "query", "string", "job status"), p("before", "query", "integer", "jobs older than this id (next page)")], None, "html", 200, get(super::pages::lists::jobs)),
    route!("GET", "/audit", Public, "pages", "Audit log page / Halaman jejak audit", &[p("actor", "query", "string", "user name"), p("action", "query", "string", "action prefix"), p("before", "query", "integer", "entries before this sequence number")], None, "html", 200, get(super::pages::lists::audit)),
    route!("POST", "/api/v1/password/setup", Public, "session", "Set a password with a one-time link / Atur kata sandi dengan tautan sekali pakai", &[], Some("SetupBody"), "Object", 200, post(api::setup_password)),
    route!("GET", "/api/v1/roles", Authenticated, "users", "Roles and their permissions / Peran dan izinnya", &[], None, "Object", 200, get(api::roles)),
    route!("GET", "/api/v1/apps", P("app:read"), "apps", "Applications, paged and filtered / Daftar aplikasi", &[p("q", "query", "string", "text in name, URL or owner"), p("agency", "query", "string", "agency name"), PAGE[0], PAGE[1]], None, "PageApp", 200, get(api::list_apps)),
    route!("POST", "/api/v1/apps", P("app:write"), "apps", "Register an application / Daftarkan aplikasi", &[], Some("AppInput"), "App", 201, post(api::add_app)),
    route!("GET", "/api/v1/apps/{app}", P("app:read"), "apps", "One application / Satu aplikasi", &[APP], None, "App", 200, get(api::get_app)),
    route!("PATCH", "/api/v1/apps/{app}", P("app:write"), "apps", "Edit an application / Ubah aplikasi", &[APP], Some("AppInput"), "App", 200, patch(api::edit_app)),
    route!("DELETE", "/api/v1/apps/{app}", P("app:write"), "apps", "Remove an application (force: with its evaluations) / Hapus aplikasi", &[APP, p("force", "query", "boolean", "also remove its evaluations")], None, "Object", 200, delete(api::remove_app)),
    route!("GET", "/api/v1/apps/{app}/roles", P("app:read"), "apps", "Test roles Kawal logs in as (secrets hidden) / Peran uji", &[APP], None, "Object", 200, get(api::list_test_roles)),
    route!("PUT", "/api/v1/apps/{app}/roles/{role}", P("app:write"), "apps", "Store a test role, sealed at rest / Simpan peran uji", &[APP, p("role", "path", "string", "role name")], Some("Object"), "Object", 200, put(api::put_test_role)),
    route!("DELETE", "/api/v1/apps/{app}/roles/{role}", P("app:write"), "apps", "Remove a test role / Hapus peran uji", &[APP, p("role", "path", "string", "role name")], None, "Object", 200, delete(api::remove_test_role)),
    route!("POST", "/api/v1/apps/{app}/evaluations", P("evaluation:start"), "evaluations", "Queue an evaluation now / Antrekan evaluasi", &[APP], None, "Job", 202, post(api::start_evaluation)),
    route!("GET", "/api/v1/evaluations", P("evaluation:read"), "evaluations", "Evaluations, newest first / Riwayat evaluasi", &[p("app", "query", "string", "application id or name"), PAGE[0], PAGE[1]], None, "PageEvaluationRow", 200, get(api::list_evaluations)),
    route!("GET", "/api/v1/evaluations/{id}", P("evaluation:read"), "evaluations", "One evaluation with its report document / Satu evaluasi", &[ID], None, "Object", 200, get(api::get_evaluation)),
    route!("GET", "/api/v1/evaluations/{id}/report", P("report:read"), "evaluations", "Download the agency report / Unduh laporan", &[ID, p("format", "query", "string", "html, pdf (default), json, sarif, junit, csv"), p("lang", "query", "string", "id (default) or en")], None, "binary", 200, get(api::report)),
    route!("POST", "/api/v1/evaluations/{id}/manual", P("evaluation:record"), "evaluations", "Record a manual item (with an attachment) / Catat butir manual", &[ID], Some("ManualBody"), "Object", 200, post(api::record_manual)),
    route!("POST", "/api/v1/evaluations/{id}/steps/{step}", P("evaluation:record"), "evaluations", "Record an SOP step / Catat langkah SOP", &[ID, p("step", "path", "string", "SOP step key, e.g. penyampaian-laporan")], Some("StepInput"), "Object", 200, post(api::advance_step)),
    route!("POST", "/api/v1/evaluations/{id}/decisions", P("evaluation:decide"), "evaluations", "Record decision 1 and/or 2 / Catat keputusan 1 dan/atau 2", &[ID], Some("DecideInput"), "Object", 200, post(api::decide)),
    route!("POST", "/api/v1/evaluations/{id}/fix-reported", P("finding:report-fix"), "findings", "Report the failed items of the latest evaluation fixed; queues their retest / Laporkan perbaikan; uji ulang diantrekan", &[ID], Some("FixInput"), "FixReported", 200, post(api::report_fix)),
    route!("PATCH", "/api/v1/apps/{app}/findings/{fingerprint}", Authenticated, "findings", "Change a finding's status (owners may report a fix) / Ubah status temuan", &[APP, p("fingerprint", "path", "string", "fingerprint or its prefix")], Some("FindingStatusInput"), "Object", 200, patch(api::set_finding_status)),
    route!("GET", "/api/v1/findings", P("finding:read"), "findings", "Findings across applications / Temuan", &[p("app", "query", "string", "application id or name"), p("evaluation", "query", "integer", "evaluation id"), p("severity", "query", "string", "critical, high, medium, low, info"), p("outcome", "query", "string", "fail, inconclusive, pass, …"), PAGE[0], PAGE[1]], None, "PageScopedFinding", 200, get(api::list_findings)),
    route!("GET", "/api/v1/jobs", P("job:read"), "jobs", "The evaluation queue / Antrean evaluasi", &[p("status", "query", "string", "queued, running, done, failed, cancelled"), p("app", "query", "string", "application id or name"), p("limit", "query", "integer", "at most this many")], None, "Object", 200, get(api::list_jobs)),
    route!("POST", "/api/v1/jobs/{id}/cancel", P("job:write"), "jobs", "Cancel a queued job / Batalkan job", &[ID], None, "Job", 200, post(api::cancel_job)),
    route!("POST", "/api/v1/jobs/{id}/retry", P("job:write"), "jobs", "Queue a job again / Ulangi job", &[ID], None, "Job", 200, post(api::retry_job)),
    route!("GET", "/api/v1/users", P("user:read"), "users", "Accounts / Akun", &[], None, "Object", 200, get(api::list_users)),
    route!("POST", "/api/v1/users", P("user:write"), "users", "Create an account; answers with a one-time set-password secret / Buat akun", &[], Some("NewUser"), "Object", 201, post(api::add_user)),
    route!("GET", "/api/v1/users/{username}", Authenticated, "users", "One account (anyone may read their own) / Satu akun", &[USER], None, "Account", 200, get(api::get_user)),
    route!("PATCH", "/api/v1/users/{username}", P("user:write"), "users", "Edit, disable or re-role an account / Ubah akun", &[USER], Some("UserPatch"), "Account", 200, patch(api::edit_user)),
    route!("POST", "/api/v1/users/{username}/reset-password", P("user:write"), "users", "New one-time set-password link; ends sessions / Atur ulang kata sandi", &[USER], None, "Object", 200, post(api::reset_password)),
    route!("GET", "/api/v1/tokens", P("token:write"), "tokens", "API tokens (never the secrets) / Token API", &[], None, "Object", 200, get(api::list_tokens)),
    route!("POST", "/api/v1/tokens", P("token:write"), "tokens", "Create an API token, shown once / Buat token API", &[], Some("NewToken"), "Object", 201, post(api::create_token)),
    route!("DELETE", "/api/v1/tokens/{id}", P("token:write"), "tokens", "Revoke an API token / Cabut token API", &[ID], None, "Object", 200, delete(api::revoke_token)),
    route!("GET", "/api/v1/audit", P("audit:read"), "audit", "Audit trail, newest first / Jejak audit", &[p("since", "query", "string", "RFC 3339 time"), p("actor", "query", "string", "user name"), p("action", "query", "string", "action prefix, e.g. login"), p("before", "query", "integer", "entries before this sequence number"), p("limit", "query", "integer", "1–1000 (default 100)")], None, "Object", 200, get(api::audit_list)),
    route!("GET", "/api/v1/audit/verify", P("audit:read"), "audit", "Verify the hash chain / Verifikasi rantai hash", &[], None, "AuditCheck", 200, get(api::audit_verify)),
    route!("POST", "/api/v1/evaluations/{id}/delivery", P("report:send"), "delivery", "Approve the report for sending to the agency (e-mail, PDF or link) / Setujui pengiriman laporan", &[ID], Some("SendInput"), "Delivery", 201, post(super::delivery::send_report)),
    route!("GET", "/api/v1/inbox", P("report:read"), "delivery", "Reports delivered to your agency / Kotak masuk laporan", &[p("unacknowledged", "query", "boolean", "only those not yet acknowledged"), PAGE[0], PAGE[1]], None, "PageDelivery", 200, get(super::delivery::inbox)),
    route!("POST", "/api/v1/evaluations/{id}/acknowledge", P("report:acknowledge"), "delivery", "Acknowledge receipt; completes SOP step 10 / Konfirmasi penerimaan laporan", &[ID], Some("AckInput"), "Acknowledged", 200, post(super::delivery::acknowledge)),
    route!("GET", "/api/v1/outbox", P("report:send"), "delivery", "Outgoing messages and their state / Kotak keluar", &[p("status", "query", "string", "queued, sent or failed"), p("evaluation", "query", "integer", "evaluation id"), p("limit", "query", "integer", "1–1000 (default 100)")], None, "Object", 200, get(super::delivery::outbox)),
    route!("GET", "/api/v1/audit/head", P("audit:read"), "audit", "The chain's head hash / Hash kepala rantai", &[], None, "Object", 200, get(api::audit_head)),
    route!("GET", "/api/v1/workflows", Authenticated, "workflows", "SOP workflows, or the steps waiting for me (due=true) / Alur kerja SOP", &[p("kind", "query", "string", "akses, pelanggaran, kunjungan"), p("status", "query", "string", "open, completed, ended"), p("mine", "query", "boolean", "only mine"), p("due", "query", "boolean", "the current steps for my roles"), p("overdue", "query", "boolean", "only overdue steps"), PAGE[0], PAGE[1]], None, "Object", 200, get(wf::list)),
    route!("POST", "/api/v1/workflows", Authenticated, "workflows", "Start a workflow (its first step is yours) / Mulai alur kerja", &[], Some("StartBody"), "Object", 201, post(wf::start)),
    route!("GET", "/api/v1/workflows/{id}", Authenticated, "workflows", "One workflow: steps, deadlines, letters, files / Satu alur kerja", &[ID], None, "Object", 200, get(wf::show)),
    route!("POST", "/api/v1/workflows/{id}/steps/{step}", Authenticated, "workflows", "Record a step (its role only, four eyes kept) / Catat langkah", &[ID, p("step", "path", "string", "step key, e.g. pertimbangan")], Some("AdvanceBody"), "Object", 200, post(wf::advance)),
    route!("GET", "/api/v1/workflows/{id}/documents/{kind}", Authenticated, "workflows", "An official letter as PDF or HTML / Surat resmi", &[ID, p("kind", "path", "string", "nda, izin-akses, telaahan, nota-dinas, nota-dinas-rekomendasi, sk-sanksi, surat-teguran, formulir-kunjungan"), p("format", "query", "string", "pdf (default) or html")], None, "binary", 200, get(wf::document)),
    route!("GET", "/api/v1/grants", Authenticated, "workflows", "Access grants in force, for recertification / Hak akses yang berlaku", &[p("until", "query", "string", "ending on or before YYYY-MM-DD")], None, "Object", 200, get(wf::grants)),
    route!("POST", "/api/v1/visits", Authenticated, "visits", "A visitor checks in / Pengunjung masuk", &[], Some("CheckinBody"), "Object", 201, post(wf::checkin)),
    route!("POST", "/api/v1/visits/{id}/checkout", Authenticated, "visits", "A visitor checks out; devices compared / Pengunjung keluar", &[ID], Some("CheckoutBody"), "Object", 200, post(wf::checkout)),
    route!("POST", "/api/v1/visits/{id}/incidents", Authenticated, "visits", "Write in the incident book / Catat insiden", &[ID], Some("IncidentBody"), "Object", 201, post(wf::incident)),
    route!("GET", "/api/v1/visits/recap", Authenticated, "visits", "Monthly recap of visits / Rekap bulanan", &[p("month", "query", "string", "YYYY-MM")], None, "Object", 200, get(wf::recap)),
    route!("POST", "/api/v1/credentials/claim", Public, "workflows", "Initial credentials of an access grant, once / Kredensial awal, sekali", &[], Some("ClaimBody"), "Object", 200, post(wf::claim)),
    route!("GET", "/credentials/{token}", Public, "pages", "Single-use credential page / Halaman kredensial sekali pakai", &[p("token", "path", "string", "the link's secret")], None, "html", 200, get(wf::credential_form)),
    route!("POST", "/credentials/{token}", Public, "pages", "Reveal the initial credentials once / Tampilkan kredensial sekali", &[p("token", "path", "string", "the link's secret")], None, "html", 200, post(wf::credential_reveal)),
    route!("GET", "/workflows", Public, "pages", "SOP workflows page: waiting for me, and the list / Halaman alur kerja", &[p("kind", "query", "string", "akses, pelanggaran, kunjungan"), p("status", "query", "string", "open, completed, ended"), p("offset", "query", "integer", "rows to skip")], None, "html", 200, get(super::pages::workflows::list)),
    route!("GET", "/workflows/new", Public, "pages", "Form that starts a workflow / Formulir alur kerja baru", &[p("kind", "query", "string", "akses, pelanggaran, kunjungan")], None, "html", 200, get(super::pages::workflows::new_form)),
    route!("POST", "/workflows/new", Public, "pages", "Start a workflow from the form / Mulai alur kerja", &[], None, "html", 303, post(super::pages::workflows::create)),
    route!("GET", "/workflows/{id}", Public, "pages", "One workflow with the forms of my steps / Halaman satu alur kerja", &[ID], None, "html", 200, get(super::pages::workflows::detail)),
    route!("POST", "/workflows/{id}/steps/{step}", Public, "pages", "Record a step from its form / Catat langkah", &[ID, p("step", "path", "string", "step key")], None, "html", 303, post(super::pages::workflows::advance)),
];
