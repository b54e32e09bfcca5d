//! A FHIR `Questionnaire` whose choice items' answers carry ordinal values, as an instrument definition scored
//! as a sum, and that definition as the TOML text `instrument::parse` reads. The input is untrusted: its size,
//! nesting, item and option counts are bounded, and every refusal says what and where.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::{LOINC_SYSTEM, ORDINAL_VALUE, item_system};
use crate::instrument::{
    self, Aggregation, Code, Direction, Instrument, InstrumentError, Item, ItemKind, Licence, Loinc, MissingRule,
    OptionSet, Purpose, Rater, ResponseOption, Scale, TextSource,
};

/// Refuse absurd files early: a questionnaire of a few hundred items is far below this.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
/// Deepest JSON nesting accepted (a flat questionnaire needs about 8).
pub const MAX_DEPTH: usize = 32;
pub const MAX_ITEMS: usize = 500;
pub const MAX_OPTIONS: usize = 100;
const MAX_TEXT: usize = 2_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    #[error("the file is larger than {MAX_IMPORT_BYTES} bytes")]
    TooLarge,
    #[error("the JSON nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("expected a FHIR Questionnaire, found resourceType {0:?}")]
    NotQuestionnaire(String),
    #[error("field `{field}`: {problem}")]
    Field { field: String, problem: String },
    #[error(
        "item `{link_id}`: type `{kind}` cannot be imported (only `choice` items whose answers carry ordinal values)"
    )]
    UnsupportedType { link_id: String, kind: String },
    #[error(
        "item `{link_id}`, answer option {index}: no ordinal value (extension {ORDINAL_VALUE} with a valueDecimal)"
    )]
    MissingOrdinal { link_id: String, index: usize },
    #[error("more than {MAX_ITEMS} items, or an item with more than {MAX_OPTIONS} answer options")]
    TooMany,
    #[error("the converted definition is refused: {0}")]
    Definition(#[from] InstrumentError),
}

/// An imported questionnaire: the definition and its TOML text (which `instrument::parse` accepts).
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub instrument: Instrument,
    pub toml: String,
}

fn field(field: &str, problem: impl Into<String>) -> ImportError {
    ImportError::Field { field: field.to_owned(), problem: problem.into() }
}

/// Nesting depth of JSON text, counted without parsing (strings skipped), so that deep input is refused before
/// a parser recurses into it.
fn depth_within(text: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

fn text_of<'a>(value: &'a Value, name: &str) -> Result<Option<&'a str>, ImportError> {
    match value.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            if s.chars().count() > MAX_TEXT {
                return Err(field(name, format!("longer than {MAX_TEXT} characters")));
            }
            if s.chars().any(|c| c.is_control() && c != '\n') {
                return Err(field(name, "contains control characters"));
            }
            Ok(Some(s))
        }
        Some(_) => Err(field(name, "must be a string")),
    }
}

fn array_of<'a>(value: &'a Value, name: &str) -> Result<&'a [Value], ImportError> {
    match value.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(field(name, "must be an array")),
    }
}

/// A definition id from the questionnaire's id or name: lower-case letters, digits and dashes.
fn identifier(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    id.chars().take(64).collect::<String>().trim_end_matches('-').to_owned()
}

fn codings(value: &Value, at: &str) -> Result<Vec<Code>, ImportError> {
    let mut out = Vec::new();
    for coding in array_of(value, "code")? {
        let system = text_of(coding, "system")?.ok_or_else(|| field(at, "a code has no system"))?;
        let code = text_of(coding, "code")?.ok_or_else(|| field(at, "a code has no code"))?;
        let display = text_of(coding, "display")?.map(str::to_owned);
        out.push(Code { system: system.to_owned(), code: code.to_owned(), display });
    }
    Ok(out)
}

fn ordinal_of(coding: &Value) -> Option<f64> {
    let extensions = coding.get("extension")?.as_array()?;
    extensions
        .iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(ORDINAL_VALUE))
        .and_then(|e| e.get("valueDecimal").or_else(|| e.get("valueInteger")))
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
}

