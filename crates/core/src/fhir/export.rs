//! Alliance's records as FHIR R4 resources (JSON values).

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    CANONICAL_BASE, LOINC_SYSTEM, ORDINAL_VALUE, PSEUDONYM_SYSTEM, choice_system, item_system, option_system,
    questionnaire_url, resource_id, scale_system,
};
use crate::instrument::{Instrument, Item, ItemKind, Licence, OptionSet, ResponseOption, TextSource, localized};
use crate::scoring::{Answer, Answers, ScaleScore};

/// A client as FHIR sees them: an id and the pseudonym, nothing else.
#[derive(Debug, Clone, Copy)]
pub struct PatientRecord<'a> {
    /// The resource id, e.g. `client-12`.
    pub id: &'a str,
    pub pseudonym: &'a str,
}

/// One completed check with its scores.
#[derive(Debug, Clone, Copy)]
pub struct ResponseRecord<'a> {
    /// The resource id of the QuestionnaireResponse, e.g. `response-7`; its Observations append the scale id.
    pub id: &'a str,
    pub instrument: &'a Instrument,
    /// The version of the definition the check was answered with.
    pub version: u32,
    pub answers: &'a Answers,
    pub scores: &'a [ScaleScore],
    pub submitted_at: OffsetDateTime,
}

/// Whether the instrument's wording may be shipped: never for a licensed instrument, even when this deployment
/// holds the licensee's wording.
fn wording_shipped(ins: &Instrument) -> bool {
    ins.licence != Licence::LicensedText && ins.text_source == TextSource::Embedded
}

fn original_language(ins: &Instrument) -> &str {
    ins.languages.first().map_or("en", String::as_str)
}

/// A number as JSON: whole numbers without a fraction.
pub(super) fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 { json!(value as i64) } else { json!(value) }
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn link_id(item: &Item) -> &str {
    item.link_id.as_deref().unwrap_or(&item.id)
}

/// The default code of a rating option: its value.
pub(super) fn value_code(value: f64) -> String {
    if value.fract() == 0.0 { format!("{}", value as i64) } else { format!("{value}") }
}

fn option_coding(ins: &Instrument, set: &OptionSet, option: &ResponseOption, with_ordinal: bool) -> Value {
    let mut coding = Map::new();
    if with_ordinal {
        coding.insert("extension".into(), json!([{ "url": ORDINAL_VALUE, "valueDecimal": number(option.value) }]));
    }
    let system = option.system.clone().unwrap_or_else(|| option_system(&ins.id, &set.id));
    coding.insert("system".into(), json!(system));
    coding.insert("code".into(), json!(option.code.clone().unwrap_or_else(|| value_code(option.value))));
    if wording_shipped(ins)
        && let Some(label) = localized(&option.label, original_language(ins))
    {
        coding.insert("display".into(), json!(label));
    }
    Value::Object(coding)
}

fn choice_coding(ins: &Instrument, item: &Item, code: &str) -> Value {
    let mut coding = Map::new();
    coding.insert("system".into(), json!(choice_system(&ins.id, &item.id)));
    coding.insert("code".into(), json!(code));
    if wording_shipped(ins)
        && let Some(label) =
            item.choices.iter().find(|c| c.code == code).and_then(|c| localized(&c.label, original_language(ins)))
    {
        coding.insert("display".into(), json!(label));
    }
    Value::Object(coding)
}

fn item_codes(ins: &Instrument, item: &Item) -> Vec<Value> {
    let mut codes = Vec::new();
    if let Some(loinc) = &item.loinc {
        codes.push(json!({ "system": LOINC_SYSTEM, "code": loinc }));
    }
    for code in &item.codes {
        let mut coding = json!({ "system": code.system, "code": code.code });
        if let (Some(display), Some(map)) = (&code.display, coding.as_object_mut()) {
            map.insert("display".into(), json!(display));
        }
        codes.push(coding);
    }
    codes.push(json!({ "system": item_system(&ins.id), "code": item.id }));
    codes
}

