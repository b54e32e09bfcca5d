//! Error types shared by the crate.

use thiserror::Error;

/// A numeric argument outside its valid domain.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("invalid {name} = {value}: {reason}")]
pub struct InvalidInput {
    pub name: &'static str,
    pub value: f64,
    pub reason: &'static str,
}

impl InvalidInput {
    pub(crate) fn new(name: &'static str, value: f64, reason: &'static str) -> Self {
        InvalidInput { name, value, reason }
    }
}