fn options_of(item: &Value, link_id: &str, lang: &str) -> Result<Vec<ResponseOption>, ImportError> {
    let raw = array_of(item, "answerOption")?;
    if raw.is_empty() {
        return Err(field(&format!("item `{link_id}`"), "a choice item needs answerOption entries"));
    }
    if raw.len() > MAX_OPTIONS {
        return Err(ImportError::TooMany);
    }
    let mut options = Vec::new();
    for (index, option) in raw.iter().enumerate() {
        let at = format!("item `{link_id}`, answer option {index}");
        let coding = option.get("valueCoding").ok_or_else(|| field(&at, "only valueCoding answers can be imported"))?;
        let value =
            ordinal_of(coding).ok_or_else(|| ImportError::MissingOrdinal { link_id: link_id.to_owned(), index })?;
        let code = text_of(coding, "code")?.ok_or_else(|| field(&at, "the coding has no code"))?;
        let system = text_of(coding, "system")?.ok_or_else(|| field(&at, "the coding has no system"))?;
        let mut label = BTreeMap::new();
        if let Some(display) = text_of(coding, "display")? {
            label.insert(lang.to_owned(), display.to_owned());
        }
        if options.iter().any(|o: &ResponseOption| o.value == value) {
            return Err(field(&at, format!("ordinal value {value} is given twice")));
        }
        options.push(ResponseOption { value, label, code: Some(code.to_owned()), system: Some(system.to_owned()) });
    }
    Ok(options)
}