fn questionnaire_item(ins: &Instrument, item: &Item) -> Value {
    let mut out = Map::new();
    out.insert("linkId".into(), json!(link_id(item)));
    out.insert("code".into(), Value::Array(item_codes(ins, item)));
    if wording_shipped(ins)
        && let Some(text) = localized(&item.text, original_language(ins))
    {
        out.insert("text".into(), json!(text));
    }
    match item.kind {
        ItemKind::Rating => match ins.options_of(item) {
            Some(set) if set.range.is_none() => {
                out.insert("type".into(), json!("choice"));
                let options: Vec<Value> =
                    set.options.iter().map(|o| json!({ "valueCoding": option_coding(ins, set, o, true) })).collect();
                out.insert("answerOption".into(), Value::Array(options));
            }
            Some(set) => {
                out.insert("type".into(), json!("decimal"));
                if let Some(range) = set.range {
                    out.insert(
                        "extension".into(),
                        json!([
                            { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueDecimal": number(range.min) },
                            { "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueDecimal": number(range.max) },
                        ]),
                    );
                }
            }
            None => {
                out.insert("type".into(), json!("decimal"));
            }
        },
        ItemKind::Choice | ItemKind::Checklist => {
            out.insert("type".into(), json!("choice"));
            if item.kind == ItemKind::Checklist {
                out.insert("repeats".into(), json!(true));
            }
            let options: Vec<Value> =
                item.choices.iter().map(|c| json!({ "valueCoding": choice_coding(ins, item, &c.code) })).collect();
            out.insert("answerOption".into(), Value::Array(options));
        }
        ItemKind::Text => {
            out.insert("type".into(), json!("text"));
            if let Some(max) = item.max_length {
                out.insert("maxLength".into(), json!(max));
            }
        }
    }
    out.insert("required".into(), json!(item.required));
    if let Some(condition) = &item.shown_if
        && let Some(target) = ins.item(&condition.item)
    {
        let when: Vec<Value> = condition
            .any_of
            .iter()
            .map(|code| {
                json!({ "question": link_id(target), "operator": "=", "answerCoding": choice_coding(ins, target, code) })
            })
            .collect();
        out.insert("enableWhen".into(), Value::Array(when));
        out.insert("enableBehavior".into(), json!("any"));
    }
    Value::Object(out)
}

/// A machine-friendly name (`Phq9`, `RelationshipCheck`), as FHIR's `name` asks.
fn machine_name(id: &str) -> String {
    let mut name = String::new();
    for part in id.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert(0, 'Q');
    }
    name
}

/// An instrument as a FHIR `Questionnaire`. A licensed instrument's wording (items, options, instructions) is
/// never included: its items carry their linkId and codes only.
pub fn questionnaire(ins: &Instrument) -> Value {
    let mut out = Map::new();
    out.insert("resourceType".into(), json!("Questionnaire"));
    out.insert("id".into(), json!(resource_id(&ins.id)));
    out.insert("url".into(), json!(questionnaire_url(&ins.id)));
    out.insert("version".into(), json!(ins.version.to_string()));
    out.insert("name".into(), json!(machine_name(&ins.id)));
    out.insert("title".into(), json!(ins.name));
    out.insert("status".into(), json!("active"));
    out.insert("language".into(), json!(original_language(ins)));
    out.insert("subjectType".into(), json!(["Patient"]));
    let mut description = ins.citation.clone();
    if !ins.validated {
        description.push_str(" Not validated.");
    }
    if let Some(provenance) = &ins.provenance {
        description.push_str(&format!(" Provenance: {provenance}."));
    }
    out.insert("description".into(), json!(description));
    if let Some(loinc) = &ins.loinc {
        out.insert("code".into(), json!([{ "system": LOINC_SYSTEM, "code": loinc.panel }]));
    }
    let items: Vec<Value> = ins.items.iter().map(|item| questionnaire_item(ins, item)).collect();
    out.insert("item".into(), Value::Array(items));
    Value::Object(out)
}

/// The pseudonym as the only thing a `Patient` carries: no name, contact or birth date.
pub fn patient(record: PatientRecord<'_>) -> Value {
    json!({
        "resourceType": "Patient",
        "id": resource_id(record.id),
        "identifier": [{ "system": PSEUDONYM_SYSTEM, "value": record.pseudonym }],
    })
}

