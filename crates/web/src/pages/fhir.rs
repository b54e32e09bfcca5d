//! Read-only FHIR R4 endpoints (issue 19), answering `application/fhir+json` under the same rules as the client
//! pages (`access::read_client`: the client's own therapist, the therapist's supervisor, an administrator with a
//! running break-glass grant; anyone else gets the same 404 as for a client that does not exist):
//!
//! - `GET /fhir/Questionnaire/{id}`: an instrument (any signed-in staff; no clinical data, licensed wording never
//!   included);
//! - `GET /fhir/Patient/{id}`: the client as a Patient carrying the pseudonym only (`{id}` is `client-12` or
//!   `12`), audited as a read of the client;
//! - `GET /fhir/Patient/{id}/$everything`: a `collection` Bundle of the Patient, the client's own completed
//!   checks (QuestionnaireResponse) and scores (Observation) with the Questionnaires they answer; audited as a
//!   read and as a `fhir-export` of the client.
//!
//! What is exported is `alliance_app::fhir`'s, the resources `alliance_core::fhir`'s. JSON for machines: no
//! translated text. A refusal the handlers make is an `OperationOutcome` with the same status the pages give
//! (the not-found for a client one may not see is the not-found for one that does not exist). So is a refusal by
//! the route guard, before any handler (`refused_by_guard`): 401 `login` without a valid sign-in, 403 `security`
//! while a sign-in step is pending, 403 `forbidden` for a role the route does not name. The guard answers before
//! any record is looked up, so its bodies are the same whatever the path names.

use alliance_app::fhir::{FhirExport, patient_id};
use alliance_core::fhir::{self, PatientRecord};
use alliance_store::{AuditEvent, ClientId};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::access::{self, BREAK_GLASS, Via};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::routes::Refusal;
use crate::state::AppState;

/// An error of a FHIR handler, answered as an `OperationOutcome`. The cause is logged by the pages' error type
/// and never shown.
#[derive(Debug)]
pub struct FhirError(WebError);

impl<E: Into<WebError>> From<E> for FhirError {
    fn from(e: E) -> Self {
        FhirError(e.into())
    }
}

/// An `OperationOutcome` with one error issue: a fixed text, never the cause.
fn outcome(status: StatusCode, code: &str, words: &str) -> Response {
    let outcome = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": words }],
    });
    (status, [(header::CONTENT_TYPE, fhir::MEDIA_TYPE)], outcome.to_string()).into_response()
}

/// The route guard's refusal of a FHIR request, where the pages would show an error page or redirect to a page.
/// The routes take the session cookie only (no bearer token), so the 401 names no `WWW-Authenticate` scheme.
pub(crate) fn refused_by_guard(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Web(e) => FhirError(e).into_response(),
        Refusal::StepPending => {
            outcome(StatusCode::FORBIDDEN, "security", "The account has a sign-in step to complete first.")
        }
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        // The pages send someone not signed in to the sign-in page; a machine client is told so instead.
        if matches!(self.0, WebError::SignInRequired) {
            return outcome(StatusCode::UNAUTHORIZED, "login", "A valid sign-in is required.");
        }
        // The status (and any header, such as Retry-After) as the pages answer it, the body FHIR's.
        let page = self.0.into_response();
        let status = page.status();
        let (code, words) = match status {
            StatusCode::NOT_FOUND => ("not-found", "No such resource."),
            StatusCode::FORBIDDEN => ("forbidden", "Not allowed."),
            StatusCode::SERVICE_UNAVAILABLE => ("transient", "The service is unavailable; try again later."),
            s if s.is_server_error() => ("exception", "Something went wrong on the server."),
            _ => ("invalid", "The request was refused."),
        };
        let mut response = outcome(status, code, words);
        if let Some(retry) = page.headers().get(header::RETRY_AFTER) {
            response.headers_mut().insert(header::RETRY_AFTER, retry.clone());
        }
        response
    }
}

/// A Patient id in a path: `client-12` (as the resources name it) or `12`.
pub struct PatientId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PatientId {
    type Rejection = FhirError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| FhirError(WebError::NotFound))?;
        let digits = raw.strip_prefix("client-").unwrap_or(&raw);
        digits.parse::<i64>().map(PatientId).map_err(|_| FhirError(WebError::NotFound))
    }
}

fn fhir_json(value: &Value, private: bool) -> Result<Response, FhirError> {
    let body = serde_json::to_vec_pretty(value).map_err(|e| FhirError(WebError::Internal(Box::new(e))))?;
    let cache = if private { "no-store" } else { "private, max-age=300" };
    Ok(([(header::CONTENT_TYPE, fhir::MEDIA_TYPE), (header::CACHE_CONTROL, cache)], body).into_response())
}

pub async fn questionnaire(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, FhirError> {
    let instrument = state.catalog.get(&id).ok_or(FhirError(WebError::NotFound))?;
    fhir_json(&fhir::questionnaire(instrument), false)
}

pub async fn patient(
    State(state): State<AppState>,
    who: SignedIn,
    PatientId(id): PatientId,
) -> Result<Response, FhirError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = &read.client;
    fhir_json(&fhir::patient(PatientRecord { id: &patient_id(client), pseudonym: &client.pseudonym }), true)
}

pub async fn everything(
    State(state): State<AppState>,
    who: SignedIn,
    PatientId(id): PatientId,
) -> Result<Response, FhirError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = &read.client;
    let mut export = FhirExport::default();
    export.add_client(state.store.as_ref(), &state.catalog, client).await?;
    let now = state.now();
    let event = who.audit(now, "fhir-export", "client", Some(client.id.0));
    let event = match read.via {
        Via::BreakGlass { .. } => AuditEvent { purpose: BREAK_GLASS, ..event },
        Via::OwnCaseload | Via::Supervision => event,
    };
    state.store.audit(event).await?;
    fhir_json(&export.bundle(&state.catalog, now), true)
}
