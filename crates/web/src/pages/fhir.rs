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
//! The resources are built by `alliance_core::fhir`. JSON for machines: no translated text.

use std::collections::BTreeSet;

use alliance_core::fhir::{self, PatientRecord, ResponseRecord};
use alliance_store::{AuditEvent, Client, ClientId, Rater};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::access::{self, BREAK_GLASS, Via};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

/// A Patient id in a path: `client-12` (as the resources name it) or `12`.
pub struct PatientId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PatientId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| WebError::NotFound)?;
        let digits = raw.strip_prefix("client-").unwrap_or(&raw);
        digits.parse::<i64>().map(PatientId).map_err(|_| WebError::NotFound)
    }
}

fn fhir_json(value: &Value, private: bool) -> Result<Response, WebError> {
    let body = serde_json::to_vec_pretty(value).map_err(|e| WebError::Internal(Box::new(e)))?;
    let cache = if private { "no-store" } else { "private, max-age=300" };
    Ok(([(header::CONTENT_TYPE, fhir::MEDIA_TYPE), (header::CACHE_CONTROL, cache)], body).into_response())
}

pub async fn questionnaire(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let instrument = state.catalog.get(&id).ok_or(WebError::NotFound)?;
    fhir_json(&fhir::questionnaire(instrument), false)
}

fn patient_id(client: &Client) -> String {
    format!("client-{}", client.id.0)
}

pub async fn patient(
    State(state): State<AppState>,
    who: SignedIn,
    PatientId(id): PatientId,
) -> Result<Response, WebError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = &read.client;
    fhir_json(&fhir::patient(PatientRecord { id: &patient_id(client), pseudonym: &client.pseudonym }), true)
}

pub async fn everything(
    State(state): State<AppState>,
    who: SignedIn,
    PatientId(id): PatientId,
) -> Result<Response, WebError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = &read.client;
    // The client's own answers only: the therapist's reflections are the therapist's notes.
    let responses: Vec<_> =
        state.store.responses_of(client.id).await?.into_iter().filter(|r| r.rater == Rater::Client).collect();
    let ids: Vec<String> = responses.iter().map(|r| format!("response-{}", r.administration.0)).collect();
    let mut instruments = BTreeSet::new();
    let records: Vec<ResponseRecord<'_>> = responses
        .iter()
        .zip(&ids)
        .filter_map(|(r, id)| {
            let instrument = state.catalog.get(&r.instrument.id)?;
            instruments.insert(instrument.id.clone());
            Some(ResponseRecord {
                id,
                instrument,
                version: r.instrument.version,
                answers: &r.answers,
                scores: &r.scores,
                submitted_at: r.submitted_at,
            })
        })
        .collect();
    let pid = patient_id(client);
    let mut resources: Vec<Value> =
        instruments.iter().filter_map(|id| state.catalog.get(id)).map(fhir::questionnaire).collect();
    resources.extend(fhir::client_resources(PatientRecord { id: &pid, pseudonym: &client.pseudonym }, &records));
    let now = state.now();
    let event = who.audit(now, "fhir-export", "client", Some(client.id.0));
    let event = match read.via {
        Via::BreakGlass { .. } => AuditEvent { purpose: BREAK_GLASS, ..event },
        Via::OwnCaseload | Via::Supervision => event,
    };
    state.store.audit(event).await?;
    fhir_json(&fhir::bundle(resources, now), true)
}
