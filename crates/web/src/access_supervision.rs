//! Capabilities for supervision, beside `access.rs`: who may see a therapist's patterns, and who may read and
//! write the comment thread on a session's reflection. Unknown and forbidden look the same (404), and refusals
//! are audited like in `access.rs`.

use alliance_core::catalog::THERAPIST_REFLECTION;
use alliance_core::domain::Role;
use alliance_store::{SessionId, StoredResponse, TherapySession, User, UserId};

use crate::access::{self, ReadClient, Via};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

/// An audit entry whose purpose is supervision (the log can then tell supervision from direct care).
pub fn audit(
    who: &SignedIn,
    at: time::OffsetDateTime,
    action: &'static str,
    kind: &'static str,
    id: Option<i64>,
) -> alliance_store::AuditEvent {
    alliance_store::AuditEvent { purpose: "supervision", ..who.audit(at, action, kind, id) }
}

/// Proof that the user may see this therapist's patterns: the therapist themselves or their supervisor.
pub struct SeePatterns {
    pub therapist: User,
    pub own: bool,
}

pub async fn see_patterns(state: &AppState, who: &SignedIn, therapist: UserId) -> Result<SeePatterns, WebError> {
    let own = who.user.role == Role::Therapist && who.user.id == therapist;
    let supervises =
        who.user.role == Role::Supervisor && state.store.supervisees(who.user.id).await?.contains(&therapist);
    let user = match state.store.user(therapist).await? {
        Some(u) if (own || supervises) && u.role == Role::Therapist => u,
        _ => {
            state.store.audit(audit(who, state.now(), "read-denied", "patterns", Some(therapist.0))).await?;
            return Err(WebError::NotFound);
        }
    };
    state.store.audit(audit(who, state.now(), "read", "patterns", Some(therapist.0))).await?;
    Ok(SeePatterns { therapist: user, own })
}

/// Proof that the user may read the supervision thread of a session's reflection: the client's own therapist
/// always, the therapist's supervisor only while the reflection is shared for supervision.
pub struct ReadThread {
    pub read: ReadClient,
    pub session: TherapySession,
    pub reflection: Option<StoredResponse>,
}

impl ReadThread {
    /// The reflection is shared for supervision.
    pub fn shared(&self) -> bool {
        self.reflection.as_ref().is_some_and(|r| r.flags.has("supervision"))
    }

    /// Writing needs a shared reflection: a therapist who takes a session back out of supervision closes the
    /// conversation (they still read what was said).
    pub fn may_write(&self) -> bool {
        self.shared()
    }
}

/// The thread of a session, or 404 for anyone but the therapist and their supervisor (who also gets 404 while
/// the reflection is not shared).
pub async fn read_thread(state: &AppState, who: &SignedIn, id: SessionId) -> Result<ReadThread, WebError> {
    let (read, session) = access::read_session(state, who, id).await?;
    let reflection = state
        .store
        .responses_of(read.client.id)
        .await?
        .into_iter()
        .find(|r| r.session == session.id && r.instrument.id == THERAPIST_REFLECTION);
    let via = read.via;
    match thread_of(read, session, reflection) {
        Some(thread) => Ok(thread),
        None => {
            let denied = audit(who, state.now(), "read-denied", "reflection-comments", Some(id.0));
            let denied = match via {
                Via::BreakGlass { .. } => alliance_store::AuditEvent { purpose: access::BREAK_GLASS, ..denied },
                Via::OwnCaseload | Via::Supervision => denied,
            };
            state.store.audit(denied).await?;
            Err(WebError::NotFound)
        }
    }
}

/// The thread rule applied to a session the user may already read (the session page): `None` for a
/// supervisor while the reflection is not shared, and always under break-glass (the thread is between the
/// therapist and their supervisor and says so; an emergency needs the record, not it).
pub fn thread_of(read: ReadClient, session: TherapySession, reflection: Option<StoredResponse>) -> Option<ReadThread> {
    let thread = ReadThread { read, session, reflection };
    let allowed = match thread.read.via {
        Via::OwnCaseload => true,
        Via::Supervision => thread.shared(),
        Via::BreakGlass { .. } => false,
    };
    allowed.then_some(thread)
}
