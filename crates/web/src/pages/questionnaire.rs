//! Turns instrument definitions and answers into form views, and form posts back into answers.

use alliance_core::instrument::{Instrument, ItemKind, Shown, localized};
use alliance_core::scoring::{Answer, AnswerError, Answers, is_shown};

use super::number;

pub struct SectionView {
    pub title: String,
    /// "Part 2 of 4" on the client's check, which shows several; empty elsewhere.
    pub part: String,
    pub instructions: Option<String>,
    pub why: Option<String>,
    pub not_validated: bool,
    /// Shown in a translation the project made and nobody has validated.
    pub translation_not_validated: bool,
    /// The language of the wording when it is not the page's (a validated measure without a validated translation
    /// into the reader's language stays in its original): marked up so, with a note in the reader's language.
    pub lang: Option<String>,
    pub items: Vec<ItemView>,
}

pub struct ItemView {
    pub name: String,
    /// Asked only after a particular answer to an earlier question, named here (hidden by CSS until then).
    pub followup: Option<String>,
    pub text: String,
    /// `radio`, `checkbox`, `number` or `text`.
    pub kind: &'static str,
    pub options: Vec<OptionView>,
    pub required: bool,
    pub error: Option<String>,
    pub min: String,
    pub max: String,
    pub step: String,
    pub value: String,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The form section for one instrument, in the reader's language where the instrument has it. Field names are
/// `prefix` + item id; `error` marks the failing item.
pub fn section(ins: &Instrument, prefix: &str, answers: &Answers, error: Option<&AnswerError>) -> SectionView {
    let tr = crate::language::current();
    let shown = ins.shown_in(tr.lang().instrument_language());
    let lang = shown.lang();
    // In the pseudo-locale the instrument's own texts are transformed too, so that its test sees only messages
    // and data; in a real language they are the file's words as they are.
    let words = |t: &str| tr.data_text(t).into_owned();
    let failing = match error {
        Some(AnswerError::Invalid { item, .. } | AnswerError::Required(item)) => Some(item.as_str()),
        _ => None,
    };
    let items = ins
        .items
        .iter()
        .map(|item| {
            let answer = answers.get(&item.id);
            let text = words(localized(&item.text, lang).unwrap_or(&item.id));
            let mut view = ItemView {
                name: format!("{prefix}{}", item.id),
                followup: item.shown_if.as_ref().map(|c| c.item.clone()),
                text,
                kind: "radio",
                options: Vec::new(),
                required: item.required && item.shown_if.is_none(),
                error: (failing == Some(item.id.as_str())).then(|| match error {
                    Some(AnswerError::Required(_)) => tr.t("check-answer-required"),
                    _ => tr.t("check-choose-one"),
                }),
                min: String::new(),
                max: String::new(),
                step: String::new(),
                value: String::new(),
            };
            match item.kind {
                ItemKind::Rating => match ins.options_of(item) {
                    Some(set) if set.range.is_some() => {
                        let range = set.range.unwrap_or(alliance_core::instrument::ValueRange {
                            min: 0.0,
                            max: 0.0,
                            step: 1.0,
                        });
                        view.kind = "number";
                        view.min = number(range.min);
                        view.max = number(range.max);
                        view.step = number(range.step);
                        if let Some(Answer::Value(v)) = answer {
                            view.value = number(*v);
                        }
                    }
                    Some(set) => {
                        view.options = set
                            .options
                            .iter()
                            .map(|o| OptionView {
                                value: number(o.value),
                                label: localized(&o.label, lang).map_or_else(|| number(o.value), words),
                                checked: matches!(answer, Some(Answer::Value(v)) if *v == o.value),
                            })
                            .collect();
                    }
                    None => {}
                },
                ItemKind::Choice | ItemKind::Checklist => {
                    view.kind = if item.kind == ItemKind::Choice { "radio" } else { "checkbox" };
                    view.options = item
                        .choices
                        .iter()
                        .map(|c| OptionView {
                            value: c.code.clone(),
                            label: words(localized(&c.label, lang).unwrap_or(&c.code)),
                            checked: match answer {
                                Some(Answer::Choice(code)) => code == &c.code,
                                Some(Answer::Choices(codes)) => codes.contains(&c.code),
                                _ => false,
                            },
                        })
                        .collect();
                }
                ItemKind::Text => {
                    view.kind = "text";
                    view.max = item.max_length.unwrap_or(0).to_string();
                    if let Some(Answer::Text(t)) = answer {
                        view.value = t.clone();
                    }
                }
            }
            view
        })
        .collect();
    SectionView {
        part: String::new(),
        title: words(localized(&ins.client_title, lang).unwrap_or(&ins.name)),
        instructions: localized(&ins.instructions, lang).map(words),
        why: localized(&ins.why_we_ask, lang).map(words),
        not_validated: !ins.validated,
        translation_not_validated: matches!(shown, Shown::Translated { validated: false, .. }),
        lang: matches!(shown, Shown::Fallback(_)).then(|| lang.to_owned()),
        items,
    }
}

/// Plain-language answer lines for item-level review: (question, answer).
/// (item id, question, answer shown) for each answered item.
pub fn answer_lines(ins: &Instrument, answers: &Answers, include_text: bool) -> Vec<(String, String, String)> {
    let tr = crate::language::current();
    let lang = ins.shown_in(tr.lang().instrument_language()).lang().to_owned();
    let lang = lang.as_str();
    ins.items
        .iter()
        .filter(|item| is_shown(item, answers))
        .filter(|item| include_text || item.kind != ItemKind::Text)
        .filter_map(|item| {
            let answer = answers.get(&item.id)?;
            let question = tr.data_text(localized(&item.text, lang).unwrap_or(&item.id)).into_owned();
            let label_of = |code: &str| {
                item.choices
                    .iter()
                    .find(|c| c.code == code)
                    .and_then(|c| localized(&c.label, lang))
                    .map_or_else(|| code.to_owned(), |l| tr.data_text(l).into_owned())
            };
            let shown = match answer {
                Answer::Value(v) => {
                    let label = ins
                        .options_of(item)
                        .and_then(|s| s.options.iter().find(|o| o.value == *v))
                        .and_then(|o| localized(&o.label, lang));
                    match label.map(|l| tr.data_text(l)) {
                        Some(l) => format!("{} ({l})", number(*v)),
                        None => number(*v),
                    }
                }
                Answer::Choice(code) => label_of(code),
                Answer::Choices(codes) => codes.iter().map(|c| label_of(c)).collect::<Vec<_>>().join("; "),
                Answer::Text(t) => t.clone(),
            };
            Some((item.id.clone(), question, shown))
        })
        .collect()
}

/// A scale's name in the reader's language (transformed in the pseudo-locale, like all instrument words).
pub fn scale_name(ins: &Instrument, scale: &alliance_core::instrument::Scale) -> String {
    let tr = crate::language::current();
    tr.data_text(ins.scale_name_in(scale, tr.lang().instrument_language())).into_owned()
}
