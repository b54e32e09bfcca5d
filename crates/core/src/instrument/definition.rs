use serde::{Deserialize, Serialize};

/// A questionnaire: its items, how answers are scored and how scores are read.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Stable identifier used in storage and URLs, e.g. `phq9`.
    pub id: String,
    pub name: String,
    pub short_name: String,
    /// The heading a client sees, in plain words (falls back to `name`).
    #[serde(default)]
    pub client_title: Localized,
    /// Version of this definition; stored with every administration.
    pub version: u32,
    pub purpose: Purpose,
    pub rater: Rater,
    pub licence: Licence,
    /// False for the project's own instruments until a validation study exists; the interface says so.
    pub validated: bool,
    /// Where the item wording comes from.
    pub text_source: TextSource,
    /// The languages the wording is in; the first is the original.
    pub languages: Vec<String>,
    /// For each language after the first: whose translation it is and whether it was validated, with the norms
    /// that differ in that language (docs/SCIENCE.md, *Instruments in other languages*).
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, Translation>,
    /// Shown above the items, per language.
    #[serde(default)]
    pub instructions: Localized,
    /// Why we ask, in plain words for the client.
    #[serde(default)]
    pub why_we_ask: Localized,
    pub citation: String,
    /// Where a definition that is not the project's own came from, e.g. "imported from FHIR Questionnaire <url>"
    /// (`alliance fhir import`): such a definition is not checked or validated by the project.
    #[serde(default)]
    pub provenance: Option<String>,
    #[serde(default)]
    pub loinc: Option<Loinc>,
    pub option_sets: Vec<OptionSet>,
    pub items: Vec<Item>,
    pub scales: Vec<Scale>,
    /// Named yes/no facts read off choice answers (e.g. "a rupture was reported"), kept with the scores so
    /// that lists and signals need not re-read raw answers.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// The scale charted as this instrument's trajectory (e.g. `total`, or `alliance`).
    pub primary_scale: String,
}

/// One translation of an instrument's wording.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// A published translation, checked in a validation study. A validated instrument is offered only in those:
    /// its wording is part of what was validated, so an ad-hoc translation would be another questionnaire.
    pub validated: bool,
    /// Who made it and where it is published (for a validated one, the reference the wording is copied from).
    pub source: String,
    /// Cut-offs that differ in this language or population, by scale id, each with its own source.
    #[serde(default)]
    pub cutoffs: std::collections::BTreeMap<String, Cutoff>,
}

