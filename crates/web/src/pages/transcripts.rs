//! A session's transcript (issue 21): attached by the client's therapist in two steps (the text, then who is
//! who among the speakers found), replaced or deleted by them, and shown on the session page coded, for
//! reflection, not rating. Who sees it is `access::read_transcript`.

use alliance_app::transcript::{SpeakerChoice, TranscriptError, TranscriptView};
use alliance_store::{SessionId, StoredResponse, TherapySession, TranscriptIndicators, TranscriptSummary};
use alliance_transcripts::indicators::{self, Indicator, MitiBand};
use alliance_transcripts::labels::{Behaviour, Level, QuestionKind, ReflectionKind, TalkType};
use alliance_transcripts::speakers::Role;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Nav;
use crate::access::{self, ReadClient};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id, UploadFields};
use crate::state::AppState;

/// The largest transcript post: the transcript crate's own limit, URL-encoded (a byte can take three), and the
/// rest of the form. The transcript's own size is then checked by the parser with its clear message.
pub const MAX_TRANSCRIPT_BODY_BYTES: usize = 3 * alliance_transcripts::parse::MAX_BYTES + 64 * 1024;

/// Whether a request may carry a transcript-sized body: the one route that takes a transcript.
pub fn takes_a_transcript(method: &axum::http::Method, path: &str) -> bool {
    let mut parts = path.split('/');
    method == axum::http::Method::POST
        && parts.next() == Some("")
        && parts.next() == Some("sessions")
        && parts.next().is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        && parts.next() == Some("transcript")
        && parts.next().is_none()
}

/// One indicator as shown: its value, MITI's threshold where MITI has one, and the utterances it counted.
pub struct IndicatorRow {
    pub name: String,
    pub value: String,
    pub threshold: Option<String>,
    pub behind: Vec<usize>,
}

pub struct UtteranceRow {
    pub number: usize,
    pub role: String,
    pub text: String,
    pub codes: String,
}

pub struct MarkerRow {
    pub kind: String,
    pub rule: String,
    pub span: String,
}

/// The transcript section of the session page.
pub struct TranscriptSection {
    pub coder: String,
    pub attached: String,
    pub indicators: Vec<IndicatorRow>,
    pub markers: Vec<MarkerRow>,
    pub utterances: Vec<UtteranceRow>,
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn band(value: Option<f64>, thresholds: (f64, f64), shown: &dyn Fn(Option<f64>) -> String) -> String {
    let tr = crate::language::current();
    let (fair, good) = thresholds;
    let standing = value.map(|v| match indicators::miti_band(v, thresholds) {
        MitiBand::Good => tr.t("transcript-band-good"),
        MitiBand::Fair => tr.t("transcript-band-fair"),
        MitiBand::BelowFair => tr.t("transcript-band-below"),
    });
    let limits = tr.t2("transcript-miti-threshold", "fair", shown(Some(fair)), "good", shown(Some(good)));
    match standing {
        Some(s) => format!("{limits} · {s}"),
        None => limits,
    }
}

/// A therapist behaviour's message (the codes are shown in the reader's language, never as AnnoMI's labels).
fn behaviour_message(b: Behaviour) -> &'static str {
    match b {
        Behaviour::Reflection => "transcript-code-reflection",
        Behaviour::Question => "transcript-code-question",
        Behaviour::Input => "transcript-code-therapist-input",
        Behaviour::Other => "transcript-code-other",
    }
}

