//! Item wording supplied by a licensee at run time, for instruments whose text we may not ship.
//!
//! The file is plain UTF-8 text, one entry per line: a key, a tab, and the text. Keys are `title`,
//! `instructions`, `item.<item id>` and `option.<option set id>.<value>`; lines starting with `#` and blank
//! lines are ignored. Every item of the instrument must be present; unknown keys are refused so a typo
//! cannot silently leave an item without wording.

use std::collections::BTreeMap;

use super::{Instrument, TextSource};

/// Refuse absurd files early: a 12-item questionnaire does not need megabytes.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
const MAX_ENTRY_CHARS: usize = 2_000;

/// The licensee's wording for one instrument in one language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LicensedText {
    pub title: Option<String>,
    pub instructions: Option<String>,
    pub items: BTreeMap<String, String>,
    /// Keyed by option set id, then the value as written in the file.
    pub options: BTreeMap<(String, String), String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LicensedTextError {
    #[error("{file}: the file is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge { file: String },
    #[error("{file}: instrument `{instrument}` does not take licensed wording")]
    NotLicensed { file: String, instrument: String },
    #[error("{file}, line {line}: {problem}")]
    Line { file: String, line: usize, problem: String },
    #[error("{file}: no wording for item `{item}`")]
    MissingItem { file: String, item: String },
}

impl LicensedText {
    pub fn parse(file: &str, instrument: &Instrument, text: &str) -> Result<Self, LicensedTextError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(LicensedTextError::TooLarge { file: file.to_owned() });
        }
        if instrument.text_source != TextSource::Licensee {
            return Err(LicensedTextError::NotLicensed { file: file.to_owned(), instrument: instrument.id.clone() });
        }
        let mut parsed = LicensedText::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let bad = |problem: String| LicensedTextError::Line { file: file.to_owned(), line, problem };
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let (key, value) = raw.split_once('\t').ok_or_else(|| bad("expected a key, a tab and the text".into()))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(bad(format!("`{key}` has no text")));
            }
            if value.chars().count() > MAX_ENTRY_CHARS {
                return Err(bad(format!("`{key}` is longer than {MAX_ENTRY_CHARS} characters")));
            }
            if value.chars().any(|c| c.is_control()) {
                return Err(bad(format!("`{key}` contains control characters")));
            }
            let duplicate = match key.split_once('.') {
                None if key == "title" => parsed.title.replace(value.to_owned()).is_some(),
                None if key == "instructions" => parsed.instructions.replace(value.to_owned()).is_some(),
                Some(("item", id)) => {
                    if instrument.item(id).is_none() {
                        return Err(bad(format!("instrument `{}` has no item `{id}`", instrument.id)));
                    }
                    parsed.items.insert(id.to_owned(), value.to_owned()).is_some()
                }
                Some(("option", rest)) => {
                    let (set, option) =
                        rest.split_once('.').ok_or_else(|| bad(format!("`{key}` should be option.<set>.<value>")))?;
                    let known = instrument.option_set(set).is_some_and(|s| {
                        option.parse::<f64>().is_ok_and(|v| s.options.iter().any(|o| o.value == v) || s.range.is_some())
                    });
                    if !known {
                        return Err(bad(format!("instrument `{}` has no option `{set}.{option}`", instrument.id)));
                    }
                    parsed.options.insert((set.to_owned(), option.to_owned()), value.to_owned()).is_some()
                }
                _ => return Err(bad(format!("unknown key `{key}`"))),
            };
            if duplicate {
                return Err(bad(format!("`{key}` appears twice")));
            }
        }
        for item in &instrument.items {
            if !parsed.items.contains_key(&item.id) {
                return Err(LicensedTextError::MissingItem { file: file.to_owned(), item: item.id.clone() });
            }
        }
        Ok(parsed)
    }

    /// A copy of the instrument with the licensee's wording filled in for `lang`.
    pub fn apply(&self, instrument: &Instrument, lang: &str) -> Instrument {
        let mut filled = instrument.clone();
        if let Some(instructions) = &self.instructions {
            filled.instructions.insert(lang.to_owned(), instructions.clone());
        }
        for item in &mut filled.items {
            if let Some(text) = self.items.get(&item.id) {
                item.text.insert(lang.to_owned(), text.clone());
            }
        }
        for set in &mut filled.option_sets {
            for option in &mut set.options {
                let key = (set.id.clone(), format_value(option.value));
                if let Some(label) = self.options.get(&key) {
                    option.label.insert(lang.to_owned(), label.clone());
                }
            }
        }
        filled
    }
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 { format!("{}", value as i64) } else { format!("{value}") }
}
