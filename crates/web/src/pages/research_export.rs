//! The researcher's de-identified export (issue 19, item 2): one row per client-rated scale score of each held
//! session, for clients whose latest consent includes research use, as CSV or Parquet, each with its data
//! dictionary.
//!
//! What leaves: research ids for clients and therapists (keyed hashes under the practice's key: the same in every
//! download from this practice, not traceable to a record without the key), the episode's ordinal, the session
//! number, days since the episode started (no dates), attendance, each client-rated scale score with rupture and
//! repair markers, and the session transcript's indicators (numbers only). What stays: pseudonyms, contacts,
//! names, dates, free text, answers to free-text items, the therapist's reflection (the therapist was told only
//! they and, if they choose, their supervisor see it), and a transcript's words, utterances and speaker names.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use alliance_core::domain::Role;
use alliance_core::practice::PracticeModel;
use alliance_signals::rupture::RepairStatus;
use alliance_store::{AuditEvent, ClientId, Episode, EpisodeId, Rater, ResearchKind, ScorePoint, TherapySession};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{iso_date, number};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::reauth;
use crate::state::AppState;

/// The data dictionary: every column with its type and meaning, in the export's order.
pub const DICTIONARY: [(&str, &str, &str); 23] = [
    ("client", "text", "research id of the client: a keyed hash, the same in every download from this practice"),
    ("therapist", "text", "research id of the therapist who held the session"),
    ("episode", "integer", "the client's episode of care, counted from 1 in order of start"),
    ("session", "integer", "session number within the episode"),
    ("day", "integer", "days from the start of the episode to the session"),
    ("attended", "0/1", "1 when the client attended the session"),
    ("instrument", "text", "the questionnaire's identifier (empty for a session without a check)"),
    ("scale", "text", "the scale's identifier within the questionnaire"),
    ("score", "number", "the scale score as scored by the instrument's rules (empty when not scorable)"),
    ("rupture_reported", "0/1", "1 when the client reported a strain in the relationship in this check"),
    ("rupture_onset", "0/1", "1 when Alliance's rupture tracking finds a rupture beginning at this session"),
    ("repair", "0/1", "1 when a rupture was repaired at this session by the same tracking"),
    // The session's transcript, coded (issue 21): derived numbers only, never its words, its utterances or its
    // markers' text; empty where the session has no transcript or the indicator's denominator is empty.
    (
        "transcript_coder",
        "text",
        "the coder of the session's transcript: rules, or trained:<model hash>; empty without a transcript",
    ),
    ("transcript_utterances", "integer", "utterances in the session's transcript"),
    (
        "transcript_markers",
        "integer",
        "candidate rupture moments the transcript's rules found (heuristic, not validated)",
    ),
    ("transcript_reflection_to_question", "number", "reflections per question (MITI R:Q)"),
    ("transcript_complex_reflections", "number", "complex reflections among reflections, 0 to 1 (MITI %CR)"),
    ("transcript_open_questions", "number", "open questions among questions, 0 to 1"),
    ("transcript_change_talk", "number", "change talk among change and sustain talk, 0 to 1"),
    ("transcript_therapist_talk", "number", "the therapist's share of the words said, 0 to 1"),
    (
        "transcript_empathy_emotional",
        "number",
        "therapist responses to a client turn showing emotional reactions, 0 to 1",
    ),
    (
        "transcript_empathy_interpretations",
        "number",
        "therapist responses to a client turn showing interpretations, 0 to 1",
    ),
    ("transcript_empathy_explorations", "number", "therapist responses to a client turn showing explorations, 0 to 1"),
];

pub fn csv_header() -> String {
    DICTIONARY.iter().map(|c| c.0).collect::<Vec<_>>().join(",")
}

/// One row of the export.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    client: String,
    therapist: String,
    episode: i32,
    session: i32,
    day: i32,
    attended: bool,
    instrument: String,
    scale: String,
    score: Option<f64>,
    rupture_reported: bool,
    rupture_onset: bool,
    repair: bool,
    transcript: Option<Transcript>,
}

/// A session's transcript as the export carries it: numbers and the coder's name only.
#[derive(Debug, Clone, PartialEq)]
struct Transcript {
    coder: String,
    utterances: i32,
    markers: i32,
    /// R:Q, %CR, open questions, change talk, therapist talk, the three empathy mechanisms: the dictionary's order.
    values: [Option<f64>; 8],
}