/// The coded session as the page shows it; utterance numbers are 1-based.
pub fn section(view: &TranscriptView, who: &SignedIn) -> TranscriptSection {
    let tr = crate::language::current();
    let s = &view.indicators;
    let row = |key: &str, i: &Indicator, value: String, threshold: Option<String>| IndicatorRow {
        name: tr.t(key),
        value,
        threshold,
        behind: i.numerator.iter().map(|p| p + 1).collect(),
    };
    let mut rows = vec![
        row(
            "transcript-reflection-to-question",
            &s.reflection_to_question,
            ratio(s.reflection_to_question.value),
            Some(band(s.reflection_to_question.value, indicators::MITI_REFLECTION_TO_QUESTION, &ratio)),
        ),
        row(
            "transcript-complex-reflections",
            &s.complex_reflections,
            share(s.complex_reflections.value),
            Some(band(s.complex_reflections.value, indicators::MITI_COMPLEX_REFLECTIONS, &share)),
        ),
        row("transcript-open-questions", &s.open_questions, share(s.open_questions.value), None),
        row("transcript-change-talk", &s.change_talk, share(s.change_talk.value), None),
        row("transcript-therapist-talk", &s.therapist_talk, share(s.therapist_talk.value), None),
    ];
    for (key, i) in
        ["transcript-empathy-emotional", "transcript-empathy-interpretations", "transcript-empathy-explorations"]
            .iter()
            .zip(&s.empathy)
    {
        rows.push(row(key, i, share(i.value), None));
    }
    let role = |r: Role| tr.t(if r == Role::Therapist { "session-therapist" } else { "session-client" });
    let utterances = view
        .utterances
        .iter()
        .zip(&view.coded)
        .enumerate()
        .map(|(i, (u, c))| {
            let mut codes = Vec::new();
            if let Some(t) = c.therapist {
                codes.push(tr.t(behaviour_message(t.behaviour)));
                codes.extend(t.reflection.map(|k| {
                    tr.t(match k {
                        ReflectionKind::Simple => "transcript-code-simple",
                        ReflectionKind::Complex => "transcript-code-complex",
                    })
                }));
                codes.extend(t.question.map(|k| {
                    tr.t(match k {
                        QuestionKind::Open => "transcript-code-open",
                        QuestionKind::Closed => "transcript-code-closed",
                    })
                }));
            }
            codes.extend(c.talk.map(|t| {
                tr.t(match t {
                    TalkType::Change => "transcript-code-change-talk",
                    TalkType::Neutral => "transcript-code-neutral-talk",
                    TalkType::Sustain => "transcript-code-sustain-talk",
                })
            }));
            if let Some([er, ip, ex]) = c.empathy {
                let level = |l: Level| {
                    tr.t(match l {
                        Level::None => "transcript-level-0",
                        Level::Weak => "transcript-level-1",
                        Level::Strong => "transcript-level-2",
                    })
                };
                codes.push(tr.t3("transcript-code-empathy", "er", level(er), "ip", level(ip), "ex", level(ex)));
            }
            UtteranceRow { number: i + 1, role: role(u.role), text: u.text.clone(), codes: codes.join(", ") }
        })
        .collect();
    let markers = view
        .markers
        .iter()
        .map(|m| MarkerRow {
            kind: tr.t(match m.kind {
                alliance_transcripts::ruptures::MarkerKind::Withdrawal => "transcript-withdrawal",
                alliance_transcripts::ruptures::MarkerKind::Confrontation => "transcript-confrontation",
            }),
            rule: m.rule.clone(),
            span: if m.first == m.last {
                format!("{}", m.first + 1)
            } else {
                format!("{}–{}", m.first + 1, m.last + 1)
            },
        })
        .collect();
    let coder = if view.stored.coder == "rules" {
        tr.t("transcript-rule-coder")
    } else {
        tr.t1("transcript-trained-coder", "model", view.stored.coder.trim_start_matches("trained:"))
    };
    TranscriptSection {
        coder,
        attached: super::show_time(view.stored.attached_at, &who.zone),
        indicators: rows,
        markers,
        utterances,
    }
}

/// The transcript section for a reader of the session page, or `None` (no transcript, or not theirs to see).
/// Every read is audited, with the purpose of the way the reader came.
pub(crate) async fn for_session_page(
    state: &AppState,
    who: &SignedIn,
    read: &ReadClient,
    session: &TherapySession,
    reflection: Option<&StoredResponse>,
) -> Result<Option<TranscriptSection>, WebError> {
    let Some(may) = access::read_transcript(read, reflection) else { return Ok(None) };
    let Some(view) = state.app.transcript_view(session.id).await? else { return Ok(None) };
    let event = alliance_store::AuditEvent {
        purpose: may.purpose(),
        ..who.audit(state.now(), "read", "transcript", Some(session.id.0))
    };
    state.store.audit(event).await?;
    Ok(Some(section(&view, who)))
}

#[derive(Template)]
#[template(path = "transcript_speakers.html")]
struct SpeakersPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    session_id: i64,
    text: String,
    speakers: Vec<(usize, String, &'static str)>,
}

fn refused(e: &TranscriptError) -> WebError {
    WebError::BadRequest(crate::language::current().t1("transcript-refused", "why", e.to_string()))
}

