//! Culture in the relationship (issue 20, item 2): the alliance level, the outcome and the culture item by what
//! clients said about their background, and by whether they feel their therapist shares what they said matters.
//! Every group of fewer than [`MIN_CELL_CLIENTS`] clients is left out, its words included, and only counted.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::outcomes::improvement;
use super::{ClientRows, MIN_CELL_CLIENTS, ResearchData};
use crate::culture::YesNoUnsure;

/// What one client said about one category, for one course of theirs.
#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundFact {
    pub category: String,
    /// The client's words as a group (`culture::group_of`).
    pub group: String,
    pub matters: YesNoUnsure,
    pub shared: YesNoUnsure,
}

/// One course's background (a client with two episodes has two, with the same facts).
#[derive(Debug, Clone, PartialEq)]
pub struct CourseBackground {
    pub course: String,
    pub facts: Vec<BackgroundFact>,
    /// The mean of the client's culture item in this course, where they answered it.
    pub culture: Option<f64>,
}

/// One group's figures; a mean is given only when at least [`MIN_CELL_CLIENTS`] clients contribute to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CultureCell {
    pub group: String,
    pub clients: usize,
    /// The mean over clients of each client's mean alliance total.
    pub mean_alliance: Option<f64>,
    /// The mean pre-post improvement on the outcome measure (positive is better).
    pub mean_improvement: Option<f64>,
    /// The mean over clients of each client's mean culture item (1-5).
    pub mean_culture: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryGroups {
    pub category: String,
    pub groups: Vec<CultureCell>,
    /// Groups left out because fewer than the smallest cell said so, and how many clients they hold together.
    pub suppressed_groups: usize,
    pub suppressed_clients: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CultureReport {
    pub outcome_measure: String,
    pub clients_with_background: usize,
    pub categories: Vec<CategoryGroups>,
    /// By whether the client feels their therapist shares what they said matters: `shares`, `does-not-share`,
    /// `unsure`, `nothing-marked` (no category marked as mattering); small groups left out as above.
    pub by_match: Vec<CultureCell>,
    /// Match groups left out as too small, and how many clients they hold together.
    pub suppressed_match_groups: usize,
    pub suppressed_match_clients: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CultureError {
    #[error("no consenting client has described their background")]
    NoBackground,
}

/// The client's match on what they said matters.
pub fn match_of(facts: &[BackgroundFact]) -> &'static str {
    let mattering: Vec<&BackgroundFact> = facts.iter().filter(|f| f.matters == YesNoUnsure::Yes).collect();
    if mattering.is_empty() {
        "nothing-marked"
    } else if mattering.iter().any(|f| f.shared == YesNoUnsure::No) {
        "does-not-share"
    } else if mattering.iter().all(|f| f.shared == YesNoUnsure::Yes) {
        "shares"
    } else {
        "unsure"
    }
}

struct Member {
    alliance: Option<f64>,
    improvement: Option<f64>,
    culture: Option<f64>,
}

fn mean_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    let values: Vec<f64> = values.collect();
    (values.len() >= MIN_CELL_CLIENTS).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn cell(group: &str, members: &[&Member]) -> CultureCell {
    CultureCell {
        group: group.to_owned(),
        clients: members.len(),
        mean_alliance: mean_of(members.iter().filter_map(|m| m.alliance)),
        mean_improvement: mean_of(members.iter().filter_map(|m| m.improvement)),
        mean_culture: mean_of(members.iter().filter_map(|m| m.culture)),
    }
}

/// The listed cells (largest first, then by name) and the left-out groups' count and clients.
fn cells(groups: BTreeMap<String, Vec<&Member>>) -> (Vec<CultureCell>, usize, usize) {
    let (mut shown, mut hidden_groups, mut hidden_clients) = (Vec::new(), 0, 0);
    for (group, members) in groups {
        if members.len() < MIN_CELL_CLIENTS {
            hidden_groups += 1;
            hidden_clients += members.len();
        } else {
            shown.push(cell(&group, &members));
        }
    }
    shown.sort_by(|a, b| b.clients.cmp(&a.clients).then_with(|| a.group.cmp(&b.group)));
    (shown, hidden_groups, hidden_clients)
}

pub(crate) fn culture(clients: &[ClientRows<'_>], data: &ResearchData) -> Result<CultureReport, CultureError> {
    let rows: HashMap<&str, &ClientRows<'_>> = clients.iter().map(|c| (c.id, c)).collect();
    let described: Vec<&CourseBackground> = data.backgrounds.iter().filter(|b| !b.facts.is_empty()).collect();
    if described.is_empty() {
        return Err(CultureError::NoBackground);
    }
    let members: Vec<Member> = described
        .iter()
        .map(|b| {
            let course = rows.get(b.course.as_str());
            let alliance = course.and_then(|c| {
                let values: Vec<f64> = c.rows.iter().filter_map(|r| r.alliance).collect();
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
            });
            let improvement = course.and_then(|c| improvement(c, data)).map(|(_, _, change)| change);
            Member { alliance, improvement, culture: b.culture }
        })
        .collect();
    let mut by_category: BTreeMap<&str, BTreeMap<String, Vec<&Member>>> = BTreeMap::new();
    let mut by_match: BTreeMap<String, Vec<&Member>> = BTreeMap::new();
    for (background, member) in described.iter().zip(&members) {
        for fact in &background.facts {
            by_category.entry(fact.category.as_str()).or_default().entry(fact.group.clone()).or_default().push(member);
        }
        by_match.entry(match_of(&background.facts).to_owned()).or_default().push(member);
    }
    let categories = by_category
        .into_iter()
        .map(|(category, groups)| {
            let (groups, suppressed_groups, suppressed_clients) = cells(groups);
            CategoryGroups { category: category.to_owned(), groups, suppressed_groups, suppressed_clients }
        })
        .collect();
    let (by_match, suppressed_match_groups, suppressed_match_clients) = cells(by_match);
    Ok(CultureReport {
        outcome_measure: data.outcome_measure.clone(),
        clients_with_background: described.len(),
        categories,
        by_match,
        suppressed_match_groups,
        suppressed_match_clients,
    })
}