impl Transcript {
    fn of(s: &alliance_store::TranscriptSummary) -> Transcript {
        let i = &s.indicators;
        Transcript {
            coder: s.coder.clone(),
            utterances: small(i.utterances),
            markers: small(i.markers),
            values: [
                i.reflection_to_question,
                i.complex_reflections,
                i.open_questions,
                i.change_talk,
                i.therapist_talk,
                i.empathy[0],
                i.empathy[1],
                i.empathy[2],
            ],
        }
    }
}

/// Session numbers where a rupture began and where one was repaired, per episode, from the client's own
/// ratings (the rupture tracking the client page uses).
fn rupture_marks(practice: &PracticeModel, points: &[&ScorePoint], episode: EpisodeId) -> (HashSet<u32>, HashSet<u32>) {
    let ruptures = alliance_core::overview::ruptures(practice, &alliance_app::observations(points, Some(episode)));
    let onsets = ruptures.iter().map(|r| r.onset_session).collect();
    let repairs = ruptures
        .iter()
        .filter_map(|r| match r.repair {
            RepairStatus::Repaired { session, .. } => Some(session),
            _ => None,
        })
        .collect();
    (onsets, repairs)
}

fn small(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// Every row for the consenting clients, sorted by research id, episode and session, so the order says nothing
/// about the order of records.
async fn rows(state: &AppState) -> Result<Vec<Row>, WebError> {
    let ids: Vec<ClientId> = state.app.research_clients().await?;
    let sessions = state.store.sessions_of(&ids).await?;
    // Sessions are attributed to the therapist who held them, also after a client moved to another.
    let held_by: HashMap<_, _> = state.store.session_therapists(&ids).await?.into_iter().collect();
    let points: Vec<ScorePoint> =
        state.store.score_points(&ids).await?.into_iter().filter(|p| p.rater == Rater::Client).collect();
    let practice = state.practice();
    let transcripts: HashMap<alliance_store::SessionId, Transcript> =
        state.store.transcript_indicators_of(&ids).await?.iter().map(|t| (t.session, Transcript::of(t))).collect();
    let mut rows: BTreeMap<(String, usize, u32, String, String), Row> = BTreeMap::new();
    for client in &ids {
        let mut episodes: Vec<Episode> = state.store.episodes(*client).await?;
        episodes.sort_by_key(|e| (e.started_on, e.id));
        let code = state.store.research_id(ResearchKind::Client, client.0);
        let client_points: Vec<&ScorePoint> = points.iter().filter(|p| p.client == *client).collect();
        for (ordinal, episode) in episodes.iter().enumerate() {
            let held: Vec<&TherapySession> = sessions.iter().filter(|s| s.episode == episode.id).collect();
            let (onsets, repairs) = rupture_marks(&practice, &client_points, episode.id);
            for s in &held {
                let therapist = held_by.get(&s.id).unwrap_or(&episode.therapist);
                let here: Vec<&&ScorePoint> =
                    client_points.iter().filter(|p| p.episode == episode.id && p.session_number == s.number).collect();
                let base = Row {
                    client: code.clone(),
                    therapist: state.store.research_id(ResearchKind::Therapist, therapist.0),
                    episode: small(ordinal + 1),
                    session: small(s.number),
                    day: small((s.held_on - episode.started_on).whole_days()),
                    attended: s.attended,
                    instrument: String::new(),
                    scale: String::new(),
                    score: None,
                    rupture_reported: here.iter().any(|p| p.flags.has("rupture-reported")),
                    rupture_onset: onsets.contains(&s.number),
                    repair: repairs.contains(&s.number),
                    transcript: transcripts.get(&s.id).cloned(),
                };
                if here.is_empty() {
                    rows.insert((code.clone(), ordinal, s.number, String::new(), String::new()), base.clone());
                }
                for p in &here {
                    let row = Row {
                        instrument: p.instrument.clone(),
                        scale: p.scale.clone(),
                        score: p.value,
                        ..base.clone()
                    };
                    rows.insert((code.clone(), ordinal, s.number, p.instrument.clone(), p.scale.clone()), row);
                }
            }
        }
    }
    Ok(rows.into_values().collect())
}

/// Instrument and scale ids come from the catalog; quote anything that could still break a row or be read as
/// a formula by a spreadsheet.
fn csv_field(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@']) || value.contains([',', '"', '\n', '\r']);
    if risky { format!("\"'{}\"", value.replace('"', "\"\"")) } else { value.to_owned() }
}

fn csv(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", csv_header());
    for r in rows {
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.client,
            r.therapist,
            r.episode,
            r.session,
            r.day,
            u8::from(r.attended),
            csv_field(&r.instrument),
            csv_field(&r.scale),
            r.score.map(number).unwrap_or_default(),
            u8::from(r.rupture_reported),
            u8::from(r.rupture_onset),
            u8::from(r.repair)
        );
        match &r.transcript {
            Some(t) => {
                let _ = write!(out, ",{},{},{}", csv_field(&t.coder), t.utterances, t.markers);
                // Full precision: shares between 0 and 1 would lose most of their information at one decimal.
                for v in t.values {
                    let _ = write!(out, ",{}", v.map(|v| v.to_string()).unwrap_or_default());
                }
                out.push('\n');
            }
            None => {
                out.push_str(&",".repeat(11));
                out.push('\n');
            }
        }
    }
    out
}

