//! FHIR R4 (issue 19): the instruments as `Questionnaire`s, completed checks as `QuestionnaireResponse`s, scores
//! as `Observation`s, a client as a `Patient` that carries the pseudonym only, and `Bundle`s of them; and the
//! import of a FHIR `Questionnaire` into an instrument definition (TOML). Pure: JSON values in and out, time is
//! passed in.
//!
//! Identifiers (docs/ARCHITECTURE.md, *FHIR R4*):
//!
//! - Questionnaire canonical: `{CANONICAL_BASE}/Questionnaire/<instrument id>`;
//! - item codes: `{CANONICAL_BASE}/CodeSystem/<instrument id>` with the item id as code (plus LOINC where known);
//! - answer codes: `{CANONICAL_BASE}/CodeSystem/<instrument id>/options/<option set>` (rating items, code = the
//!   value unless the definition names one) and `.../choices/<item id>` (choice and checklist items);
//! - score codes: `{CANONICAL_BASE}/CodeSystem/<instrument id>/scales` with the scale id as code (plus LOINC's
//!   total score code where the definition has one);
//! - the pseudonym: identifier system [`PSEUDONYM_SYSTEM`].

mod export;
mod import;

pub use export::{PatientRecord, ResponseRecord, bundle, client_resources, patient, questionnaire};
pub use import::{ImportError, Imported, MAX_DEPTH, MAX_IMPORT_BYTES, MAX_ITEMS, MAX_OPTIONS, import, to_toml};

/// The project's canonical base for its FHIR artefacts. `alliance.example` is reserved for documentation
/// (RFC 2606 reserves `.example`), so these URLs identify and are never fetched.
pub const CANONICAL_BASE: &str = "https://alliance.example/fhir";

/// The identifier system of a client's pseudonym.
pub const PSEUDONYM_SYSTEM: &str = "https://alliance.example/fhir/NamingSystem/pseudonym";

pub const LOINC_SYSTEM: &str = "http://loinc.org";

/// R4's extension carrying an answer's score (`valueDecimal`) on a `Coding`
/// (<https://hl7.org/fhir/R4/extension-ordinalvalue.html>; R5 renamed it `itemWeight`).
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";

/// The FHIR media type.
pub const MEDIA_TYPE: &str = "application/fhir+json";

/// A Questionnaire's canonical URL.
pub fn questionnaire_url(instrument: &str) -> String {
    format!("{CANONICAL_BASE}/Questionnaire/{instrument}")
}

/// The project's code system of an instrument's items.
pub fn item_system(instrument: &str) -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{instrument}")
}

/// The project's code system of an option set's answers.
pub fn option_system(instrument: &str, set: &str) -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{instrument}/options/{set}")
}

/// The project's code system of a choice item's answers.
pub fn choice_system(instrument: &str, item: &str) -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{instrument}/choices/{item}")
}

/// The project's code system of an instrument's scores.
pub fn scale_system(instrument: &str) -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{instrument}/scales")
}

/// A FHIR id made of the characters FHIR allows (`[A-Za-z0-9\-\.]{1,64}`).
pub fn resource_id(text: &str) -> String {
    let id: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' })
        .take(64)
        .collect();
    if id.is_empty() { "x".to_owned() } else { id }
}
