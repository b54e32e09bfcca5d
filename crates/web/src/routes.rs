//! Every route and the rule that guards it, in one table. The router is built from this table and the
//! authorization matrix test walks the same table, so a route cannot exist without a rule and a rule cannot go
//! untested. Role rules are enforced here, before any handler runs; record rules (whose client) are the
//! capabilities in `access`, which the handlers must ask for, and the matrix test checks that they do.

use alliance_core::domain::Role;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};

use crate::account_steps::{self, Step};
use crate::auth::{self, SignedIn};
use crate::error::WebError;
use crate::state::AppState;
use crate::{metrics, pages};

/// Who may call a route at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the sign-in page, static files, health checks.
    Public,
    /// Whoever holds a client's link: the token in the path is the credential.
    ClientLink,
    /// Whoever holds a client's personal link to their own page (`/my/{token}`): the token is the credential,
    /// revocable by the therapist.
    PersonalLink,
    /// A waiting-room tablet (`/kiosk/{token}`): the token is the tablet's, revocable by an administrator; a
    /// one-time code from the therapist opens one check on it.
    Kiosk,
    /// Only from the machine itself, for a local metrics scraper.
    Loopback,
    /// Signed-in staff with one of these roles; `record` names the record rule the handler applies on top.
    Staff { roles: &'static [Role], record: Record },
    /// The JSON API (`/api/v1/...`): a personal access token in `Authorization: Bearer`, never a cookie. The
    /// token's user must have one of these roles and the handler applies `record` exactly as the pages do;
    /// `write` routes refuse a read-only token.
    Api { roles: &'static [Role], record: Record, write: bool },
}

/// The record-level rule a staff route applies after the role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// No single client's record: the page shows what the user's scope allows, or concerns the user themselves.
    Scoped,
    /// Reads one client's record: their own therapist, and the therapist's supervisor.
    ClientRead,
    /// Changes one client's record: their own therapist only.
    ClientWrite,
    /// The supervision thread of a session's reflection: the client's therapist, and the therapist's supervisor
    /// while the reflection is shared for supervision.
    SharedReflection,
    /// One therapist's patterns or, for supervisors only, caseload (`{id}` is the therapist): the therapist
    /// themselves (where the roles allow) and their supervisor.
    TherapistPatterns,
}

/// A route as the matrix test sees it.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

const SUPERVISORS: &[Role] = &[Role::Supervisor];
const RESEARCHERS: &[Role] = &[Role::Researcher];
const CLINICIANS: &[Role] = &[Role::Therapist, Role::Supervisor];
const THERAPISTS: &[Role] = &[Role::Therapist];
const ADMINISTRATORS: &[Role] = &[Role::Administrator];
const STAFF: &[Role] = &[Role::Administrator, Role::Supervisor, Role::Therapist, Role::Researcher];
/// Administrators are let through to client records so a break-glass grant can be honoured; without one the
/// record rule refuses them like anyone else outside the client's care.
const CLIENT_READERS: &[Role] = &[Role::Therapist, Role::Supervisor, Role::Administrator];

const fn staff(roles: &'static [Role], record: Record) -> Access {
    Access::Staff { roles, record }
}

const fn api_read(roles: &'static [Role], record: Record) -> Access {
    Access::Api { roles, record, write: false }
}

const fn api_write(roles: &'static [Role], record: Record) -> Access {
    Access::Api { roles, record, write: true }
}