/// The dictionary as CSV: `column,type,description`.
fn dictionary_csv() -> String {
    let mut out = String::from("column,type,description\n");
    for (name, kind, description) in DICTIONARY {
        let _ = writeln!(out, "{name},{kind},\"{description}\"");
    }
    out
}

#[cfg(feature = "parquet")]
mod parquet_file {
    //! The same rows as a Parquet file (no compression, one row group), the dictionary in its key-value metadata.

    use std::sync::Arc;

    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use super::{DICTIONARY, Row};

    const SCHEMA: &str = "message alliance_sessions {
        REQUIRED BYTE_ARRAY client (UTF8);
        REQUIRED BYTE_ARRAY therapist (UTF8);
        REQUIRED INT32 episode;
        REQUIRED INT32 session;
        REQUIRED INT32 day;
        REQUIRED INT32 attended;
        REQUIRED BYTE_ARRAY instrument (UTF8);
        REQUIRED BYTE_ARRAY scale (UTF8);
        OPTIONAL DOUBLE score;
        REQUIRED INT32 rupture_reported;
        REQUIRED INT32 rupture_onset;
        REQUIRED INT32 repair;
        REQUIRED BYTE_ARRAY transcript_coder (UTF8);
        OPTIONAL INT32 transcript_utterances;
        OPTIONAL INT32 transcript_markers;
        OPTIONAL DOUBLE transcript_reflection_to_question;
        OPTIONAL DOUBLE transcript_complex_reflections;
        OPTIONAL DOUBLE transcript_open_questions;
        OPTIONAL DOUBLE transcript_change_talk;
        OPTIONAL DOUBLE transcript_therapist_talk;
        OPTIONAL DOUBLE transcript_empathy_emotional;
        OPTIONAL DOUBLE transcript_empathy_interpretations;
        OPTIONAL DOUBLE transcript_empathy_explorations;
    }";

    /// An optional column: the values present, and a definition level per row (0 for a null).
    fn optional<T: Copy>(rows: &[Row], f: impl Fn(&Row) -> Option<T>) -> (Vec<T>, Vec<i16>) {
        (rows.iter().filter_map(&f).collect(), rows.iter().map(|r| i16::from(f(r).is_some())).collect())
    }

    fn text(rows: &[Row], f: impl Fn(&Row) -> &str) -> Vec<ByteArray> {
        rows.iter().map(|r| ByteArray::from(f(r))).collect()
    }

    fn int(rows: &[Row], f: impl Fn(&Row) -> i32) -> Vec<i32> {
        rows.iter().map(f).collect()
    }

    pub(super) fn write(rows: &[Row]) -> Result<Vec<u8>, parquet::errors::ParquetError> {
        let schema = Arc::new(parse_message_type(SCHEMA)?);
        let metadata = DICTIONARY
            .iter()
            .map(|(name, kind, description)| {
                KeyValue::new(format!("alliance.column.{name}"), format!("{kind}: {description}"))
            })
            .collect();
        let properties = Arc::new(
            WriterProperties::builder()
                .set_created_by("Alliance".to_owned())
                .set_key_value_metadata(Some(metadata))
                .build(),
        );
        let mut writer = SerializedFileWriter::new(Vec::new(), schema, properties)?;
        let mut group = writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            match index {
                0 => column.typed::<ByteArrayType>().write_batch(&text(rows, |r| &r.client), None, None)?,
                1 => column.typed::<ByteArrayType>().write_batch(&text(rows, |r| &r.therapist), None, None)?,
                2 => column.typed::<Int32Type>().write_batch(&int(rows, |r| r.episode), None, None)?,
                3 => column.typed::<Int32Type>().write_batch(&int(rows, |r| r.session), None, None)?,
                4 => column.typed::<Int32Type>().write_batch(&int(rows, |r| r.day), None, None)?,
                5 => column.typed::<Int32Type>().write_batch(&int(rows, |r| i32::from(r.attended)), None, None)?,
                6 => column.typed::<ByteArrayType>().write_batch(&text(rows, |r| &r.instrument), None, None)?,
                7 => column.typed::<ByteArrayType>().write_batch(&text(rows, |r| &r.scale), None, None)?,
                8 => {
                    // An absent score is a null: definition level 0, and no value written for it.
                    let values: Vec<f64> = rows.iter().filter_map(|r| r.score).collect();
                    let levels: Vec<i16> = rows.iter().map(|r| i16::from(r.score.is_some())).collect();
                    column.typed::<DoubleType>().write_batch(&values, Some(&levels), None)?
                }
                9 => column.typed::<Int32Type>().write_batch(
                    &int(rows, |r| i32::from(r.rupture_reported)),
                    None,
                    None,
                )?,
                10 => {
                    column.typed::<Int32Type>().write_batch(&int(rows, |r| i32::from(r.rupture_onset)), None, None)?
                }
                11 => column.typed::<Int32Type>().write_batch(&int(rows, |r| i32::from(r.repair)), None, None)?,
                12 => {
                    let coders: Vec<ByteArray> = rows
                        .iter()
                        .map(|r| ByteArray::from(r.transcript.as_ref().map_or("", |t| t.coder.as_str())))
                        .collect();
                    column.typed::<ByteArrayType>().write_batch(&coders, None, None)?
                }
                13 | 14 => {
                    let (values, levels) = optional(rows, |r| {
                        r.transcript.as_ref().map(|t| if index == 13 { t.utterances } else { t.markers })
                    });
                    column.typed::<Int32Type>().write_batch(&values, Some(&levels), None)?
                }
                _ => {
                    let at = index - 15;
                    let (values, levels) = optional(rows, |r| r.transcript.as_ref().and_then(|t| t.values[at]));
                    column.typed::<DoubleType>().write_batch(&values, Some(&levels), None)?
                }
            };
            column.close()?;
            index += 1;
        }
        group.close()?;
        writer.into_inner()
    }
}