/// Converts a FHIR R4 `Questionnaire` (JSON text) into an instrument definition: every item a rating item whose
/// options keep their code, system, display and ordinal value; one `total` scale, the sum of all items. The
/// definition says it is imported and not validated.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    if !depth_within(text, MAX_DEPTH) {
        return Err(ImportError::TooDeep);
    }
    let q: Value = serde_json::from_str(text).map_err(|e| ImportError::Json(e.to_string()))?;
    let kind = q.get("resourceType").and_then(Value::as_str).unwrap_or_default();
    if kind != "Questionnaire" {
        return Err(ImportError::NotQuestionnaire(kind.to_owned()));
    }
    let source_id = text_of(&q, "id")?
        .or(text_of(&q, "name")?)
        .ok_or_else(|| field("id", "the questionnaire has no id or name"))?;
    let id = identifier(source_id);
    if id.is_empty() {
        return Err(field("id", "no letters or digits to make an instrument id from"));
    }
    let lang = text_of(&q, "language")?.unwrap_or("en").to_owned();
    let title = text_of(&q, "title")?.or(text_of(&q, "name")?).unwrap_or(source_id).to_owned();
    let canonical = text_of(&q, "url")?.map(str::to_owned).unwrap_or_else(|| format!("id {source_id}"));
    let own_system = item_system(&id);
    let loinc = codings(&q, "code")?.into_iter().find(|c| c.system == LOINC_SYSTEM).map(|c| Loinc {
        panel: c.code,
        total: None,
        verified: false,
    });
    let raw_items = array_of(&q, "item")?;
    if raw_items.len() > MAX_ITEMS {
        return Err(ImportError::TooMany);
    }
    let mut items = Vec::new();
    let mut option_sets: Vec<OptionSet> = Vec::new();
    for raw in raw_items {
        let link_id = text_of(raw, "linkId")?.ok_or_else(|| field("item", "an item has no linkId"))?;
        let kind = raw.get("type").and_then(Value::as_str).unwrap_or("(none)");
        if kind != "choice" {
            return Err(ImportError::UnsupportedType { link_id: link_id.to_owned(), kind: kind.to_owned() });
        }
        if !array_of(raw, "item")?.is_empty() {
            return Err(field(&format!("item `{link_id}`"), "nested items cannot be imported"));
        }
        if raw.get("repeats").and_then(Value::as_bool) == Some(true) {
            return Err(field(&format!("item `{link_id}`"), "an item answered more than once cannot be scored"));
        }
        let options = options_of(raw, link_id, &lang)?;
        let set = match option_sets.iter().find(|s| s.options == options) {
            Some(set) => set.id.clone(),
            None => {
                let set = format!("answers-{}", option_sets.len() + 1);
                option_sets.push(OptionSet { id: set.clone(), options, range: None });
                set
            }
        };
        let item_id = identifier(link_id);
        if item_id.is_empty() {
            return Err(field(&format!("item `{link_id}`"), "no letters or digits to make an item id from"));
        }
        let mut codes = codings(raw, &format!("item `{link_id}`"))?;
        codes.retain(|c| c.system != own_system);
        let loinc_at = codes.iter().position(|c| c.system == LOINC_SYSTEM && c.display.is_none());
        let item_loinc = loinc_at.map(|at| codes.remove(at).code);
        let mut text = BTreeMap::new();
        if let Some(t) = text_of(raw, "text")? {
            text.insert(lang.clone(), t.to_owned());
        }
        items.push(Item {
            id: item_id.clone(),
            kind: ItemKind::Rating,
            text,
            option_set: Some(set),
            choices: Vec::new(),
            reverse: false,
            required: raw.get("required").and_then(Value::as_bool).unwrap_or(false),
            risk_threshold: None,
            shown_if: None,
            max_length: None,
            loinc: item_loinc,
            codes,
            link_id: (link_id != item_id).then(|| link_id.to_owned()),
            practice_option: None,
        });
    }
    if items.is_empty() {
        return Err(field("item", "the questionnaire has no items"));
    }
    let with_text = items.iter().filter(|i| !i.text.is_empty()).count();
    let (licence, text_source) = match with_text {
        0 => (Licence::LicensedText, TextSource::Licensee),
        n if n == items.len() => (Licence::Unknown, TextSource::Embedded),
        _ => return Err(field("item", "some items have text and others not: either all or none must")),
    };
    let instrument = Instrument {
        id: id.clone(),
        name: title.clone(),
        short_name: title,
        client_title: BTreeMap::new(),
        version: text_of(&q, "version")?.and_then(|v| v.parse().ok()).unwrap_or(1),
        purpose: Purpose::Outcome,
        rater: Rater::Client,
        licence,
        validated: false,
        text_source,
        languages: vec![lang],
        translations: BTreeMap::new(),
        instructions: BTreeMap::new(),
        why_we_ask: BTreeMap::new(),
        citation: text_of(&q, "publisher")?.map_or_else(
            || format!("Imported from FHIR Questionnaire {canonical}."),
            |p| format!("{p}. Imported from FHIR Questionnaire {canonical}."),
        ),
        provenance: Some(format!(
            "imported from FHIR Questionnaire {canonical}; not validated by the Alliance project"
        )),
        loinc,
        option_sets,
        scales: vec![Scale {
            id: "total".into(),
            name: "Total".into(),
            names: BTreeMap::new(),
            items: items.iter().map(|i| i.id.clone()).collect(),
            method: Aggregation::Sum,
            direction: Direction::HigherIsWorse,
            missing: MissingRule { max_missing: 0 },
            bands: Vec::new(),
            cutoff: None,
            reliable_change: None,
        }],
        items,
        indicators: Vec::new(),
        primary_scale: "total".into(),
    };
    let toml = to_toml(&instrument);
    let parsed = instrument::parse(&format!("{id}.toml"), &toml)?;
    if parsed != instrument {
        return Err(field("(definition)", "the TOML written does not read back as the same definition"));
    }
    Ok(Imported { instrument: parsed, toml })
}

/// A TOML string (JSON's string escapes are TOML basic-string escapes).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

fn localized(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(lang, text)| format!("{} = {}", quoted(lang), quoted(text))).collect();
    format!("{{ {} }}", pairs.join(", "))
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { format!("{value:?}") }
}

