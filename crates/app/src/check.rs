//! The client's post-session check: the link behind a token, its questionnaires, and submitting the answers.
//! A link is single-use and expires; whatever happens to the answers, the outcome says whether they mention risk,
//! so that the client is shown where to get help even when nothing could be stored.

use alliance_core::instrument::Instrument;
use alliance_core::scoring::{AnswerError, Answers};
use alliance_store::{AuditEvent, LinkState, LinkView, NewResponse, StoreError};
use time::OffsetDateTime;

use crate::form::{FormReading, Section, read_form};
use crate::partnership::{CheckPartner, PartnerForm, is_partner_field, read_partner};
use crate::{App, AppError};

/// What became of a client's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckOutcome {
    /// Stored, every questionnaire at once.
    Sent { risk: bool },
    /// Some answers need fixing: what was given so far for each questionnaire, the first problem of the
    /// questionnaires if any, the goal and task fields as given with those that need fixing, and whether what was
    /// given mentions risk (the client is shown where to get help while fixing the form).
    Invalid { given: Vec<Answers>, problem: Option<(usize, AnswerError)>, partner: PartnerForm, risk: bool },
    /// The link was used or had expired (perhaps only just, by another request); nothing was stored.
    Refused { state: LinkState, risk: bool },
    /// The link no longer exists (its client was deleted meanwhile).
    Gone,
}

/// The prefix of a questionnaire's fields on the client's page, which shows several questionnaires at once
/// (`phq9.9` is PHQ-9's item 9).
pub fn check_field_prefix(instrument: &Instrument) -> String {
    format!("{}.", instrument.id)
}

impl App {
    /// The link behind a token's hash, with its state at `now`.
    pub async fn check_link(&self, token_hash: &[u8], now: OffsetDateTime) -> Result<Option<LinkView>, AppError> {
        Ok(self.store.link_by_token(token_hash, now).await?)
    }

    /// The link's questionnaires, in order, as their current definitions.
    pub fn check_instruments(&self, link: &LinkView) -> Result<Vec<&Instrument>, AppError> {
        link.administrations
            .iter()
            .map(|a| {
                self.catalog.get(&a.instrument.id).ok_or_else(|| AppError::InstrumentMissing(a.instrument.id.clone()))
            })
            .collect()
    }

    /// Whether the fields sent for the link mention risk, as far as they can be read: for the page shown when the
    /// answers could not be handled at all (the database unavailable), which still gives the crisis information.
    pub fn check_mentions_risk(&self, link: &LinkView, fields: &[(&str, &str)]) -> bool {
        let Ok(instruments) = self.check_instruments(link) else { return false };
        let prefixes: Vec<String> = instruments.iter().map(|i| check_field_prefix(i)).collect();
        let sections: Vec<Section<'_>> =
            instruments.iter().zip(&prefixes).map(|(instrument, prefix)| Section { instrument, prefix }).collect();
        read_form(&sections, fields).is_ok_and(|reading| reading.mentions_risk(&sections))
    }

    /// The therapist of the client a link is for: whom a risk answer's notice goes to. `None` when the session,
    /// episode or client is gone (erased meanwhile).
    pub async fn therapist_of_link(&self, link: &LinkView) -> Result<Option<alliance_store::UserId>, AppError> {
        let Some(session) = self.store.session(link.session).await? else { return Ok(None) };
        let Some(episode) = self.store.episode(session.episode).await? else { return Ok(None) };
        Ok(self.store.client(episode.client).await?.map(|c| c.therapist))
    }

    /// The client a link is for; `None` when their session, episode or record is gone.
    pub async fn client_of_link(&self, link: &LinkView) -> Result<Option<alliance_store::ClientId>, AppError> {
        let Some(session) = self.store.session(link.session).await? else { return Ok(None) };
        Ok(self.store.episode(session.episode).await?.map(|e| e.client))
    }

    /// Reads, scores and stores the client's answers to the link (already known by its token's hash), audited as
    /// the client's submission. Only one submission of a link can win, also between app servers.
    pub async fn submit_check(
        &self,
        link: &LinkView,
        token_hash: &[u8],
        fields: &[(&str, &str)],
        now: OffsetDateTime,
    ) -> Result<CheckOutcome, AppError> {
        let instruments = self.check_instruments(link)?;
        let prefixes: Vec<String> = instruments.iter().map(|i| check_field_prefix(i)).collect();
        let sections: Vec<Section<'_>> =
            instruments.iter().zip(&prefixes).map(|(instrument, prefix)| Section { instrument, prefix }).collect();
        let (partner_fields, fields): (Vec<_>, Vec<_>) = fields.iter().copied().partition(|(n, _)| is_partner_field(n));
        if link.state != LinkState::Open {
            // A form that cannot be read still says whether it mentions risk as far as it can be read.
            let risk = read_form(&sections, &fields).is_ok_and(|reading| reading.mentions_risk(&sections));
            return Ok(CheckOutcome::Refused { state: link.state, risk });
        }
        let partner: CheckPartner = self.check_partner(link).await?;
        let reading = read_form(&sections, &fields)?;
        let risk = reading.mentions_risk(&sections);
        let extras = read_partner(&partner, &partner_fields)?;
        let (scored, extras) = match (reading, extras) {
            (FormReading::Scored(scored), Ok(extras)) => (scored, extras),
            (FormReading::Invalid { given, section, error }, extras) => {
                let partner = extras.err().unwrap_or_else(|| given_partner(&partner_fields));
                return Ok(CheckOutcome::Invalid { given, problem: Some((section, error)), partner, risk });
            }
            (FormReading::Scored(scored), Err(partner)) => {
                let given = scored.into_iter().map(|s| s.answers).collect();
                return Ok(CheckOutcome::Invalid { given, problem: None, partner, risk });
            }
        };
        let responses = scored
            .into_iter()
            .zip(&link.administrations)
            .map(|(s, administration)| NewResponse {
                administration: Some(administration.id),
                answers: s.answers,
                flags: s.scores.flags,
                scores: s.scores.scales,
            })
            .collect();
        let audit = AuditEvent::system(now, "client-submitted", "session", "care");
        match self.store.submit_check(token_hash, responses, extras, audit, now).await {
            Ok(Ok(_)) => Ok(CheckOutcome::Sent { risk }),
            Ok(Err(state)) => Ok(CheckOutcome::Refused { state, risk }),
            Err(StoreError::NotFound) => Ok(CheckOutcome::Gone),
            Err(e) => Err(e.into()),
        }
    }
}

/// The partnership fields as given, when they were valid but the questionnaires were not: shown again as they were.
fn given_partner(fields: &[(&str, &str)]) -> PartnerForm {
    PartnerForm { values: fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(), errors: vec![] }
}
