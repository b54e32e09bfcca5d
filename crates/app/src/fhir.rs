//! What of a client leaves as FHIR R4 (issue 19), decided once for the command line and the web: the Patient
//! (pseudonym only), the client's own completed checks and their scores. A therapist's reflection is the
//! therapist's note and stays. The resources are built by `alliance_core::fhir`; the caller checks access and
//! audits.

use std::collections::BTreeSet;

use alliance_core::catalog::Catalog;
use alliance_core::fhir::{self, PatientRecord, ResponseRecord};
use alliance_store::{Client, Rater, Store, StoreError};
use serde_json::Value;
use time::OffsetDateTime;

/// A client's Patient id in FHIR resources and URLs.
pub fn patient_id(client: &Client) -> String {
    format!("client-{}", client.id.0)
}

/// The FHIR resources of one or more clients, gathered for one Bundle.
#[derive(Debug, Default)]
pub struct FhirExport {
    resources: Vec<Value>,
    /// The instruments the responses answer, whose Questionnaires go into the Bundle.
    instruments: BTreeSet<String>,
}

impl FhirExport {
    /// Adds a client: their Patient, each of their own completed checks (answered with an instrument the
    /// catalog knows) and its scores.
    pub async fn add_client(
        &mut self,
        store: &dyn Store,
        catalog: &Catalog,
        client: &Client,
    ) -> Result<(), StoreError> {
        let responses: Vec<_> =
            store.responses_of(client.id).await?.into_iter().filter(|r| r.rater == Rater::Client).collect();
        let ids: Vec<String> = responses.iter().map(|r| format!("response-{}", r.administration.0)).collect();
        let mut records = Vec::with_capacity(responses.len());
        for (r, id) in responses.iter().zip(&ids) {
            let Some(instrument) = catalog.get(&r.instrument.id) else { continue };
            self.instruments.insert(instrument.id.clone());
            records.push(ResponseRecord {
                id,
                instrument,
                version: r.instrument.version,
                answers: &r.answers,
                scores: &r.scores,
                submitted_at: r.submitted_at,
            });
        }
        let pid = patient_id(client);
        self.resources
            .extend(fhir::client_resources(PatientRecord { id: &pid, pseudonym: &client.pseudonym }, &records));
        Ok(())
    }

    /// A `collection` Bundle: the Questionnaires answered first, so that it stands on its own, then the clients'
    /// resources.
    pub fn bundle(self, catalog: &Catalog, now: OffsetDateTime) -> Value {
        let mut all: Vec<Value> =
            self.instruments.iter().filter_map(|id| catalog.get(id)).map(fhir::questionnaire).collect();
        all.extend(self.resources);
        fhir::bundle(all, now)
    }
}
