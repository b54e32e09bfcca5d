//! Culture in the relationship (issue 20, item 2; Sue & Sue): the practice's switch for the culture item and the
//! background questions, the categories it asks about, and the client's own words for each.
//!
//! A background answer is the client's, in their words: optional, asked with their consent, sealed, changed or
//! removed by them on their own page. Beside the words the client says whether it matters in their therapy and
//! whether they feel their therapist shares it; the research report reads those two for "match on what the
//! client said matters", so no therapist is ever asked to describe themselves.

use crate::domain::ParseError;

/// The option that marks the culture items in the instrument files (`practice_option = "culture"`).
pub const CULTURE_OPTION: &str = "culture";

/// The categories asked about when the practice names none.
pub const DEFAULT_CATEGORIES: [&str; 5] = ["language", "identity", "faith", "gender", "age-band"];

/// At most this many categories: a short, answerable page.
pub const MAX_CATEGORIES: usize = 12;
/// The longest category id and label.
pub const MAX_CATEGORY_ID: usize = 40;
pub const MAX_CATEGORY_LABEL: usize = 80;
/// The longest answer, in characters.
pub const MAX_BACKGROUND_TEXT: usize = 200;

/// One thing the practice asks about. A default category's label is a message in every language; a practice's
/// own category carries the label the practice wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundCategory {
    pub id: String,
    pub label: Option<String>,
}

impl BackgroundCategory {
    /// Whether the interface has words for it in every language (`background-category-<id>`).
    pub fn is_default(&self) -> bool {
        self.label.is_none() && DEFAULT_CATEGORIES.contains(&self.id.as_str())
    }
}

/// The practice's choice: whether culture is switched on, and which categories are asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CultureSettings {
    pub enabled: bool,
    pub categories: Vec<BackgroundCategory>,
}

impl Default for CultureSettings {
    /// Switched off, with the default categories ready for when it is switched on.
    fn default() -> Self {
        CultureSettings { enabled: false, categories: default_categories() }
    }
}

impl CultureSettings {
    pub fn category(&self, id: &str) -> Option<&BackgroundCategory> {
        self.categories.iter().find(|c| c.id == id)
    }
}

pub fn default_categories() -> Vec<BackgroundCategory> {
    DEFAULT_CATEGORIES.iter().map(|id| BackgroundCategory { id: (*id).to_owned(), label: None }).collect()
}

/// Parses `--background-categories`: comma-separated `id` or `id=Label`, ids of lower-case letters, digits and
/// hyphens. Empty: the defaults.
pub fn parse_categories(raw: &str) -> Result<Vec<BackgroundCategory>, String> {
    if raw.trim().is_empty() {
        return Ok(default_categories());
    }
    let mut out: Vec<BackgroundCategory> = Vec::new();
    for part in raw.split(',') {
        let (id, label) = match part.split_once('=') {
            Some((id, label)) => (id.trim(), Some(label)),
            None => (part.trim(), None),
        };
        let good_id = !id.is_empty()
            && id.len() <= MAX_CATEGORY_ID
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !good_id {
            return Err(format!(
                "`{}`: a category id is 1 to {MAX_CATEGORY_ID} lower-case letters, digits or hyphens",
                id.chars().take(MAX_CATEGORY_ID).collect::<String>()
            ));
        }
        let label = match label {
            Some(l) => Some(
                crate::text_policy::single_line("category label", l, MAX_CATEGORY_LABEL)
                    .map_err(|e| format!("`{id}`: {e}"))?,
            ),
            None => None,
        };
        if out.iter().any(|c| c.id == id) {
            return Err(format!("`{id}` is named twice"));
        }
        out.push(BackgroundCategory { id: id.to_owned(), label });
    }
    if out.len() > MAX_CATEGORIES {
        return Err(format!("at most {MAX_CATEGORIES} categories"));
    }
    Ok(out)
}

/// The client's words for one category: one line, at most [`MAX_BACKGROUND_TEXT`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundText(String);

impl BackgroundText {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        crate::text_policy::single_line("background", raw, MAX_BACKGROUND_TEXT).map(BackgroundText)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A yes / no / not sure answer (whether it matters in therapy; whether the therapist shares it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YesNoUnsure {
    Yes,
    No,
    Unsure,
}

impl YesNoUnsure {
    pub const ALL: [YesNoUnsure; 3] = [YesNoUnsure::Yes, YesNoUnsure::No, YesNoUnsure::Unsure];

    pub fn as_str(self) -> &'static str {
        match self {
            YesNoUnsure::Yes => "yes",
            YesNoUnsure::No => "no",
            YesNoUnsure::Unsure => "unsure",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == word)
    }
}

/// The group a background answer falls in for the research report: the words with case and spacing set aside,
/// so "Spanish", " spanish " and "SPANISH" are one group.
pub fn group_of(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn categories_parse_with_defaults_and_labels() {
        assert_eq!(parse_categories("").unwrap(), default_categories());
        let parsed = parse_categories("language, region=Region of origin").unwrap();
        assert_eq!(parsed[1], BackgroundCategory { id: "region".into(), label: Some("Region of origin".into()) });
        assert!(parsed[0].is_default() && !parsed[1].is_default());
        assert!(parse_categories("Language").is_err(), "ids are lower case");
        assert!(parse_categories("a,a").is_err());
        assert!(parse_categories("a=x\u{202E}y").is_err());
        assert!(
            parse_categories(
                &vec!["a"; 13].iter().enumerate().map(|(i, _)| format!("c{i}")).collect::<Vec<_>>().join(",")
            )
            .is_err()
        );
    }

    #[test]
    fn answers_follow_the_text_policy() {
        assert_eq!(BackgroundText::parse("  Catalan  ").unwrap().as_str(), "Catalan");
        assert!(BackgroundText::parse("").is_err());
        assert!(BackgroundText::parse(&"x".repeat(201)).is_err());
        assert!(BackgroundText::parse("a\nb").is_err());
        assert_eq!(group_of("  Mixed   Heritage "), "mixed heritage");
        assert_eq!(YesNoUnsure::parse("unsure"), Some(YesNoUnsure::Unsure));
        assert_eq!(YesNoUnsure::parse("Yes"), None);
    }
}
