//! Transcript files as video-call tools and transcribers export them: WebVTT (speakers as `<v Speaker>` voices
//! or `Speaker: text` cues), SRT, and plain `Speaker: text` lines. Consecutive cues of one speaker become one
//! utterance (tools cut speech into cues of a few seconds). Anything else is refused with the line at fault.

use thiserror::Error;

/// The largest transcript accepted: an hour's session is about 60 KB of text; 2 MiB leaves room for long
/// sessions and verbose cue timing without letting a wrong file through.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The most utterances a transcript may hold.
pub const MAX_UTTERANCES: usize = 20_000;
/// The longest speaker name.
pub const MAX_SPEAKER_CHARS: usize = 40;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the transcript is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the transcript is empty")]
    Empty,
    #[error("this is not a text transcript (binary content near byte {offset})")]
    Binary { offset: usize },
    #[error("the transcript is not UTF-8 text (near byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("line {line}: malformed cue timing {found:?} (expected e.g. 00:01:02.500 --> 00:01:05.000)")]
    BadTiming { line: usize, found: String },
    #[error("line {line}: a cue without a speaker (write `<v Name>text` or `Name: text`)")]
    MissingSpeaker { line: usize },
    #[error("line {line}: the speaker name is longer than {MAX_SPEAKER_CHARS} characters")]
    SpeakerTooLong { line: usize },
    #[error("line {line}: a cue has timing but no text")]
    EmptyCue { line: usize },
    #[error("the transcript has more than {MAX_UTTERANCES} utterances")]
    TooManyUtterances,
    #[error("line {line}: expected a cue number, then its timing (SRT)")]
    BadSrtBlock { line: usize },
}

/// The format a transcript was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    WebVtt,
    Srt,
    Plain,
}

/// One speaker's turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Utterance {
    pub speaker: String,
    pub text: String,
    /// Start time in milliseconds, when the format has timing.
    pub start_ms: Option<u64>,
    /// The line of the file where the turn starts (1-based).
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    pub format: Format,
    pub utterances: Vec<Utterance>,
}

impl Transcript {
    /// The distinct speakers, in order of first appearance.
    pub fn speakers(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for u in &self.utterances {
            if !seen.contains(&u.speaker.as_str()) {
                seen.push(&u.speaker);
            }
        }
        seen
    }
}

/// Reads a transcript, recognising its format from its first line.
pub fn parse(bytes: &[u8]) -> Result<Transcript, ParseError> {
    let text = checked_text(bytes)?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let (format, utterances) = if first.starts_with("WEBVTT") {
        (Format::WebVtt, cues(text, Format::WebVtt)?)
    } else if first.chars().all(|c| c.is_ascii_digit()) && looks_like_srt(text) {
        (Format::Srt, cues(text, Format::Srt)?)
    } else {
        (Format::Plain, plain(text)?)
    };
    if utterances.is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(Transcript { format, utterances })
}

/// The file as text: within the size limit, UTF-8 (a byte-order mark dropped), no control characters but line
/// breaks and tabs (a binary file shows them within its first bytes).
fn checked_text(bytes: &[u8]) -> Result<&str, ParseError> {
    if bytes.len() > MAX_BYTES {
        return Err(ParseError::TooLarge { size: bytes.len(), limit: MAX_BYTES });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(offset) = bytes.iter().position(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) {
        return Err(ParseError::Binary { offset });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8 { offset: e.valid_up_to() })?;
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(text)
}

fn looks_like_srt(text: &str) -> bool {
    text.lines().filter(|l| !l.trim().is_empty()).nth(1).is_some_and(|l| l.contains("-->"))
}

/// WebVTT and SRT: blocks separated by blank lines, each a cue (an optional identifier, its timing, its text).
fn cues(text: &str, format: Format) -> Result<Vec<Utterance>, ParseError> {
    let mut out = Builder::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let block = &lines[start..i];
        if format == Format::WebVtt && is_vtt_header_or_note(block[0]) {
            continue;
        }
        let timing_at = match block.iter().position(|l| l.contains("-->")) {
            Some(at @ (0 | 1)) => at,
            _ if format == Format::Srt => return Err(ParseError::BadSrtBlock { line: start + 1 }),
            _ => return Err(ParseError::BadTiming { line: start + 1, found: clip(block[0]) }),
        };
        if format == Format::Srt && (timing_at != 1 || !block[0].trim().chars().all(|c| c.is_ascii_digit())) {
            return Err(ParseError::BadSrtBlock { line: start + 1 });
        }
        let timing_line = start + timing_at + 1;
        let start_ms = cue_start(block[timing_at])
            .ok_or_else(|| ParseError::BadTiming { line: timing_line, found: clip(block[timing_at]) })?;
        let body = &block[timing_at + 1..];
        if body.is_empty() {
            return Err(ParseError::EmptyCue { line: timing_line });
        }
        for (k, raw) in body.iter().enumerate() {
            let line = timing_line + 1 + k;
            let (speaker, said) = cue_speaker(raw, line)?;
            out.push(speaker, &strip_tags(said), Some(start_ms), line)?;
        }
    }
    Ok(out.finish())
}

