//! A sentence to be written in the reader's language later: a message id with its arguments, some of which are
//! sentences of their own. The domain builds these (a signal's explanation), a page renders them with its `Tr`.

use serde::{Deserialize, Serialize};

use crate::{Arg, Lang, Tr};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    pub args: Vec<(String, TextArg)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TextArg {
    /// A number: whole numbers select plural forms; fractions show one decimal.
    Number(f64),
    /// A number always shown with this many decimals ("4.0").
    Fixed(f64, u8),
    /// Words that are data (a measure's name), shown as they are.
    Plain(String),
    /// A sentence of its own, written in the same language.
    Text(Box<Text>),
}

impl Text {
    pub fn new(id: &str) -> Self {
        Text { id: id.to_owned(), args: Vec::new() }
    }

    pub fn number(mut self, name: &str, value: f64) -> Self {
        self.args.push((name.to_owned(), TextArg::Number(value)));
        self
    }

    /// A number with one decimal, as scores and ratings are shown.
    pub fn score(mut self, name: &str, value: f64) -> Self {
        self.args.push((name.to_owned(), TextArg::Fixed(value, 1)));
        self
    }

    pub fn plain(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args.push((name.to_owned(), TextArg::Plain(value.into())));
        self
    }

    pub fn text(mut self, name: &str, value: Text) -> Self {
        self.args.push((name.to_owned(), TextArg::Text(Box::new(value))));
        self
    }

    /// Changes the message `from`, wherever it is in this sentence, to `to` (same arguments).
    pub fn replace_id(&mut self, from: &str, to: &str) {
        if self.id == from {
            to.clone_into(&mut self.id);
        }
        for (_, arg) in &mut self.args {
            if let TextArg::Text(inner) = arg {
                inner.replace_id(from, to);
            }
        }
    }

    /// The sentence in English, for logs, command-line reports and tests.
    pub fn english(&self) -> String {
        Tr::new(Lang::En).text(self)
    }
}

impl Tr {
    /// A [`Text`] in this language; its nested sentences too.
    pub fn text(&self, text: &Text) -> String {
        let args: Vec<(&str, Arg)> = text
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    TextArg::Number(n) => Arg::Number(*n),
                    TextArg::Fixed(n, decimals) => Arg::Text(self.number(*n, usize::from(*decimals))),
                    TextArg::Plain(s) => Arg::Text(s.clone()),
                    TextArg::Text(inner) => Arg::Text(self.text(inner)),
                };
                (name.as_str(), value)
            })
            .collect();
        self.format(&text.id, &args)
    }
}