fn answer_values(ins: &Instrument, item: &Item, answer: &Answer) -> Vec<Value> {
    match answer {
        Answer::Value(value) => {
            let coded = ins.options_of(item).filter(|set| set.range.is_none()).and_then(|set| {
                set.options.iter().find(|o| o.value == *value).map(|o| option_coding(ins, set, o, true))
            });
            match coded {
                Some(coding) => vec![json!({ "valueCoding": coding })],
                None => vec![json!({ "valueDecimal": number(*value) })],
            }
        }
        Answer::Choice(code) => vec![json!({ "valueCoding": choice_coding(ins, item, code) })],
        Answer::Choices(codes) => codes.iter().map(|c| json!({ "valueCoding": choice_coding(ins, item, c) })).collect(),
        Answer::Text(text) => vec![json!({ "valueString": text })],
    }
}

fn reference(kind: &str, id: &str) -> Value {
    json!({ "reference": format!("{kind}/{}", resource_id(id)) })
}

fn questionnaire_response(patient: &PatientRecord<'_>, record: &ResponseRecord<'_>) -> Value {
    let ins = record.instrument;
    let items: Vec<Value> = ins
        .items
        .iter()
        .filter_map(|item| {
            let answer = record.answers.get(&item.id)?;
            let values = answer_values(ins, item, answer);
            if values.is_empty() {
                return None;
            }
            Some(json!({ "linkId": link_id(item), "answer": values }))
        })
        .collect();
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": resource_id(record.id),
        "questionnaire": format!("{}|{}", questionnaire_url(&ins.id), record.version),
        "status": "completed",
        "subject": reference("Patient", patient.id),
        "authored": timestamp(record.submitted_at),
        "item": items,
    })
}

fn observation(patient: &PatientRecord<'_>, record: &ResponseRecord<'_>, score: &ScaleScore, value: f64) -> Value {
    let ins = record.instrument;
    let mut codes = Vec::new();
    // LOINC's total score code names the instrument's total, the scale its definition charts.
    if score.scale == ins.primary_scale
        && let Some(total) = ins.loinc.as_ref().and_then(|l| l.total.as_ref())
    {
        codes.push(json!({ "system": LOINC_SYSTEM, "code": total }));
    }
    let name = ins.scale(&score.scale).map_or(score.scale.as_str(), |s| s.name.as_str());
    codes.push(json!({ "system": scale_system(&ins.id), "code": score.scale, "display": name }));
    json!({
        "resourceType": "Observation",
        "id": resource_id(&format!("{}-{}", record.id, score.scale)),
        "status": "final",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }] }],
        "code": { "coding": codes, "text": format!("{} {}", ins.short_name, name) },
        "subject": reference("Patient", patient.id),
        "effectiveDateTime": timestamp(record.submitted_at),
        "valueQuantity": { "value": number(value), "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" },
        "derivedFrom": [reference("QuestionnaireResponse", record.id)],
    })
}

/// A client's resources: the Patient, then each check's QuestionnaireResponse followed by an Observation per
/// scale that could be scored.
pub fn client_resources(patient: PatientRecord<'_>, responses: &[ResponseRecord<'_>]) -> Vec<Value> {
    let mut out = vec![self::patient(patient)];
    for record in responses {
        out.push(questionnaire_response(&patient, record));
        for score in record.scores {
            if let Some(value) = score.value {
                out.push(observation(&patient, record, score, value));
            }
        }
    }
    out
}

/// A `collection` Bundle of resources, each entry with its full URL under [`CANONICAL_BASE`].
pub fn bundle(resources: Vec<Value>, at: OffsetDateTime) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| {
            let kind = resource.get("resourceType").and_then(Value::as_str).unwrap_or_default();
            let id = resource.get("id").and_then(Value::as_str).unwrap_or_default();
            json!({ "fullUrl": format!("{CANONICAL_BASE}/{kind}/{id}"), "resource": resource })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "collection", "timestamp": timestamp(at), "entry": entries })
}