fn table() -> Vec<(Route, MethodRouter<AppState>)> {
    use Record::*;
    let entries: Vec<(Method, &'static str, Access, MethodRouter<AppState>)> = vec![
        (Method::GET, "/", staff(STAFF, Scoped), get(pages::caseload::caseload)),
        (Method::GET, "/login", Access::Public, get(auth::login_page)),
        (Method::POST, "/language", Access::Public, post(crate::language::switch)),
        (Method::POST, "/login", Access::Public, post(auth::login)),
        (Method::POST, "/login/code", Access::Public, post(auth::login_code)),
        (Method::POST, "/logout", staff(STAFF, Scoped), post(auth::logout)),
        (Method::GET, "/account", staff(STAFF, Scoped), get(pages::account::account)),
        (Method::POST, "/account/password", staff(STAFF, Scoped), post(pages::account::change_password)),
        (Method::POST, "/account/sign-out-everywhere", staff(STAFF, Scoped), post(pages::account::sign_out_everywhere)),
        (Method::POST, "/account/time-zone", staff(STAFF, Scoped), post(pages::account_time_zone::set_time_zone)),
        (Method::POST, "/account/language", staff(STAFF, Scoped), post(pages::language_settings::set_account_language)),
        (
            Method::POST,
            "/clients/{id}/language",
            staff(THERAPISTS, ClientWrite),
            post(pages::language_settings::set_client_language),
        ),
        (Method::POST, "/account/totp/new", staff(STAFF, Scoped), post(pages::account::totp_new)),
        (Method::POST, "/account/totp/confirm", staff(STAFF, Scoped), post(pages::account::totp_confirm)),
        (Method::POST, "/account/totp/remove", staff(STAFF, Scoped), post(pages::account::totp_remove)),
        (Method::POST, "/account/recovery-codes", staff(STAFF, Scoped), post(pages::account::new_recovery_codes)),
        (Method::GET, "/clients/new", staff(THERAPISTS, Scoped), get(pages::clients::new_client_page)),
        (Method::POST, "/clients/new", staff(THERAPISTS, Scoped), post(pages::clients::create_client)),
        (Method::GET, "/clients/{id}", staff(CLIENT_READERS, ClientRead), get(pages::clients::client_page)),
        // FHIR R4, read only (issue 19; crates/web/src/pages/fhir.rs).
        (Method::GET, "/fhir/Questionnaire/{id}", staff(STAFF, Scoped), get(pages::fhir::questionnaire)),
        (Method::GET, "/fhir/Patient/{id}", staff(CLIENT_READERS, ClientRead), get(pages::fhir::patient)),
        (
            Method::GET,
            "/fhir/Patient/{id}/$everything",
            staff(CLIENT_READERS, ClientRead),
            get(pages::fhir::everything),
        ),
        // The JSON API (issue 19, part 4; crates/web/src/api.rs): the pages' rules, a bearer token instead of a
        // sign-in. Researchers have no client records to read there either.
        (Method::GET, "/api/openapi.json", Access::Public, get(crate::api::openapi)),
        (Method::GET, "/api/v1/clients", api_read(CLIENT_READERS, Scoped), get(crate::api::clients)),
        (Method::GET, "/api/v1/clients/{id}", api_read(CLIENT_READERS, ClientRead), get(crate::api::client)),
        (Method::GET, "/api/v1/clients/{id}/episodes", api_read(CLIENT_READERS, ClientRead), get(crate::api::episodes)),
        (Method::GET, "/api/v1/clients/{id}/scores", api_read(CLIENT_READERS, ClientRead), get(crate::api::scores)),
        (Method::GET, "/api/v1/clients/{id}/signals", api_read(CLIENT_READERS, ClientRead), get(crate::api::signals)),
        (Method::GET, "/api/v1/clients/{id}/goals", api_read(CLIENT_READERS, ClientRead), get(crate::api::goals)),
        (
            Method::GET,
            "/api/v1/episodes/{id}/sessions",
            api_read(CLIENT_READERS, ClientRead),
            get(crate::api::episode_sessions),
        ),
        (
            Method::POST,
            "/api/v1/episodes/{id}/sessions",
            api_write(THERAPISTS, ClientWrite),
            post(crate::api::record_session),
        ),
        (Method::GET, "/api/v1/sessions/{id}", api_read(CLIENT_READERS, ClientRead), get(crate::api::session)),
        (
            Method::POST,
            "/api/v1/sessions/{id}/links",
            api_write(THERAPISTS, ClientWrite),
            post(crate::api::create_link),
        ),
        (Method::POST, "/clients/{id}/episodes", staff(THERAPISTS, ClientWrite), post(pages::clients::open_episode)),
        (
            Method::POST,
            "/clients/{id}/acknowledgements",
            staff(THERAPISTS, ClientWrite),
            post(pages::clients::acknowledge),
        ),
        (Method::GET, "/clients/{id}/delete", staff(THERAPISTS, ClientWrite), get(pages::rights::delete_page)),
        (Method::POST, "/clients/{id}/delete", staff(THERAPISTS, ClientWrite), post(pages::rights::delete)),
        (Method::GET, "/clients/{id}/export", staff(THERAPISTS, ClientWrite), get(pages::rights::export_page)),
        (Method::POST, "/clients/{id}/export", staff(THERAPISTS, ClientWrite), post(pages::rights::export)),
        (Method::POST, "/episodes/{id}/end", staff(THERAPISTS, ClientWrite), post(pages::clients::end_episode)),
        (
            Method::POST,
            "/episodes/{id}/barrier-check",
            staff(THERAPISTS, ClientWrite),
            post(pages::support::request_barrier_check),
        ),
        (
            Method::POST,
            "/episodes/{id}/barrier-check/withdraw",
            staff(THERAPISTS, ClientWrite),
            post(pages::support::withdraw_barrier_check),
        ),
        (Method::POST, "/episodes/{id}/repairs", staff(THERAPISTS, ClientWrite), post(pages::support::record_repair)),
        // The boundary log (issue 20, item 1; crates/web/src/pages/boundaries.rs).
        (
            Method::GET,
            "/clients/{id}/boundaries",
            staff(CLIENT_READERS, ClientRead),
            get(pages::boundaries::client_log),
        ),
        (Method::POST, "/clients/{id}/boundaries", staff(THERAPISTS, ClientWrite), post(pages::boundaries::record)),
        (Method::GET, "/supervision/boundaries", staff(SUPERVISORS, Scoped), get(pages::boundaries::supervision)),
        // Supervision meetings (issue 20, item 4; crates/web/src/pages/meetings.rs).
        (Method::GET, "/supervision/meetings", staff(SUPERVISORS, Scoped), get(pages::meetings::list)),
        (Method::POST, "/supervision/meetings", staff(SUPERVISORS, Scoped), post(pages::meetings::record)),
        (Method::GET, "/meetings", staff(THERAPISTS, Scoped), get(pages::meetings::list)),
        (
            Method::POST,
            "/clients/{id}/supervision-actions",
            staff(THERAPISTS, ClientWrite),
            post(pages::meetings::action_done),
        ),
        (
            Method::POST,
            "/episodes/{id}/schedule",
            staff(THERAPISTS, ClientWrite),
            post(pages::partnership::set_schedule),
        ),
        (
            Method::POST,
            "/episodes/{id}/sessions",
            staff(THERAPISTS, ClientWrite),
            post(pages::sessions::record_session),
        ),
        (Method::GET, "/sessions/{id}", staff(CLIENT_READERS, ClientRead), get(pages::sessions::session_page)),
        (Method::POST, "/sessions/{id}/links", staff(THERAPISTS, ClientWrite), post(pages::sessions::create_link)),
        // A transcript (issue 21): the only post larger than a form (see `pages::transcripts`).
        (
            Method::POST,
            "/sessions/{id}/transcript",
            staff(THERAPISTS, ClientWrite),
            post(pages::transcripts::attach)
                .layer(DefaultBodyLimit::max(pages::transcripts::MAX_TRANSCRIPT_BODY_BYTES)),
        ),
        (
            Method::POST,
            "/sessions/{id}/transcript/delete",
            staff(THERAPISTS, ClientWrite),
            post(pages::transcripts::delete),
        ),
        (
            Method::GET,
            "/sessions/{id}/reflection",
            staff(THERAPISTS, ClientWrite),
            get(pages::sessions::reflection_page),
        ),
        (
            Method::POST,
            "/sessions/{id}/reflection",
            staff(THERAPISTS, ClientWrite),
            post(pages::sessions::save_reflection),
        ),
        (
            Method::POST,
            "/sessions/{id}/comments",
            staff(CLINICIANS, SharedReflection),
            post(pages::supervision::add_comment),
        ),
        (
            Method::POST,
            "/sessions/{id}/supervision-focus",
            staff(THERAPISTS, ClientWrite),
            post(pages::supervision::set_focus),
        ),
        (Method::GET, "/supervision", staff(SUPERVISORS, Scoped), get(pages::supervision::reflections)),
        (
            Method::GET,
            "/supervision/therapists/{id}/clients",
            staff(SUPERVISORS, TherapistPatterns),
            get(pages::supervision::supervisee_caseload),
        ),
        (
            Method::GET,
            "/supervision/therapists/{id}",
            staff(CLINICIANS, TherapistPatterns),
            get(pages::patterns::therapist_patterns),
        ),
        (Method::GET, "/patterns", staff(THERAPISTS, Scoped), get(pages::patterns::own_patterns)),
        (Method::GET, "/alerts", staff(THERAPISTS, Scoped), get(pages::alerts::alerts)),
        (Method::GET, "/research", staff(RESEARCHERS, Scoped), get(pages::research::research_page)),
        (Method::POST, "/research/export", staff(RESEARCHERS, Scoped), post(pages::research_export::export)),
        (Method::GET, "/research/dictionary", staff(RESEARCHERS, Scoped), get(pages::research_export::dictionary)),
        (Method::GET, "/c/{token}", Access::ClientLink, get(pages::respond::form)),
        (Method::POST, "/c/{token}", Access::ClientLink, post(pages::respond::submit)),
        (Method::POST, "/c/{token}/stop", Access::ClientLink, post(pages::asking::stop_from_link)),
        (Method::POST, "/c/{token}/resume", Access::ClientLink, post(pages::asking::resume_from_link)),
        (Method::GET, "/kiosk/{token}", Access::Kiosk, get(pages::kiosk::home)),
        (Method::POST, "/kiosk/{token}", Access::Kiosk, post(pages::kiosk::enter)),
        (Method::GET, "/admin/kiosks", staff(ADMINISTRATORS, Scoped), get(pages::kiosk::admin)),
        (Method::POST, "/admin/kiosks", staff(ADMINISTRATORS, Scoped), post(pages::kiosk::add)),
        (Method::POST, "/admin/kiosks/{id}/revoke", staff(ADMINISTRATORS, Scoped), post(pages::kiosk::revoke)),
        (Method::POST, "/sessions/{id}/kiosk-code", staff(THERAPISTS, ClientWrite), post(pages::kiosk::make_code)),
        (Method::GET, "/my/{token}", Access::PersonalLink, get(pages::own_page::page)),
        (Method::POST, "/my/{token}/stop", Access::PersonalLink, post(pages::asking::stop_from_page)),
        (Method::POST, "/my/{token}/resume", Access::PersonalLink, post(pages::asking::resume_from_page)),
        (Method::POST, "/my/{token}/research", Access::PersonalLink, post(pages::own_page::research_choice)),
        (Method::GET, "/my/{token}/answers", Access::PersonalLink, get(pages::own_page::download)),
        (Method::GET, "/my/{token}/print", Access::PersonalLink, get(pages::own_page::print)),
        (Method::POST, "/my/{token}/goals", Access::PersonalLink, post(pages::own_page::propose_goal)),
        (Method::POST, "/my/{token}/background", Access::PersonalLink, post(pages::background::save)),
        (Method::POST, "/my/{token}/background/remove", Access::PersonalLink, post(pages::background::remove)),
        (Method::POST, "/clients/{id}/goals", staff(THERAPISTS, ClientWrite), post(pages::partnership::add_goal)),
        (
            Method::POST,
            "/clients/{id}/goals/change",
            staff(THERAPISTS, ClientWrite),
            post(pages::partnership::change_goal),
        ),
        (Method::POST, "/clients/{id}/notes", staff(THERAPISTS, ClientWrite), post(pages::partnership::add_note)),
        (Method::POST, "/clients/{id}/own-page", staff(THERAPISTS, ClientWrite), post(pages::partnership::own_page)),
        (Method::POST, "/sessions/{id}/tasks", staff(THERAPISTS, ClientWrite), post(pages::partnership::add_task)),
        (Method::GET, "/admin/users", staff(ADMINISTRATORS, Scoped), get(pages::admin::users)),
        (Method::POST, "/admin/users", staff(ADMINISTRATORS, Scoped), post(pages::admin::create_user)),
        (Method::POST, "/admin/users/{id}", staff(ADMINISTRATORS, Scoped), post(pages::admin::update_user)),
        (Method::GET, "/admin/audit", staff(ADMINISTRATORS, Scoped), get(pages::audit::audit_log)),
        (Method::GET, "/admin/break-glass", staff(ADMINISTRATORS, Scoped), get(pages::audit::break_glass_page)),
        (Method::GET, "/admin/client-lookup", staff(ADMINISTRATORS, Scoped), get(pages::admin_lookup::lookup)),
        (Method::POST, "/admin/break-glass", staff(ADMINISTRATORS, Scoped), post(pages::audit::break_glass)),
        (
            Method::POST,
            "/clients/{id}/break-glass/acknowledge",
            staff(THERAPISTS, ClientWrite),
            post(pages::audit::acknowledge_break_glass),
        ),
        // Administrators' tasks, one-time password-reset links and one's own sign-ins (issues 13 and 14).
        (Method::GET, "/admin/crisis", staff(ADMINISTRATORS, Scoped), get(pages::admin_crisis::page)),
        (Method::POST, "/admin/crisis", staff(ADMINISTRATORS, Scoped), post(pages::admin_crisis::save)),
        (Method::GET, "/admin/tasks", staff(ADMINISTRATORS, Scoped), get(pages::admin_tasks::tasks_page)),
        (
            Method::POST,
            "/admin/tasks/supervisor",
            staff(ADMINISTRATORS, Scoped),
            post(pages::admin_tasks::change_supervisor),
        ),
        (
            Method::POST,
            "/admin/tasks/move-clients",
            staff(ADMINISTRATORS, Scoped),
            post(pages::admin_tasks::move_clients),
        ),
        (Method::POST, "/admin/tasks/reset-link", staff(ADMINISTRATORS, Scoped), post(pages::admin_tasks::reset_link)),
        (Method::GET, "/reset/{token}", Access::Public, get(pages::password_reset::form)),
        (Method::POST, "/reset/{token}", Access::Public, post(pages::password_reset::submit)),
        (Method::POST, "/account/tokens", staff(STAFF, Scoped), post(pages::account_tokens::create)),
        (Method::POST, "/account/tokens/revoke", staff(STAFF, Scoped), post(pages::account_tokens::revoke)),
        (Method::POST, "/account/sign-ins/end", staff(STAFF, Scoped), post(pages::account_sign_ins::end_sign_in)),
        (Method::GET, "/static/{file}", Access::Public, get(pages::assets::asset)),
        (Method::GET, "/healthz", Access::Public, get(|| async { "ok" })),
        (Method::GET, "/.well-known/security.txt", Access::Public, get(pages::assets::security_txt)),
        (Method::GET, "/readyz", Access::Public, get(metrics::ready)),
        (Method::GET, "/metrics", Access::Loopback, get(metrics::export)),
    ];
    entries.into_iter().map(|(method, path, access, handler)| (Route { method, path, access }, handler)).collect()
}