/// In which language an instrument is shown to someone who reads `wanted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    /// In the original wording.
    Original(&'a str),
    /// In a translation; `validated` as its file says.
    Translated { lang: &'a str, validated: bool },
    /// Not available in the wanted language: in the original wording, and the page says so.
    Fallback(&'a str),
}

impl Shown<'_> {
    /// The language whose texts are read.
    pub fn lang(&self) -> &str {
        match self {
            Shown::Original(l) | Shown::Fallback(l) | Shown::Translated { lang: l, .. } => l,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Outcome,
    Alliance,
    Reflection,
    /// Asked when a client is not on track or on the therapist's request, to find what stands in the way
    /// (issue 18): not part of the episode's regular measures.
    ClinicalSupport,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Rater {
    Client,
    Therapist,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Licence {
    PublicDomain,
    /// The project's own wording, free to use.
    ProjectOwn,
    /// Free to use and ship with credit to the authors, as the rights holder states (the terms are recorded in
    /// docs/SCIENCE.md).
    FreeWithCredit,
    /// Structure and scoring may ship; the wording belongs to a rights holder.
    LicensedText,
    /// Terms the project has not checked (a definition imported from FHIR): whoever installs it answers for the
    /// right to use its wording.
    Unknown,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TextSource {
    /// Item wording is in the definition file.
    Embedded,
    /// Item wording comes from a licensee's file at run time and must not be in the definition.
    Licensee,
}

/// Text per language code (`en`, `de`, ...).
pub type Localized = std::collections::BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Loinc {
    pub panel: String,
    pub total: Option<String>,
    /// False until the codes are confirmed against LOINC itself.
    pub verified: bool,
}

/// The answers an item accepts.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OptionSet {
    pub id: String,
    /// Labelled discrete answers; empty for a continuous range.
    #[serde(default)]
    pub options: Vec<ResponseOption>,
    /// A continuous answer range (visual-analogue scales).
    #[serde(default)]
    pub range: Option<ValueRange>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    pub value: f64,
    #[serde(default)]
    pub label: Localized,
    /// The option's code in FHIR (`valueCoding.code`); by default the value, e.g. `2`.
    #[serde(default)]
    pub code: Option<String>,
    /// The code system of `code`; by default the project's code system of the option set (`crate::fhir`).
    #[serde(default)]
    pub system: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValueRange {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub kind: ItemKind,
    #[serde(default)]
    pub text: Localized,
    /// For `rating` items: the option set answers come from.
    #[serde(default)]
    pub option_set: Option<String>,
    /// For `choice` and `checklist` items: the codes a client can pick, with labels.
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub reverse: bool,
    #[serde(default = "yes")]
    pub required: bool,
    /// A critical item: an answer at or above `risk_threshold` raises a risk signal at once.
    #[serde(default)]
    pub risk_threshold: Option<f64>,
    /// Only asked when another item has one of these answers (e.g. the rupture kind after "yes").
    #[serde(default)]
    pub shown_if: Option<Condition>,
    /// Upper bound on free text, in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub loinc: Option<String>,
    /// Further codes of the item besides `loinc` (an imported questionnaire's own codes).
    #[serde(default)]
    pub codes: Vec<Code>,
    /// The item's FHIR `linkId` when it is not a valid item id (an imported questionnaire's); by default the id.
    #[serde(default)]
    pub link_id: Option<String>,
    /// An item the practice switches on (e.g. `culture`, issue 20): left out of its forms, with the scales and
    /// indicators that read it, unless the practice asked for it (`Catalog::without_option`).
    #[serde(default)]
    pub practice_option: Option<String>,
}

/// A code in a code system, as FHIR's `Coding`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub system: String,
    pub code: String,
    #[serde(default)]
    pub display: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A numeric answer from an option set; the only kind that scores.
    Rating,
    /// One code from `choices`.
    Choice,
    /// Any number of codes from `choices`.
    Checklist,
    /// Free text.
    Text,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    #[serde(default)]
    pub label: Localized,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub item: String,
    pub any_of: Vec<String>,
}

/// Present when item `item` has any of the codes `any_of`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub item: String,
    pub any_of: Vec<String>,
}

/// A score computed from rating items: a total or a subscale.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub name: String,
    /// The name in other languages (a scale's name is the interface's, not the item wording).
    #[serde(default)]
    pub names: Localized,
    pub items: Vec<String>,
    pub method: Aggregation,
    pub direction: Direction,
    pub missing: MissingRule,
    /// Score bands in ascending order, contiguous over the scale's range.
    #[serde(default)]
    pub bands: Vec<Band>,
    #[serde(default)]
    pub cutoff: Option<Cutoff>,
    /// The change that counts as reliable on this scale (a published threshold where one exists).
    #[serde(default)]
    pub reliable_change: Option<ReliableChange>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregation {
    Sum,
    Mean,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    HigherIsBetter,
    HigherIsWorse,
}

/// What happens when items are left out. Pro-rating replaces missing items by the mean of the answered ones
/// (equivalent to scaling the sum); beyond `max_missing` the scale is not scored.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MissingRule {
    pub max_missing: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cutoff {
    /// Scores on the worse side of this value are in the clinical (or concern) range.
    pub value: f64,
    pub source: String,
    /// True when the value is a project default awaiting validation.
    #[serde(default)]
    pub provisional: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReliableChange {
    pub value: f64,
    pub source: String,
}

impl Instrument {
    /// The language this instrument is shown in to a reader of `wanted`: the original, a translation listed in
    /// `languages`, or else the original with a note.
    pub fn shown_in(&self, wanted: &str) -> Shown<'_> {
        let original = self.languages.first().map_or("en", String::as_str);
        if wanted == original {
            return Shown::Original(original);
        }
        match (self.languages.iter().find(|l| *l == wanted), self.translations.get(wanted)) {
            (Some(lang), Some(t)) => Shown::Translated { lang, validated: t.validated },
            _ => Shown::Fallback(original),
        }
    }

    /// A scale's name for readers of `lang`, else its own.
    pub fn scale_name_in<'a>(&self, scale: &'a Scale, lang: &str) -> &'a str {
        // Not `localized`: its last resort is any language at all, and a scale always has its own name. Without
        // this, an English reader saw the relationship check's scales in Arabic, the first translation listed.
        scale.names.get(lang).map_or(&scale.name, String::as_str)
    }

    /// The cut-off of a scale for readers of `lang`: the translation's own where its file gives one.
    pub fn cutoff_in(&self, scale: &Scale, lang: &str) -> Option<Cutoff> {
        self.translations.get(lang).and_then(|t| t.cutoffs.get(&scale.id)).or(scale.cutoff.as_ref()).cloned()
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|scale| scale.id == id)
    }

    pub fn primary(&self) -> Option<&Scale> {
        self.scale(&self.primary_scale)
    }

    pub fn option_set(&self, id: &str) -> Option<&OptionSet> {
        self.option_sets.iter().find(|set| set.id == id)
    }

    /// The option set of a rating item.
    pub fn options_of(&self, item: &Item) -> Option<&OptionSet> {
        item.option_set.as_deref().and_then(|id| self.option_set(id))
    }

    /// Items in the order asked, for one rater-facing form.
    pub fn rating_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|item| item.kind == ItemKind::Rating)
    }
}