fn is_vtt_header_or_note(first: &str) -> bool {
    ["WEBVTT", "NOTE", "STYLE", "REGION"].iter().any(|k| first.trim_start().starts_with(k))
}

/// The start of `start --> end`, in milliseconds; both ends must be well-formed, and the end not before the start.
fn cue_start(line: &str) -> Option<u64> {
    let (from, rest) = line.split_once("-->")?;
    let to = rest.split_whitespace().next()?;
    let (from, to) = (timestamp(from.trim())?, timestamp(to)?);
    (to >= from).then_some(from)
}

/// `HH:MM:SS.mmm`, `MM:SS.mmm` or SRT's `HH:MM:SS,mmm`.
fn timestamp(text: &str) -> Option<u64> {
    let (clock, millis) = text.split_once(['.', ','])?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2 && p != &parts[0]) {
        return None;
    }
    let mut seconds: u64 = 0;
    for (k, part) in parts.iter().enumerate() {
        if part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: u64 = part.parse().ok()?;
        if k > 0 && value > 59 {
            return None;
        }
        seconds = seconds * 60 + value;
    }
    Some(seconds * 1000 + millis.parse::<u64>().ok()?)
}

/// The speaker of a cue line: a `<v Name>` voice, else `Name: text`, else none (the previous cue's speaker
/// continues, as when a tool cuts one turn into several cues).
fn cue_speaker(line: &str, number: usize) -> Result<(Option<String>, &str), ParseError> {
    let trimmed = line.trim();
    if let Some(rest) = trimmed.strip_prefix("<v")
        && rest.starts_with([' ', '.'])
    {
        let (tag, said) = rest.split_once('>').ok_or(ParseError::MissingSpeaker { line: number })?;
        // `<v.loud Name>`: classes before the first space.
        let name = tag.split_once(' ').map_or("", |(_, n)| n).trim();
        let name = checked_speaker(name, number)?.ok_or(ParseError::MissingSpeaker { line: number })?;
        return Ok((Some(name), said.trim_end_matches("</v>")));
    }
    match colon_speaker(trimmed) {
        Some((name, said)) => Ok((checked_speaker(name, number)?, said)),
        None => Ok((None, trimmed)),
    }
}

/// `Name: text` when what precedes the colon reads as a name: starts with a letter, at most four words, no
/// sentence punctuation or digits but a trailing number ("Speaker 2").
fn colon_speaker(line: &str) -> Option<(&str, &str)> {
    let (name, said) = line.split_once(':')?;
    let name = name.trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    let plausible = name.chars().next().is_some_and(char::is_alphabetic)
        && (1..=4).contains(&words.len())
        && !name.contains(['.', ',', '?', '!', ';', '"', '<', '>'])
        && words.iter().enumerate().all(|(k, w)| k == words.len() - 1 || !w.chars().any(|c| c.is_ascii_digit()));
    plausible.then_some((name, said.trim()))
}

fn checked_speaker(name: &str, line: usize) -> Result<Option<String>, ParseError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_SPEAKER_CHARS {
        return Err(ParseError::SpeakerTooLong { line });
    }
    Ok(Some(name.to_owned()))
}

/// Text without WebVTT markup (`<i>`, `<c.x>`, `<00:01.000>`) and with `&amp;`-style entities read.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ")
}

/// Plain text: `Name: text` starts a turn, other non-blank lines continue it.
fn plain(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let mut out = Builder::default();
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let (speaker, said) = match colon_speaker(trimmed) {
            Some((name, said)) => (checked_speaker(name, line)?, said),
            None => (None, trimmed),
        };
        out.push(speaker, said, None, line)?;
    }
    Ok(out.finish())
}

/// Gathers lines into turns: a line without a speaker continues the current one.
#[derive(Default)]
struct Builder {
    utterances: Vec<Utterance>,
}

impl Builder {
    fn push(
        &mut self,
        speaker: Option<String>,
        said: &str,
        start_ms: Option<u64>,
        line: usize,
    ) -> Result<(), ParseError> {
        let said = said.trim();
        let last = self.utterances.last_mut();
        match (speaker, last) {
            (None, None) => Err(ParseError::MissingSpeaker { line }),
            (None, Some(last)) => {
                append(&mut last.text, said);
                Ok(())
            }
            (Some(name), Some(last)) if last.speaker == name => {
                append(&mut last.text, said);
                Ok(())
            }
            (Some(speaker), _) => {
                if self.utterances.len() >= MAX_UTTERANCES {
                    return Err(ParseError::TooManyUtterances);
                }
                self.utterances.push(Utterance { speaker, text: said.to_owned(), start_ms, line });
                Ok(())
            }
        }
    }

    fn finish(mut self) -> Vec<Utterance> {
        self.utterances.retain(|u| !u.text.is_empty());
        self.utterances
    }
}

fn append(text: &mut String, said: &str) {
    if said.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(said);
}

/// The start of a line for an error message: short, and without control characters.
fn clip(line: &str) -> String {
    line.chars().filter(|c| !c.is_control()).take(60).collect()
}
