//! Reading form posts: size-limited, content-type checked, decoded into name/value pairs, and the
//! anti-forgery token taken out before the rest reaches a handler.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;

use crate::error::WebError;

/// The decoded fields of a URL-encoded form post, in order.
#[derive(Debug, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Err(WebError::BadRequest("Expected a form.".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                WebError::TooLarge
            } else {
                WebError::BadRequest("The form could not be read.".into())
            }
        })?;
        FormFields::decode(&bytes)
    }
}

impl FormFields {
    /// Decodes a URL-encoded body (already size-limited) into fields; at most 500 of them.
    pub fn decode(bytes: &[u8]) -> Result<Self, WebError> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
            .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
        if fields.len() > 500 {
            return Err(WebError::TooLarge);
        }
        Ok(FormFields(fields))
    }

    /// The single value of a field; a repeated field is refused (one value expected).
    pub fn one(&self, name: &str) -> Result<Option<&str>, WebError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(WebError::BadRequest(format!("The field `{name}` was sent twice.")));
        }
        Ok(first)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Removes and returns the anti-forgery token.
    /// Takes the anti-forgery token of a page without a sign-in (a client's link, a tablet) and checks that it is
    /// the one made for `purpose` and `subject` (the link's token): `CrossSite` otherwise.
    pub fn check_form_token(&mut self, secret: &[u8; 32], purpose: &str, subject: &str) -> Result<(), WebError> {
        let expected = crate::security::form_token(secret, purpose, subject);
        match self.take_csrf() {
            Some(given) if crate::security::same_token(&given, &expected) => Ok(()),
            _ => Err(WebError::CrossSite),
        }
    }

    pub fn take_csrf(&mut self) -> Option<String> {
        let index = self.0.iter().position(|(k, _)| k == "csrf")?;
        Some(self.0.remove(index).1)
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A numeric id from the path. Anything else is "not found", never an echo of the input.
pub struct Id(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| WebError::NotFound)?;
        raw.parse::<i64>().map(Id).map_err(|_| WebError::NotFound)
    }
}

/// A form that may carry one file (the transcript upload): a multipart post, or the same fields URL-encoded. The
/// file's bytes are kept as they came (the parser refuses what is not text) and its name is dropped, never stored,
/// logged nor shown. The other fields, the anti-forgery token among them, are `FormFields` checked as on every form.
#[derive(Debug, Default)]
pub struct UploadFields {
    pub fields: FormFields,
    /// The file part's content; `None` when none was sent or the browser sent an empty one (no file chosen).
    pub file: Option<Vec<u8>>,
}

impl<S: Send + Sync> FromRequest<S> for UploadFields {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !multipart {
            return Ok(UploadFields { fields: FormFields::from_request(req, state).await?, file: None });
        }
        // multer's own messages may quote a field's name: the reader gets ours.
        let unreadable = || WebError::BadRequest(crate::language::current().t("error-upload-unreadable"));
        let failed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE { WebError::TooLarge } else { unreadable() }
        };
        let mut parts = axum::extract::Multipart::from_request(req, state).await.map_err(|_| unreadable())?;
        let mut upload = UploadFields::default();
        let mut count = 0;
        while let Some(field) = parts.next_field().await.map_err(failed)? {
            count += 1;
            if count > 500 {
                return Err(WebError::TooLarge);
            }
            let name = field.name().unwrap_or("").to_owned();
            if field.file_name().is_some() {
                if name != "file" {
                    return Err(WebError::BadRequest(crate::language::current().t("error-unknown-field")));
                }
                let bytes = field.bytes().await.map_err(failed)?;
                if bytes.is_empty() {
                    continue;
                }
                if upload.file.is_some() {
                    return Err(WebError::BadRequest("Only one file can be sent.".into()));
                }
                upload.file = Some(bytes.to_vec());
            } else {
                // UTF-8 or refused: never decoded by the charset a part claims, nor with replacement characters.
                let bytes = field.bytes().await.map_err(failed)?;
                let value = String::from_utf8(bytes.to_vec()).map_err(|_| unreadable())?;
                upload.fields.0.push((name, value));
            }
        }
        Ok(upload)
    }
}
