//! A small, bounded CSV reader for `client,therapist,session,intake,score`.
//!
//! * A header line is required. Names are matched case-insensitively after trimming spaces
//!   and surrounding double quotes, and the columns may come in any order; unknown, missing
//!   or duplicated names are errors.
//! * Fields are separated by commas; a field may be wrapped in double quotes (`""` inside a
//!   quoted field is a literal quote). Quoted fields may not span lines.
//! * Blank lines are skipped; `\r\n` line ends and a UTF-8 byte-order mark are accepted.
//! * Lines longer than [`MAX_LINE_BYTES`] and fields longer than [`MAX_FIELD_BYTES`] are
//!   rejected, so memory stays bounded whatever the input.

use std::io::{BufRead, BufReader, Read};

use crate::data::{Observation, Practice, PracticeBuilder};
use crate::error::{Column, InputError};

/// Longest accepted line, in bytes.
pub const MAX_LINE_BYTES: usize = 4096;
/// Longest accepted field, in bytes.
pub const MAX_FIELD_BYTES: usize = 256;

/// Reads and validates a practice from CSV text.
pub fn read_practice_csv<R: Read>(input: R) -> Result<Practice, InputError> {
    let mut lines = LineReader::new(input);
    let mut buffer = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let header_line = loop {
        let line = lines.next_line(&mut buffer)?.ok_or(InputError::Empty)?;
        if !is_blank(&buffer) {
            break line;
        }
    };
    let header_text = strip_bom(as_utf8(&buffer, header_line)?);
    split_fields(header_text, header_line, &[], &mut fields)?;
    let order = header_order(&fields)?;
    let mut builder = PracticeBuilder::default();
    while let Some(line) = lines.next_line(&mut buffer)? {
        if is_blank(&buffer) {
            continue;
        }
        split_fields(as_utf8(&buffer, line)?, line, &order, &mut fields)?;
        check_field_count(line, fields.len(), &order)?;
        let row = parse_row(line, &fields, &order)?;
        builder.push(line, &row)?;
    }
    builder.finish()
}

/// For each position in a data line, the column it holds.
fn header_order(names: &[String]) -> Result<Vec<Column>, InputError> {
    let mut order = Vec::with_capacity(names.len());
    for name in names {
        let column = Column::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| InputError::UnknownHeader { name: name.clone() })?;
        if order.contains(&column) {
            return Err(InputError::DuplicateHeader { name: name.clone() });
        }
        order.push(column);
    }
    if let Some(missing) = Column::ALL.into_iter().find(|c| !order.contains(c)) {
        return Err(InputError::MissingHeader { column: missing });
    }
    Ok(order)
}

fn check_field_count(line: usize, found: usize, order: &[Column]) -> Result<(), InputError> {
    let expected = order.len();
    if found < expected {
        return Err(InputError::MissingColumn { line, column: order[found].name().to_owned(), found, expected });
    }
    if found > expected {
        return Err(InputError::ExtraColumn { line, found, expected });
    }
    Ok(())
}

fn parse_row<'a>(line: usize, fields: &'a [String], order: &[Column]) -> Result<Observation<'a>, InputError> {
    let mut row = Observation { client: "", therapist: "", session: 0, intake: 0.0, score: 0.0 };
    for (column, raw) in order.iter().zip(fields) {
        let value = raw.trim();
        if value.is_empty() {
            return Err(InputError::EmptyValue { line, column: *column });
        }
        match column {
            Column::Client => row.client = value,
            Column::Therapist => row.therapist = value,
            Column::Session => row.session = parse_session(line, value)?,
            Column::Intake => row.intake = parse_number(line, *column, value)?,
            Column::Score => row.score = parse_number(line, *column, value)?,
        }
    }
    Ok(row)
}

fn parse_session(line: usize, value: &str) -> Result<u32, InputError> {
    let session: i64 = value.parse().map_err(|_| {
        if value.parse::<f64>().is_ok() {
            InputError::NotAnInteger { line, value: value.to_owned() }
        } else {
            InputError::NotANumber { line, column: Column::Session, value: value.to_owned() }
        }
    })?;
    if session < 1 {
        return Err(InputError::SessionBelowOne { line, session });
    }
    u32::try_from(session).map_err(|_| InputError::NotAnInteger { line, value: value.to_owned() })
}