/// Whether this build writes Parquet (the `parquet` feature, on by default).
pub const PARQUET: bool = cfg!(feature = "parquet");

fn download(content_type: &str, name: String, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `POST /research/export`: the researcher enters their password again, chooses CSV or Parquet, the export is
/// audited (action `export`, purpose `research`), and the file is sent as a download.
pub async fn export(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Researcher)?;
    let format = form.one("format")?.unwrap_or("csv").to_owned();
    if !matches!(format.as_str(), "csv" | "parquet") || (format == "parquet" && !PARQUET) {
        return Err(WebError::BadRequest(crate::language::current().t("research-format-unknown")));
    }
    reauth::confirm_password(&state, &who, &mut form).await?;
    let rows = rows(&state).await?;
    let now = state.now();
    state.store.audit(AuditEvent { purpose: "research", ..who.audit(now, "export", "research-dataset", None) }).await?;
    let stem = format!("alliance-sessions-{}", iso_date(now.date()));
    if format == "parquet" {
        #[cfg(feature = "parquet")]
        {
            let bytes = parquet_file::write(&rows).map_err(|e| WebError::Internal(Box::new(e)))?;
            return Ok(download("application/vnd.apache.parquet", format!("{stem}.parquet"), bytes));
        }
    }
    Ok(download("text/csv; charset=utf-8", format!("{stem}.csv"), csv(&rows)))
}

/// `GET /research/dictionary`: what each column of the export holds (no clinical data).
pub async fn dictionary(who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Researcher)?;
    Ok(download("text/csv; charset=utf-8", "alliance-sessions-dictionary.csv".to_owned(), dictionary_csv()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_cannot_break_rows_or_become_formulas() {
        assert_eq!(csv_field("phq9"), "phq9");
        assert_eq!(csv_field("a,b"), "\"'a,b\"");
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_field("x\"y"), "\"'x\"\"y\"");
    }

    #[test]
    fn the_dictionary_names_every_column_of_the_header_in_order() {
        let dictionary = dictionary_csv();
        let named: Vec<&str> = dictionary.lines().skip(1).map(|l| l.split(',').next().unwrap_or("")).collect();
        assert_eq!(named.join(","), csv_header());
        assert_eq!(
            csv_header(),
            "client,therapist,episode,session,day,attended,instrument,scale,score,rupture_reported,rupture_onset,repair,\
             transcript_coder,transcript_utterances,transcript_markers,transcript_reflection_to_question,\
             transcript_complex_reflections,transcript_open_questions,transcript_change_talk,\
             transcript_therapist_talk,transcript_empathy_emotional,transcript_empathy_interpretations,\
             transcript_empathy_explorations"
        );
    }
}