fn kebab<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The definition an import makes, as TOML. Writes the fields an imported definition uses; `import` checks that
/// `instrument::parse` reads it back to the same definition.
pub fn to_toml(ins: &Instrument) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported from FHIR by `alliance fhir import`. NOT validated by the Alliance project: check the"
    );
    let _ = writeln!(out, "# wording's licence, the scoring (a sum of all items) and the direction before using it.");
    let _ = writeln!(out, "id = {}", quoted(&ins.id));
    let _ = writeln!(out, "name = {}", quoted(&ins.name));
    let _ = writeln!(out, "short_name = {}", quoted(&ins.short_name));
    let _ = writeln!(out, "version = {}", ins.version);
    let _ = writeln!(out, "purpose = {}", kebab(&ins.purpose));
    let _ = writeln!(out, "rater = {}", kebab(&ins.rater));
    let _ = writeln!(out, "licence = {}", kebab(&ins.licence));
    let _ = writeln!(out, "validated = {}", ins.validated);
    let _ = writeln!(out, "text_source = {}", kebab(&ins.text_source));
    let languages: Vec<String> = ins.languages.iter().map(|l| quoted(l)).collect();
    let _ = writeln!(out, "languages = [{}]", languages.join(", "));
    let _ = writeln!(out, "citation = {}", quoted(&ins.citation));
    if let Some(provenance) = &ins.provenance {
        let _ = writeln!(out, "provenance = {}", quoted(provenance));
    }
    let _ = writeln!(out, "primary_scale = {}", quoted(&ins.primary_scale));
    if let Some(loinc) = &ins.loinc {
        let _ = writeln!(out, "\n[loinc]\npanel = {}", quoted(&loinc.panel));
        if let Some(total) = &loinc.total {
            let _ = writeln!(out, "total = {}", quoted(total));
        }
        let _ = writeln!(out, "verified = {}", loinc.verified);
    }
    for set in &ins.option_sets {
        let _ = writeln!(out, "\n[[option_sets]]\nid = {}\noptions = [", quoted(&set.id));
        for option in &set.options {
            let mut fields = vec![format!("value = {}", number(option.value))];
            if !option.label.is_empty() {
                fields.push(format!("label = {}", localized(&option.label)));
            }
            if let Some(code) = &option.code {
                fields.push(format!("code = {}", quoted(code)));
            }
            if let Some(system) = &option.system {
                fields.push(format!("system = {}", quoted(system)));
            }
            let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
        }
        let _ = writeln!(out, "]");
    }
    for item in &ins.items {
        let _ = writeln!(out, "\n[[items]]\nid = {}\nkind = {}", quoted(&item.id), kebab(&item.kind));
        if let Some(set) = &item.option_set {
            let _ = writeln!(out, "option_set = {}", quoted(set));
        }
        let _ = writeln!(out, "required = {}", item.required);
        if let Some(link_id) = &item.link_id {
            let _ = writeln!(out, "link_id = {}", quoted(link_id));
        }
        if let Some(loinc) = &item.loinc {
            let _ = writeln!(out, "loinc = {}", quoted(loinc));
        }
        if !item.codes.is_empty() {
            let codes: Vec<String> = item
                .codes
                .iter()
                .map(|c| {
                    let display = c.display.as_ref().map(|d| format!(", display = {}", quoted(d))).unwrap_or_default();
                    format!("{{ system = {}, code = {}{display} }}", quoted(&c.system), quoted(&c.code))
                })
                .collect();
            let _ = writeln!(out, "codes = [{}]", codes.join(", "));
        }
        if !item.text.is_empty() {
            let _ = writeln!(out, "text = {}", localized(&item.text));
        }
    }
    for scale in &ins.scales {
        let ids: Vec<String> = scale.items.iter().map(|i| quoted(i)).collect();
        let _ = writeln!(out, "\n[[scales]]\nid = {}\nname = {}", quoted(&scale.id), quoted(&scale.name));
        let _ = writeln!(out, "items = [{}]", ids.join(", "));
        let _ = writeln!(out, "method = {}\ndirection = {}", kebab(&scale.method), kebab(&scale.direction));
        let _ = writeln!(out, "missing = {{ max_missing = {} }}", scale.missing.max_missing);
    }
    out
}
