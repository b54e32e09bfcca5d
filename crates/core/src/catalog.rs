//! The instruments Alliance ships, embedded in the binary from the repository's `instruments/` folder, plus
//! licensed wording added at run time.

use std::collections::BTreeMap;

use crate::instrument::licensed::{LicensedText, LicensedTextError};
use crate::instrument::{self, Instrument, InstrumentError, Purpose, Rater, TextSource};

/// Identifiers of the instruments the workflow relies on.
pub const RELATIONSHIP_CHECK: &str = "relationship-check";
pub const THERAPIST_REFLECTION: &str = "therapist-reflection";
pub const PHQ9: &str = "phq9";
pub const GAD7: &str = "gad7";
pub const BARRIER_CHECK: &str = "barrier-check";
pub const MSPSS: &str = "mspss";

const BUILTIN: &[(&str, &str)] = &[
    ("instruments/relationship-check.toml", include_str!("../../../instruments/relationship-check.toml")),
    ("instruments/therapist-reflection.toml", include_str!("../../../instruments/therapist-reflection.toml")),
    ("instruments/phq9.toml", include_str!("../../../instruments/phq9.toml")),
    ("instruments/gad7.toml", include_str!("../../../instruments/gad7.toml")),
    ("instruments/wai-sr.toml", include_str!("../../../instruments/wai-sr.toml")),
    ("instruments/srs.toml", include_str!("../../../instruments/srs.toml")),
    ("instruments/barrier-check.toml", include_str!("../../../instruments/barrier-check.toml")),
    ("instruments/mspss.toml", include_str!("../../../instruments/mspss.toml")),
];

/// All known instruments. Licensed ones can be scored always, but administered only once the licensee's
/// wording is loaded.
#[derive(Debug, Clone)]
pub struct Catalog {
    instruments: BTreeMap<String, Instrument>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CatalogError {
    #[error(transparent)]
    Definition(#[from] InstrumentError),
    #[error(transparent)]
    LicensedText(#[from] LicensedTextError),
    #[error("{0}: expected a name like `wai-sr.en.txt` naming a known licensed instrument and a language")]
    LicensedFileName(String),
    #[error("{file}: instrument `{id}` is defined twice")]
    Duplicate { file: String, id: String },
}

impl Catalog {
    pub fn builtin() -> Result<Self, CatalogError> {
        Self::from_sources(BUILTIN.iter().copied())
    }

    pub fn from_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, CatalogError> {
        let mut instruments = BTreeMap::new();
        for (file, text) in sources {
            let parsed = instrument::parse(file, text)?;
            let id = parsed.id.clone();
            if instruments.insert(id.clone(), parsed).is_some() {
                return Err(CatalogError::Duplicate { file: file.to_owned(), id });
            }
        }
        Ok(Self { instruments })
    }

    /// Adds an instrument defined outside the binary, such as one `alliance fhir import` wrote from a FHIR
    /// Questionnaire. Its id must be new: a file cannot replace a built-in instrument (or an earlier file's).
    pub fn add_definition(&mut self, file: &str, text: &str) -> Result<(), CatalogError> {
        let parsed = instrument::parse(file, text)?;
        if self.instruments.contains_key(&parsed.id) {
            return Err(CatalogError::Duplicate { file: file.to_owned(), id: parsed.id });
        }
        self.instruments.insert(parsed.id.clone(), parsed);
        Ok(())
    }

    /// The outcome measures a therapist may choose for an episode: client-rated, with their wording available,
    /// the built-in PHQ-9 and GAD-7 first.
    pub fn outcome_measures(&self) -> Vec<&Instrument> {
        let mut measures: Vec<&Instrument> = self
            .all()
            .filter(|i| i.purpose == Purpose::Outcome && i.rater == Rater::Client && self.can_administer(&i.id))
            .collect();
        measures.sort_by_key(|i| ([PHQ9, GAD7].iter().position(|&b| b == i.id).unwrap_or(2), i.id.clone()));
        measures
    }

    /// Adds a licensee's wording from a file named `<instrument id>.<language>.txt`.
    pub fn add_licensed_text(&mut self, file_name: &str, text: &str) -> Result<(), CatalogError> {
        let bad_name = || CatalogError::LicensedFileName(file_name.to_owned());
        let stem = file_name.strip_suffix(".txt").ok_or_else(bad_name)?;
        let (id, lang) = stem.rsplit_once('.').ok_or_else(bad_name)?;
        let instrument = self.instruments.get(id).ok_or_else(bad_name)?;
        if !instrument.languages.iter().any(|l| l == lang) {
            return Err(bad_name());
        }
        let wording = LicensedText::parse(file_name, instrument, text)?;
        let mut filled = wording.apply(instrument, lang);
        // Once the wording is in, the definition behaves like any other for this deployment.
        filled.text_source = TextSource::Embedded;
        self.instruments.insert(id.to_owned(), filled);
        Ok(())
    }

    /// Leaves out every item marked with this practice option, and the scales and indicators that read one, for
    /// a practice that did not switch it on. Answers stored while it was on keep their stored scores.
    pub fn without_option(&mut self, option: &str) {
        for instrument in self.instruments.values_mut() {
            let dropped: Vec<String> = instrument
                .items
                .iter()
                .filter(|i| i.practice_option.as_deref() == Some(option))
                .map(|i| i.id.clone())
                .collect();
            if dropped.is_empty() {
                continue;
            }
            instrument.items.retain(|i| !dropped.contains(&i.id));
            instrument.scales.retain(|s| !s.items.iter().any(|i| dropped.contains(i)));
            instrument.indicators.retain(|i| !dropped.contains(&i.item));
        }
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.get(id)
    }

    pub fn all(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.values()
    }

    /// Whether the instrument's wording is available, so it can be put in front of a respondent.
    pub fn can_administer(&self, id: &str) -> bool {
        self.get(id).is_some_and(|i| i.text_source == TextSource::Embedded)
    }
}