impl OptionSet {
    /// Lowest and highest value an answer can take.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        if let Some(range) = self.range {
            return Some((range.min, range.max));
        }
        let min = self.options.iter().map(|o| o.value).reduce(f64::min)?;
        let max = self.options.iter().map(|o| o.value).reduce(f64::max)?;
        Some((min, max))
    }

    /// Whether `value` is an answer this set allows.
    pub fn accepts(&self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        match self.range {
            Some(range) => {
                let steps = (value - range.min) / range.step;
                value >= range.min && value <= range.max && (steps - steps.round()).abs() < 1e-6
            }
            None => self.options.iter().any(|o| o.value == value),
        }
    }
}

impl Scale {
    /// The range a score on this scale can take, given the item bounds.
    pub fn bounds(&self, instrument: &Instrument) -> Option<(f64, f64)> {
        let mut low = 0.0;
        let mut high = 0.0;
        for id in &self.items {
            let item = instrument.item(id)?;
            let (min, max) = instrument.options_of(item)?.bounds()?;
            low += min;
            high += max;
        }
        let n = self.items.len() as f64;
        match self.method {
            Aggregation::Sum => Some((low, high)),
            Aggregation::Mean if n > 0.0 => Some((low / n, high / n)),
            Aggregation::Mean => None,
        }
    }

    pub fn band_of(&self, score: f64) -> Option<&Band> {
        self.bands.iter().find(|band| score >= band.from && score <= band.to).or_else(|| {
            // Pro-rated scores can fall between integer bands; take the band whose range is nearest below.
            self.bands.iter().rev().find(|band| score >= band.from)
        })
    }

    /// True when the score is on the clinical or concern side of the cut-off.
    pub fn in_concern_range(&self, score: f64) -> Option<bool> {
        let cutoff = self.cutoff.as_ref()?.value;
        Some(match self.direction {
            Direction::HigherIsWorse => score >= cutoff,
            Direction::HigherIsBetter => score < cutoff,
        })
    }
}

/// Picks the text for a language, falling back to English and then to any language present.
pub fn localized<'a>(text: &'a Localized, lang: &str) -> Option<&'a str> {
    text.get(lang).or_else(|| text.get("en")).or_else(|| text.values().next()).map(String::as_str)
}