/// `POST /sessions/{id}/transcript`: without `confirm`, reads the text (pasted, or an uploaded file's) and asks
/// who is who among its speakers; with it, codes and stores the transcript. Nothing is stored before the
/// confirmation, nor when it is refused. The speaker step carries the text on in its form, a file's as pasted text.
pub async fn attach(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    upload: UploadFields,
) -> Result<Response, WebError> {
    let UploadFields { fields: mut form, file } = upload;
    who.check_csrf(&mut form)?;
    let (write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    let pasted = form.one("text")?.unwrap_or("");
    let text = match file {
        Some(_) if !pasted.trim().is_empty() => {
            return Err(WebError::BadRequest(crate::language::current().t("transcript-both")));
        }
        // A file that is not UTF-8 gets the parser's own refusal (binary content, or not UTF-8, and where).
        Some(bytes) => String::from_utf8(bytes).map_err(|e| match alliance_app::transcript::read(e.as_bytes()) {
            Err(e) => refused(&e),
            Ok(_) => WebError::BadRequest(crate::language::current().t("error-upload-unreadable")),
        })?,
        None => pasted.to_owned(),
    };
    let text = text.as_str();
    let transcript = alliance_app::transcript::read(text.as_bytes()).map_err(|e| refused(&e))?;
    let speakers: Vec<String> = transcript.speakers().into_iter().map(str::to_owned).collect();
    if form.one("confirm")?.is_none() {
        let guess = |s: &str| {
            let s = s.to_lowercase();
            if ["therapist", "counselor", "counsellor", "clinician", "t"].contains(&s.as_str()) {
                "therapist"
            } else if ["client", "patient", "c"].contains(&s.as_str()) {
                "client"
            } else {
                ""
            }
        };
        let page = SpeakersPage {
            tr: crate::language::current(),
            nav: Nav::of(&who),
            session_id: session.id.0,
            text: text.to_owned(),
            speakers: speakers.iter().enumerate().map(|(i, s)| (i, s.clone(), guess(s))).collect(),
        };
        return Ok(Html(page.render()?).into_response());
    }
    let mut choice = SpeakerChoice::default();
    for (i, speaker) in speakers.iter().enumerate() {
        match form.one(&format!("role-{i}"))? {
            Some("therapist") => choice.therapists.push(speaker.clone()),
            Some("client") => choice.clients.push(speaker.clone()),
            Some("") | None => {
                return Err(WebError::BadRequest(crate::language::current().t1(
                    "transcript-unplaced",
                    "speaker",
                    speaker.clone(),
                )));
            }
            Some(_) => return Err(WebError::BadRequest(crate::language::current().t("transcript-bad-role"))),
        }
    }
    let now = state.now();
    let audit = who.audit(now, "create", "transcript", Some(session.id.0));
    state
        .app
        .attach_transcript(write.client.id, session.id, text.as_bytes(), &choice, who.user.id, audit, now)
        .await?
        .map_err(|e| refused(&e))?;
    Ok(Redirect::to(&format!("/sessions/{}#transcript", session.id.0)).into_response())
}

/// `POST /sessions/{id}/transcript/delete`: the therapist removes the session's transcript and its coding.
pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (_write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    let audit = who.audit(state.now(), "delete", "transcript", Some(session.id.0));
    state.store.delete_transcript(session.id, audit).await?;
    Ok(Redirect::to(&format!("/sessions/{}#transcript", session.id.0)).into_response())
}

/// Indicators of sessions with a transcript, one row per session (the client page) or one row per indicator
/// across sessions (the therapist's patterns); for reflection, not rating.
pub struct TrendView {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Where each row's first cell leads (the client page's rows open their session).
    pub links: Vec<Option<String>>,
}

/// The five main indicators: (message, value of a summary, shown as).
type Main = (&'static str, fn(&TranscriptIndicators) -> Option<f64>, fn(Option<f64>) -> String);

const MAIN: [Main; 5] = [
    ("transcript-reflection-to-question", |i| i.reflection_to_question, ratio),
    ("transcript-complex-reflections", |i| i.complex_reflections, share),
    ("transcript-open-questions", |i| i.open_questions, share),
    ("transcript-change-talk", |i| i.change_talk, share),
    ("transcript-therapist-talk", |i| i.therapist_talk, share),
];

/// The client page's trend: each session the reader may see the transcript of, oldest first.
pub fn client_trend(summaries: &[&TranscriptSummary]) -> Option<TrendView> {
    if summaries.is_empty() {
        return None;
    }
    let tr = crate::language::current();
    let mut headers = vec![tr.t("transcript-session")];
    headers.extend(MAIN.iter().map(|(key, _, _)| tr.t(key)));
    let rows = summaries
        .iter()
        .map(|s| {
            let mut row = vec![format!("{} · {}", s.session_number, super::show_date(s.held_on))];
            row.extend(MAIN.iter().map(|(_, value, shown)| shown(value(&s.indicators))));
            row
        })
        .collect();
    let links = summaries.iter().map(|s| Some(format!("/sessions/{}#transcript", s.session))).collect();
    Some(TrendView { title: tr.t("transcript-trend-title"), headers, rows, links })
}

/// The patterns page's summary: per indicator, how many sessions have it, their median and their range.
pub fn patterns_summary(summaries: &[TranscriptSummary]) -> Option<TrendView> {
    if summaries.is_empty() {
        return None;
    }
    let tr = crate::language::current();
    let headers = ["transcript-indicator", "transcript-sessions", "transcript-median", "transcript-range"]
        .iter()
        .map(|k| tr.t(k))
        .collect();
    let rows = MAIN
        .iter()
        .map(|(key, value, shown)| {
            let mut values: Vec<f64> = summaries.iter().filter_map(|s| value(&s.indicators)).collect();
            values.sort_by(f64::total_cmp);
            let median = (!values.is_empty()).then(|| {
                let mid = values.len() / 2;
                if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] }
            });
            let range = match (values.first(), values.last()) {
                (Some(lo), Some(hi)) => format!("{} – {}", shown(Some(*lo)), shown(Some(*hi))),
                _ => "—".to_owned(),
            };
            vec![tr.t(key), values.len().to_string(), shown(median), range]
        })
        .collect();
    let links = vec![None; MAIN.len()];
    Some(TrendView { title: tr.t("transcript-patterns-title"), headers, rows, links })
}