/// Every route with its rule, for tests and documentation.
pub fn routes() -> Vec<Route> {
    table().into_iter().map(|(route, _)| route).collect()
}

/// The routes with their guards. Routes of one path share a method router, which axum merges.
pub fn guarded(state: &AppState) -> axum::Router<AppState> {
    table().into_iter().fold(axum::Router::new(), |router, (route, handler)| {
        let answer = if route.path.starts_with("/fhir/") { Answer::Fhir } else { Answer::Page };
        let guard = Guard { state: state.clone(), access: route.access, path: route.path, answer };
        router.route(route.path, handler.route_layer(middleware::from_fn_with_state(guard, enforce)))
    })
}

#[derive(Clone)]
struct Guard {
    state: AppState,
    access: Access,
    path: &'static str,
    answer: Answer,
}

/// How a staff route's guard words its refusals: the pages' (an error page, a redirect to sign in) for a
/// browser, an `OperationOutcome` for the FHIR routes' machine clients, which cannot follow a sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Page,
    Fhir,
}

/// Why a staff route's guard refused a request, before any handler ran.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// No valid sign-in (`SignInRequired`), a role the route does not name (`Forbidden`), or the sign-in could
    /// not be looked up (the store's error).
    Web(WebError),
    /// Signed in, but a step (a new password, a second factor) is to be taken on the account page first.
    StepPending,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Web(e) => e.into_response(),
            Refusal::StepPending => Redirect::to("/account").into_response(),
        }
    }
}

