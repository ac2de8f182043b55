//! `ToolArgs<T>`: the JSON body of a tool call, with the errors of DESIGN.md §4.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The largest tool body accepted (64 KiB); larger ones answer 413.
pub const MAX_BODY_BYTES: usize = 65_536;

/// A tool call's arguments, parsed from a JSON object body. An empty body reads as `{}`, since
/// a tool with no required arguments may be called with nothing.
#[derive(Debug)]
pub struct ToolArgs<T>(pub T);

impl<S, T> FromRequest<S> for ToolArgs<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
            if !is_json(content_type.to_str().unwrap_or("")) {
                return Err(Error::UnsupportedMediaType);
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::InvalidJson("the body could not be read".into())
            }
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| Error::InvalidJson(e.to_string()))?;
        if !value.is_object() {
            return Err(Error::InvalidJson("expected an object".into()));
        }
        serde_json::from_value(value)
            .map(ToolArgs)
            .map_err(|e| Error::InvalidJson(e.to_string()))
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