fn parse_number(line: usize, column: Column, value: &str) -> Result<f64, InputError> {
    let number: f64 = value.parse().map_err(|_| InputError::NotANumber { line, column, value: value.to_owned() })?;
    if !number.is_finite() {
        return Err(InputError::NotFinite { line, column, value: value.to_owned() });
    }
    Ok(number)
}

/// Splits one line into fields, removing surrounding quotes. `labels` name the columns
/// in error messages (positions are used where they are unknown).
fn split_fields(text: &str, line: usize, labels: &[Column], out: &mut Vec<String>) -> Result<(), InputError> {
    out.clear();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        let column = out.len() + 1;
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(InputError::BadQuote { line, column }),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            while chars.peek() == Some(&' ') {
                chars.next();
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return Err(InputError::BadQuote { line, column });
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(InputError::BadQuote { line, column });
                }
                field.push(c);
                chars.next();
            }
        }
        if field.len() > MAX_FIELD_BYTES {
            return Err(InputError::FieldTooLong {
                line,
                column: column_label(column, labels),
                limit: MAX_FIELD_BYTES,
            });
        }
        out.push(field);
        if chars.next().is_none() {
            return Ok(());
        }
    }
}

fn column_label(position: usize, labels: &[Column]) -> String {
    match labels.get(position - 1) {
        Some(column) => column.name().to_owned(),
        None => format!("#{position}"),
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

fn as_utf8(bytes: &[u8], line: usize) -> Result<&str, InputError> {
    std::str::from_utf8(bytes).map_err(|_| InputError::NotUtf8 { line })
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Reads lines with a hard length limit (`BufRead::read_line` would grow without bound).
struct LineReader<R: Read> {
    inner: BufReader<R>,
    line: usize,
}

impl<R: Read> LineReader<R> {
    fn new(input: R) -> Self {
        LineReader { inner: BufReader::with_capacity(1 << 16, input), line: 0 }
    }

    /// Fills `out` with the next line (without its line end); returns its number.
    fn next_line(&mut self, out: &mut Vec<u8>) -> Result<Option<usize>, InputError> {
        out.clear();
        let mut saw_any = false;
        loop {
            let available = self.inner.fill_buf().map_err(|e| InputError::Io(e.to_string()))?;
            if available.is_empty() {
                if !saw_any {
                    return Ok(None);
                }
                break;
            }
            saw_any = true;
            let (chunk, found_end) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], true),
                None => (available, false),
            };
            if out.len() + chunk.len() > MAX_LINE_BYTES {
                return Err(InputError::LineTooLong { line: self.line + 1, limit: MAX_LINE_BYTES });
            }
            out.extend_from_slice(chunk);
            let consumed = chunk.len() + usize::from(found_end);
            self.inner.consume(consumed);
            if found_end {
                break;
            }
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
        self.line += 1;
        Ok(Some(self.line))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn split(text: &str) -> Result<Vec<String>, InputError> {
        let mut out = Vec::new();
        split_fields(text, 1, &[], &mut out)?;
        Ok(out)
    }

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(split("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split(r#""client", "x,y" ,"a""b""#).unwrap(), ["client", "x,y", r#"a"b"#]);
        assert!(matches!(split(r#""open,b"#), Err(InputError::BadQuote { column: 1, .. })));
        assert!(matches!(split(r#"a,b"c"#), Err(InputError::BadQuote { column: 2, .. })));
    }

    #[test]
    fn header_in_any_order() {
        let names: Vec<String> = ["Score", "session", "client", "intake", "therapist"].map(String::from).to_vec();
        let order = header_order(&names).unwrap();
        assert_eq!(order[0], Column::Score);
        assert_eq!(order[4], Column::Therapist);
    }

    #[test]
    fn line_reader_limits_length() {
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        let mut reader = LineReader::new(long.as_bytes());
        let mut buf = Vec::new();
        assert!(matches!(reader.next_line(&mut buf), Err(InputError::LineTooLong { line: 1, .. })));
    }

    #[test]
    fn line_reader_handles_crlf_and_missing_final_newline() {
        let mut reader = LineReader::new("a\r\nb".as_bytes());
        let mut buf = Vec::new();
        assert_eq!(reader.next_line(&mut buf).unwrap(), Some(1));
        assert_eq!(buf, b"a");
        assert_eq!(reader.next_line(&mut buf).unwrap(), Some(2));
        assert_eq!(buf, b"b");
        assert_eq!(reader.next_line(&mut buf).unwrap(), None);
    }
}
