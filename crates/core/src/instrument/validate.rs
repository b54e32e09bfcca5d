use std::collections::HashSet;

use super::definition::{Instrument, ItemKind, TextSource, localized};

/// Everything that can be wrong with a definition; each variant names the file and where in it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InstrumentError {
    #[error("{file}: not a valid definition{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Syntax { file: String, line: Option<usize>, message: String },
    #[error("{file}: item `{item}`, field `{field}`: {problem}")]
    Item { file: String, item: String, field: &'static str, problem: String },
    #[error("{file}: scale `{scale}`, field `{field}`: {problem}")]
    Scale { file: String, scale: String, field: &'static str, problem: String },
    #[error("{file}: field `{field}`: {problem}")]
    Field { file: String, field: &'static str, problem: String },
}

const MAX_TEXT: usize = 2_000;

/// Every language after the original has a translation entry naming its source; a validated instrument lists only
/// validated translations; a translation's own cut-offs name a scale of the instrument and their source.
fn check_translations(ins: &Instrument) -> Result<(), String> {
    for lang in ins.languages.iter().skip(1) {
        let Some(t) = ins.translations.get(lang) else {
            return Err(format!("language `{lang}` has no translation entry saying whose translation it is"));
        };
        if t.source.trim().is_empty() {
            return Err(format!("the `{lang}` translation names no source"));
        }
        if ins.validated && !t.validated {
            return Err(format!(
                "a validated instrument is offered only in published, validated translations: `{lang}` is not one"
            ));
        }
    }
    for (lang, t) in &ins.translations {
        if !ins.languages.iter().skip(1).any(|l| l == lang) {
            return Err(format!("translation `{lang}` is not listed in `languages` after the original"));
        }
        for (scale, cutoff) in &t.cutoffs {
            if ins.scale(scale).is_none() {
                return Err(format!("the `{lang}` cut-off names no scale `{scale}`"));
            }
            if cutoff.source.trim().is_empty() {
                return Err(format!("the `{lang}` cut-off of `{scale}` names no source"));
            }
        }
    }
    Ok(())
}

pub(super) fn check(file: &str, ins: &Instrument) -> Result<(), InstrumentError> {
    let field = |field: &'static str, problem: String| InstrumentError::Field { file: file.to_owned(), field, problem };
    if !is_identifier(&ins.id) {
        return Err(field("id", format!("`{}` must be lower-case letters, digits and dashes", ins.id)));
    }
    if ins.languages.is_empty() {
        return Err(field("languages", "at least one language is required".into()));
    }
    if ins.items.is_empty() {
        return Err(field("items", "an instrument needs at least one item".into()));
    }
    check_translations(ins).map_err(|problem| field("translations", problem))?;
    let mut set_ids = HashSet::new();
    for set in &ins.option_sets {
        if !set_ids.insert(set.id.as_str()) {
            return Err(field("option_sets", format!("option set `{}` is defined twice", set.id)));
        }
        match (&set.range, set.options.is_empty()) {
            (Some(range), true) => {
                if !(range.min.is_finite() && range.max.is_finite() && range.min < range.max && range.step > 0.0) {
                    return Err(field("option_sets", format!("option set `{}` has an empty or invalid range", set.id)));
                }
            }
            (None, false) => {
                let mut seen = Vec::new();
                for option in &set.options {
                    if !option.value.is_finite() || seen.contains(&option.value) {
                        return Err(field(
                            "option_sets",
                            format!("option set `{}` repeats or has a non-finite value", set.id),
                        ));
                    }
                    seen.push(option.value);
                }
            }
            _ => {
                return Err(field("option_sets", format!("option set `{}` needs either options or a range", set.id)));
            }
        }
    }
    let mut item_ids = HashSet::new();
    for item in &ins.items {
        check_item(file, ins, item, &item_ids)?;
        item_ids.insert(item.id.as_str());
    }
    let mut scale_ids = HashSet::new();
    for scale in &ins.scales {
        let err = |field: &'static str, problem: String| InstrumentError::Scale {
            file: file.to_owned(),
            scale: scale.id.clone(),
            field,
            problem,
        };
        if !scale_ids.insert(scale.id.as_str()) {
            return Err(err("id", "defined twice".into()));
        }
        if scale.items.is_empty() {
            return Err(err("items", "a scale needs at least one item".into()));
        }
        let mut seen = HashSet::new();
        for id in &scale.items {
            let item = ins.item(id).ok_or_else(|| err("items", format!("no item `{id}`")))?;
            if item.kind != ItemKind::Rating {
                return Err(err("items", format!("item `{id}` is not a rating item and cannot be scored")));
            }
            if !seen.insert(id.as_str()) {
                return Err(err("items", format!("item `{id}` is listed twice")));
            }
        }
        if scale.missing.max_missing >= scale.items.len() {
            return Err(err("missing", "max_missing must leave at least one answered item".into()));
        }
        let (low, high) = scale.bounds(ins).ok_or_else(|| err("items", "score range cannot be derived".into()))?;
        let mut previous_to: Option<f64> = None;
        for band in &scale.bands {
            if band.from > band.to || band.from < low || band.to > high {
                return Err(err(
                    "bands",
                    format!("band `{}` ({}-{}) is outside {low}-{high}", band.label, band.from, band.to),
                ));
            }
            if let Some(prev) = previous_to
                && band.from <= prev
            {
                return Err(err("bands", format!("band `{}` overlaps the band before it", band.label)));
            }
            previous_to = Some(band.to);
        }
        if let Some(cutoff) = &scale.cutoff
            && !(cutoff.value > low && cutoff.value <= high)
        {
            return Err(err("cutoff", format!("{} is outside the scale range {low}-{high}", cutoff.value)));
        }
        if let Some(rc) = &scale.reliable_change
            && !(rc.value > 0.0 && rc.value <= high - low)
        {
            return Err(err("reliable_change", format!("{} must be positive and within the scale range", rc.value)));
        }
    }
    let mut indicator_ids = HashSet::new();
    for indicator in &ins.indicators {
        let item = ins.item(&indicator.item);
        let known = item.is_some_and(|i| indicator.any_of.iter().all(|code| i.choices.iter().any(|c| &c.code == code)));
        if !indicator_ids.insert(indicator.id.as_str())
            || !is_identifier(&indicator.id)
            || !known
            || indicator.any_of.is_empty()
        {
            return Err(field(
                "indicators",
                format!("indicator `{}` is repeated or names unknown choices", indicator.id),
            ));
        }
    }
    if ins.scale(&ins.primary_scale).is_none() {
        return Err(field("primary_scale", format!("no scale `{}`", ins.primary_scale)));
    }
    if ins.text_source == TextSource::Licensee && !ins.instructions.is_empty() {
        return Err(field("instructions", "licensed instruments take their wording from the licensee's file".into()));
    }
    Ok(())
}

fn check_item(
    file: &str,
    ins: &Instrument,
    item: &super::Item,
    earlier: &HashSet<&str>,
) -> Result<(), InstrumentError> {
    let err = |field: &'static str, problem: String| InstrumentError::Item {
        file: file.to_owned(),
        item: item.id.clone(),
        field,
        problem,
    };
    if !is_identifier(&item.id) {
        return Err(err("id", "must be lower-case letters, digits and dashes".into()));
    }
    if earlier.contains(item.id.as_str()) {
        return Err(err("id", "defined twice".into()));
    }
    match ins.text_source {
        TextSource::Embedded => {
            for lang in &ins.languages {
                if !item.text.contains_key(lang) {
                    return Err(err("text", format!("no text for language `{lang}`")));
                }
            }
        }
        TextSource::Licensee if !item.text.is_empty() => {
            return Err(err(
                "text",
                "licensed wording must not be shipped; it is loaded from the licensee's file".into(),
            ));
        }
        TextSource::Licensee => {}
    }
    if item.text.values().any(|t| t.chars().count() > MAX_TEXT) {
        return Err(err("text", format!("longer than {MAX_TEXT} characters")));
    }
    match item.kind {
        ItemKind::Rating => {
            let set = item
                .option_set
                .as_deref()
                .ok_or_else(|| err("option_set", "a rating item needs an option set".into()))?;
            let options = ins.option_set(set).ok_or_else(|| err("option_set", format!("no option set `{set}`")))?;
            if let Some(threshold) = item.risk_threshold {
                let (low, high) = options.bounds().unwrap_or((0.0, 0.0));
                if !(threshold > low && threshold <= high) {
                    return Err(err("risk_threshold", format!("{threshold} is outside {low}-{high}")));
                }
            }
        }
        ItemKind::Choice | ItemKind::Checklist => {
            if item.choices.is_empty() {
                return Err(err("choices", "a choice item needs at least one choice".into()));
            }
            let mut codes = HashSet::new();
            for choice in &item.choices {
                if !is_identifier(&choice.code) || !codes.insert(choice.code.as_str()) {
                    return Err(err("choices", format!("choice `{}` is repeated or not an identifier", choice.code)));
                }
                if ins.text_source == TextSource::Embedded && localized(&choice.label, "en").is_none() {
                    return Err(err("choices", format!("choice `{}` has no label", choice.code)));
                }
            }
            if item.reverse || item.risk_threshold.is_some() {
                return Err(err("reverse", "only rating items can be reverse-keyed or critical".into()));
            }
        }
        ItemKind::Text => {
            if item.max_length.is_none_or(|n| n == 0 || n > 20_000) {
                return Err(err("max_length", "a text item needs a max_length between 1 and 20000".into()));
            }
        }
    }
    if item.kind != ItemKind::Rating && item.reverse {
        return Err(err("reverse", "only rating items can be reverse-keyed".into()));
    }
    if let Some(condition) = &item.shown_if {
        let target = ins
            .items
            .iter()
            .find(|i| i.id == condition.item && earlier.contains(i.id.as_str()))
            .ok_or_else(|| err("shown_if", format!("`{}` is not an earlier item", condition.item)))?;
        for code in &condition.any_of {
            if !target.choices.iter().any(|c| &c.code == code) {
                return Err(err("shown_if", format!("`{code}` is not a choice of `{}`", target.id)));
            }
        }
    }
    if let Some(code) = &item.loinc
        && !is_loinc(code)
    {
        return Err(err("loinc", format!("`{code}` is not a LOINC code (digits, dash, check digit)")));
    }
    Ok(())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// LOINC codes are digits, a dash and a mod-10 check digit.
fn is_loinc(code: &str) -> bool {
    let Some((body, check)) = code.split_once('-') else {
        return false;
    };
    if body.is_empty() || body.len() > 7 || check.len() != 1 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some(check) = check.bytes().next().filter(u8::is_ascii_digit).map(|b| b - b'0') else {
        return false;
    };
    loinc_check_digit(body) == check
}

/// The LOINC mod-10 check digit (Luhn variant: double every other digit starting from the rightmost).
fn loinc_check_digit(body: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        let d = u32::from(b - b'0');
        sum += if i % 2 == 0 {
            let doubled = d * 2;
            doubled / 10 + doubled % 10
        } else {
            d
        };
    }
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::is_loinc;

    #[test]
    fn loinc_check_digits_of_published_codes() {
        // Panel and total codes of docs/SCIENCE.md#loinc-codes and PHQ-9 item codes used in FHIR questionnaires.
        for code in ["44249-1", "44261-6", "69737-5", "70274-6", "44250-9", "44260-8"] {
            assert!(is_loinc(code), "{code}");
        }
        assert!(!is_loinc("44249-2"));
        assert!(!is_loinc("4424-91"));
        assert!(!is_loinc("abc-1"));
    }
}
