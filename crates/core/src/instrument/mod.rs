//! Instrument definitions as data: one format for every questionnaire, parsed from TOML and validated at load
//! so a broken definition is reported with the file, the item and the field instead of failing mid-session.

mod definition;
pub mod licensed;
mod validate;

pub use definition::*;
pub use validate::InstrumentError;

/// Parses and validates one instrument definition. `file` names the source in error messages.
pub fn parse(file: &str, text: &str) -> Result<Instrument, InstrumentError> {
    let instrument: Instrument = toml::from_str(text).map_err(|e| InstrumentError::Syntax {
        file: file.to_owned(),
        message: e.message().to_owned(),
        line: e.span().map(|span| line_of(text, span.start)),
    })?;
    validate::check(file, &instrument)?;
    Ok(instrument)
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |head| head.matches('\n').count()) + 1
}
