//! The barrier check's reading (issue 18): which of the four domains stand in the client's way and a short
//! decision path through them, in the order the clinical-support literature uses for clients who are not on
//! track: the alliance first, then motivation and readiness for change, social support, life events, and then
//! reconsidering the formulation or a referral (docs/SCIENCE.md#barrier-check). The wording of the check and
//! of every action is the project's own and is not validated.
//!
//! The flags come from the instrument's scoring (each domain scale's provisional cut-off), so this module only
//! reads scores: a domain flagged here is exactly a scale the scorer put in its concern range.

use crate::scoring::{ResponseFlags, ScaleScore};

/// One area the barrier check asks about, in the order a therapist should take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarrierDomain {
    Alliance,
    Motivation,
    SocialSupport,
    LifeEvents,
}

impl BarrierDomain {
    /// The order of the decision path.
    pub const ORDER: [BarrierDomain; 4] =
        [BarrierDomain::Alliance, BarrierDomain::Motivation, BarrierDomain::SocialSupport, BarrierDomain::LifeEvents];

    /// The barrier check's scale for this domain.
    pub fn scale(self) -> &'static str {
        match self {
            BarrierDomain::Alliance => "alliance",
            BarrierDomain::Motivation => "motivation",
            BarrierDomain::SocialSupport => "support",
            BarrierDomain::LifeEvents => "life-events",
        }
    }

    /// The message naming the domain.
    pub fn message(self) -> &'static str {
        match self {
            BarrierDomain::Alliance => "barrier-domain-alliance",
            BarrierDomain::Motivation => "barrier-domain-motivation",
            BarrierDomain::SocialSupport => "barrier-domain-support",
            BarrierDomain::LifeEvents => "barrier-domain-life-events",
        }
    }

    /// What to do when the domain is flagged, as message ids, most direct first.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            BarrierDomain::Alliance => &[
                "barrier-action-alliance-ask",
                "barrier-action-alliance-adjust",
                "barrier-action-alliance-supervision",
            ],
            BarrierDomain::Motivation => &[
                "barrier-action-motivation-explore",
                "barrier-action-motivation-goals",
                "barrier-action-motivation-pace",
            ],
            BarrierDomain::SocialSupport => {
                &["barrier-action-support-map", "barrier-action-support-involve", "barrier-action-support-community"]
            }
            BarrierDomain::LifeEvents => {
                &["barrier-action-events-attend", "barrier-action-events-problem-solve", "barrier-action-events-risk"]
            }
        }
    }
}

/// How one domain came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainStatus {
    /// In the concern range: take it up.
    Flagged,
    Clear,
    /// Not scored (items left out).
    NotAnswered,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DomainReading {
    pub domain: BarrierDomain,
    pub status: DomainStatus,
    /// The domain's score: an item mean (1-5) for the agreement domains, the impact (0-4) for life events.
    pub score: Option<f64>,
}

/// A barrier check read domain by domain, in [`BarrierDomain::ORDER`].
#[derive(Debug, Clone, PartialEq)]
pub struct BarrierReading {
    pub domains: Vec<DomainReading>,
}

/// Reads a scored barrier check. A hard life event whose impact was left out counts as flagged: the client said
/// something hard happened, and asking about it costs little.
pub fn read(scores: &[ScaleScore], flags: &ResponseFlags) -> BarrierReading {
    let domains = BarrierDomain::ORDER
        .into_iter()
        .map(|domain| {
            let scale = scores.iter().find(|s| s.scale == domain.scale());
            let score = scale.and_then(|s| s.value);
            let status = match (domain, scale.and_then(|s| s.concern)) {
                (BarrierDomain::LifeEvents, concern) if flags.has("life-event") => {
                    if concern == Some(false) {
                        DomainStatus::Clear
                    } else {
                        DomainStatus::Flagged
                    }
                }
                (BarrierDomain::LifeEvents, _) => DomainStatus::Clear,
                (_, Some(true)) => DomainStatus::Flagged,
                (_, Some(false)) => DomainStatus::Clear,
                (_, None) => DomainStatus::NotAnswered,
            };
            DomainReading { domain, status, score }
        })
        .collect();
    BarrierReading { domains }
}

impl BarrierReading {
    pub fn flagged(&self) -> impl Iterator<Item = BarrierDomain> + '_ {
        self.domains.iter().filter(|d| d.status == DomainStatus::Flagged).map(|d| d.domain)
    }
}

/// One step of the decision path.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionStep {
    /// The domain, or `None` for the last step: reconsider the formulation, consult, or refer.
    pub domain: Option<BarrierDomain>,
    pub status: Option<DomainStatus>,
    /// Message ids of what to do; empty for a domain that is clear or unanswered.
    pub actions: Vec<&'static str>,
    /// The step to take first: the first flagged domain, or the last step when none is flagged.
    pub first: bool,
}

/// Message ids of the last step: when no domain is flagged it comes first and says so.
pub const RECONSIDER_ACTIONS: [&str; 3] =
    ["barrier-action-reconsider-formulation", "barrier-action-reconsider-consult", "barrier-action-reconsider-refer"];

/// The decision path: every domain in order (actions for the flagged ones), then reconsidering the formulation
/// or a referral, which comes first when nothing is flagged.
pub fn decision_path(reading: &BarrierReading) -> Vec<DecisionStep> {
    let first_flagged = reading.flagged().next();
    let mut steps: Vec<DecisionStep> = reading
        .domains
        .iter()
        .map(|d| DecisionStep {
            domain: Some(d.domain),
            status: Some(d.status),
            actions: if d.status == DomainStatus::Flagged { d.domain.actions().to_vec() } else { Vec::new() },
            first: Some(d.domain) == first_flagged,
        })
        .collect();
    steps.push(DecisionStep {
        domain: None,
        status: None,
        actions: RECONSIDER_ACTIONS.to_vec(),
        first: first_flagged.is_none(),
    });
    steps
}