/// The signed-in user a staff route lets through, or why not.
async fn staff_check(guard: &Guard, roles: &[Role], parts: &mut Parts) -> Result<SignedIn, Refusal> {
    let who = SignedIn::from_request_parts(parts, &guard.state).await.map_err(Refusal::Web)?;
    if !roles.contains(&who.user.role) {
        return Err(Refusal::Web(WebError::Forbidden));
    }
    if Step::first(&who.user).is_some() && !account_steps::open_during_a_step(guard.path) {
        return Err(Refusal::StepPending);
    }
    Ok(who)
}

/// Refuses a request its route's rule does not allow. A staff route's signed-in user is kept in the request so
/// the handler does not look the sign-in up again.
async fn enforce(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    match guard.access {
        Access::Public | Access::ClientLink | Access::PersonalLink | Access::Kiosk => next.run(request).await,
        Access::Loopback => {
            let local =
                request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().is_some_and(|c| c.0.ip().is_loopback());
            if local { next.run(request).await } else { WebError::NotFound.into_response() }
        }
        Access::Staff { roles, .. } => {
            let (mut parts, body) = request.into_parts();
            let who = match (staff_check(&guard, roles, &mut parts).await, guard.answer) {
                (Ok(who), _) => who,
                (Err(refused), Answer::Page) => return refused.into_response(),
                (Err(refused), Answer::Fhir) => return pages::fhir::refused_by_guard(refused),
            };
            crate::language::adopt(who.user.language.as_deref());
            parts.extensions.insert(who);
            next.run(Request::from_parts(parts, body)).await
        }
        Access::Api { roles, write, .. } => {
            let (mut parts, body) = request.into_parts();
            // Cookies are never read here: the token alone says who is asking.
            let (who, token) = match crate::api::authenticate(&guard.state, &parts).await {
                Ok(found) => found,
                Err(refused) => return refused.into_response(),
            };
            if !roles.contains(&who.user.role) || (write && !crate::api::may_write(&token)) {
                return crate::api::ApiError(WebError::Forbidden).into_response();
            }
            // An account with a step to take at sign-in (a new password, a second factor) takes it on the
            // pages first.
            if Step::first(&who.user).is_some() {
                return crate::api::ApiError(WebError::Forbidden).into_response();
            }
            parts.extensions.insert(who);
            next.run(Request::from_parts(parts, body)).await
        }
    }
}
