//! Who may see and change which clinical records, decided here and nowhere else. Handlers ask for a
//! capability; holding the returned value is the proof that the check was made and audited.

use alliance_core::domain::Role;
use alliance_store::{AuditEvent, BreakGlass, Client, ClientId, SessionId, TherapySession, UserId};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

/// Why the user may read a client's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The client's own therapist.
    OwnCaseload,
    /// Supervisor of the client's therapist.
    Supervision,
    /// An administrator's break-glass grant for this client, running until `until`: read only, audited with the
    /// purpose `break-glass`, shown to the therapist.
    BreakGlass { until: time::OffsetDateTime },
}

/// Proof that the user may read this client's record.
#[derive(Debug, Clone)]
pub struct ReadClient {
    pub client: Client,
    pub via: Via,
}

/// Proof that the user may change this client's record (only their own therapist may).
#[derive(Debug, Clone)]
pub struct WriteClient {
    pub client: Client,
}

/// The therapists whose caseloads the user may see.
pub async fn caseload_scope(state: &AppState, who: &SignedIn) -> Result<Vec<UserId>, WebError> {
    Ok(match who.user.role {
        Role::Therapist => vec![who.user.id],
        Role::Supervisor => state.store.supervisees(who.user.id).await?,
        // Administrators run the practice without clinical content; researchers get de-identified data only.
        Role::Administrator | Role::Researcher => Vec::new(),
    })
}

pub async fn read_client(state: &AppState, who: &SignedIn, id: ClientId) -> Result<ReadClient, WebError> {
    // Unknown and forbidden look the same, so client ids cannot be probed.
    let client = state.store.client(id).await?.ok_or(WebError::NotFound)?;
    let via = if client.therapist == who.user.id && who.user.role == Role::Therapist {
        Via::OwnCaseload
    } else if who.user.role == Role::Supervisor
        && state.store.supervisees(who.user.id).await?.contains(&client.therapist)
    {
        Via::Supervision
    } else if let Some(grant) = break_glass(state, who, id).await? {
        Via::BreakGlass { until: grant.expires_at }
    } else {
        state.store.audit(who.audit(state.now(), "read-denied", "client", Some(id.0))).await?;
        return Err(WebError::NotFound);
    };
    let event = who.audit(state.now(), "read", "client", Some(id.0));
    let event = match via {
        Via::BreakGlass { .. } => AuditEvent { purpose: BREAK_GLASS, ..event },
        Via::OwnCaseload | Via::Supervision => event,
    };
    state.store.audit(event).await?;
    Ok(ReadClient { client, via })
}

/// The audit purpose of everything an administrator reads under a break-glass grant.
pub const BREAK_GLASS: &str = "break-glass";

/// How long a break-glass grant lasts.
pub const BREAK_GLASS_LIFETIME: time::Duration = time::Duration::hours(1);

/// An administrator's running break-glass grant for this client. Nobody else has break-glass access.
async fn break_glass(state: &AppState, who: &SignedIn, id: ClientId) -> Result<Option<BreakGlass>, WebError> {
    if who.user.role != Role::Administrator {
        return Ok(None);
    }
    Ok(state.store.active_break_glass(who.user.id, id, state.now()).await?)
}

pub async fn write_client(state: &AppState, who: &SignedIn, id: ClientId) -> Result<WriteClient, WebError> {
    let read = read_client(state, who, id).await?;
    if read.via != Via::OwnCaseload {
        return Err(WebError::Forbidden);
    }
    Ok(WriteClient { client: read.client })
}

/// A session of a client the user may change.
pub async fn write_session(
    state: &AppState,
    who: &SignedIn,
    id: SessionId,
) -> Result<(WriteClient, TherapySession), WebError> {
    let session = state.store.session(id).await?.ok_or(WebError::NotFound)?;
    let client = write_client(state, who, session.client).await?;
    Ok((client, session))
}

/// A session of a client the user may read.
pub async fn read_session(
    state: &AppState,
    who: &SignedIn,
    id: SessionId,
) -> Result<(ReadClient, TherapySession), WebError> {
    let session = state.store.session(id).await?.ok_or(WebError::NotFound)?;
    let client = read_client(state, who, session.client).await?;
    Ok((client, session))
}

pub fn require_role(who: &SignedIn, role: Role) -> Result<(), WebError> {
    if who.user.role == role { Ok(()) } else { Err(WebError::Forbidden) }
}

/// Whether a therapist's reflection on a session may be shown to this reader: always to the client's own
/// therapist, to their supervisor only when shared for supervision (the application's rule), and never under
/// break-glass, which is for an emergency about the client and opens the clinical record, not what the
/// therapist wrote about their own feelings (issue 14, finding 3).
pub fn reflection_visible(via: Via, flags: &alliance_core::scoring::ResponseFlags) -> bool {
    match via {
        Via::OwnCaseload | Via::Supervision => alliance_app::reflection_visible(via == Via::OwnCaseload, flags),
        Via::BreakGlass { .. } => false,
    }
}

/// Refuses writing a reflection on a session recorded before the client's latest move to another therapist:
/// that reflection is the previous therapist's (docs/ARCHITECTURE.md, "Moving clients"), and saving would
/// replace it.
pub async fn refuse_previous_therapists_session(state: &AppState, session: &TherapySession) -> Result<(), WebError> {
    if state.store.sessions_before_move(session.client).await?.contains(&session.id) {
        return Err(WebError::BadRequest(
            "This session was held with the client's previous therapist: its reflection stays theirs.".into(),
        ));
    }
    Ok(())
}

/// Proof that the user may read a session's transcript and its coding (issue 21): the client's own therapist;
/// the therapist's supervisor only while that session's reflection is shared for supervision (as the
/// reflection itself); an administrator only under a running break-glass grant (the transcript is part of the
/// clinical record an emergency may need; audited with the purpose `break-glass`). Researchers and everyone
/// else never reach a session.
#[derive(Debug, Clone, Copy)]
pub struct ReadTranscript {
    pub via: Via,
}

impl ReadTranscript {
    /// The audit purpose of reading the transcript this way.
    pub fn purpose(self) -> &'static str {
        match self.via {
            Via::OwnCaseload => "care",
            Via::Supervision => "supervision",
            Via::BreakGlass { .. } => BREAK_GLASS,
        }
    }
}

pub fn read_transcript(
    read: &ReadClient,
    reflection: Option<&alliance_store::StoredResponse>,
) -> Option<ReadTranscript> {
    let allowed = match read.via {
        Via::OwnCaseload | Via::BreakGlass { .. } => true,
        Via::Supervision => reflection.is_some_and(|r| r.flags.has("supervision")),
    };
    allowed.then_some(ReadTranscript { via: read.via })
}
