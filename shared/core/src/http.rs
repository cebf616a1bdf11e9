//! Platform-neutral HTTP request and response types, and the JSON body rules every handler
//! shares: the 1 MiB limit, the content type and the error for malformed input.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The largest JSON body accepted, in bytes.
pub const MAX_JSON_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
    Other,
}

impl Method {
    pub fn parse(method: &str) -> Method {
        match method.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Other => "OTHER",
        }
    }
}

/// An incoming request. Header names are lower-case; the query is already percent-decoded.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns the value of one cookie from the `Cookie` header.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.header("cookie")?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
    }

    /// Parses the body as JSON into `T`, rejecting non-JSON media types, oversized bodies and
    /// input that does not match `T` (unknown fields included, where `T` denies them).
    pub fn json<T: DeserializeOwned>(&self) -> ApiResult<T> {
        if self.body.len() > MAX_JSON_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_JSON_BODY_BYTES));
        }
        let content_type = self.header("content-type").unwrap_or("application/json");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let body: &[u8] = if self.body.is_empty() {
            b"{}"
        } else {
            &self.body
        };
        // serde fills a struct from a JSON array by position, which would skip the checks for
        // unknown fields, so a body that is not an object is rejected first.
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(_) => Err(ApiError::bad_request(
                    "invalid request body: expected a JSON object",
                )),
                Err(error) => Err(json_error(&error)),
            };
        }
        serde_json::from_slice(body).map_err(|error| json_error(&error))
    }

    /// Parses the body as [`Request::json`] does, but drops fields that `T` does not know
    /// instead of rejecting them. Compatibility aliases use it, because shipped clients may
    /// send fields this API does not define.
    pub fn json_ignoring_unknown<T: DeserializeOwned>(&self) -> ApiResult<T> {
        let mut object = self.json::<serde_json::Map<String, serde_json::Value>>()?;
        // Each unknown field costs one more parse, so their number is bounded.
        for _ in 0..=MAX_IGNORED_FIELDS {
            let value = serde_json::Value::Object(object.clone());
            match serde_json::from_value::<T>(value) {
                Ok(parsed) => return Ok(parsed),
                Err(error) => {
                    let unknown = unknown_field(&error.to_string())
                        .filter(|field| object.contains_key(field.as_str()));
                    match unknown {
                        Some(field) => {
                            object.remove(&field);
                        }
                        None => return Err(json_error(&error)),
                    }
                }
            }
        }
        Err(ApiError::bad_request(format!(
            "invalid request body: more than {MAX_IGNORED_FIELDS} unknown fields"
        )))
    }
}

/// Maximum unknown fields that [`Request::json_ignoring_unknown`] drops from one body.
const MAX_IGNORED_FIELDS: usize = 32;

/// Returns the field named by serde's "unknown field `name`, expected ..." message.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split_once('`')?.0.to_owned())
}

/// Describes a serde_json error in words a client can act on.
fn json_error(error: &serde_json::Error) -> ApiError {
    let detail = error.to_string();
    let message = match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("malformed JSON body: {detail}")
        }
        _ => format!("invalid request body: {detail}"),
    };
    ApiError::BadRequest(message)
}

/// An outgoing response with a JSON body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json<T: Serialize>(status: u16, body: &T) -> ApiResult<Response> {
        let body = serde_json::to_vec(body).map_err(ApiError::internal)?;
        Ok(Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        })
    }

    pub fn ok<T: Serialize>(body: &T) -> ApiResult<Response> {
        Response::json(200, body)
    }

    pub fn created<T: Serialize>(body: &T) -> ApiResult<Response> {
        Response::json(201, body)
    }

    pub fn deleted() -> ApiResult<Response> {
        Response::ok(&serde_json::json!({ "deleted": true }))
    }

    pub fn from_error(error: &ApiError) -> Response {
        let body = serde_json::json!({ "error": error.public_message() });
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        match error {
            ApiError::MethodNotAllowed(allowed) => {
                headers.push(("allow".to_owned(), (*allowed).to_owned()));
            }
            ApiError::Unauthorized(_) => {
                headers.push(("www-authenticate".to_owned(), "Bearer".to_owned()));
            }
            _ => {}
        }
        Response {
            status: error.status(),
            headers,
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// Parses an optional integer query parameter within `min..=max`.
pub fn query_integer(
    request: &Request,
    name: &str,
    default: i64,
    min: i64,
    max: i64,
) -> ApiResult<i64> {
    let Some(raw) = request.query_param(name) else {
        return Ok(default);
    };
    match raw.parse::<i64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(ApiError::bad_request(format!(
            "invalid {name} {raw:?}: expected an integer from {min} to {max}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with_body(content_type: &str, body: &str) -> Request {
        Request {
            method: Method::Post,
            path: "/api/x".into(),
            query: vec![],
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn json_rejects_unknown_field_by_name() {
        let request = request_with_body("application/json", r#"{"name":"a","nmae":"b"}"#);
        let error = request.json::<Body>().unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(
            error.public_message().contains("nmae"),
            "{}",
            error.public_message()
        );
    }

    #[test]
    fn json_rejects_array_body() {
        let request = request_with_body("application/json", r#"["a"]"#);
        let error = request.json::<Body>().unwrap_err();
        assert_eq!(
            error.public_message(),
            "invalid request body: expected a JSON object"
        );
    }

    #[test]
    fn json_rejects_malformed_body() {
        let request = request_with_body("application/json", "{");
        let error = request.json::<Body>().unwrap_err();
        assert!(error.public_message().starts_with("malformed JSON"));
    }

    #[test]
    fn json_rejects_other_media_types() {
        let request = request_with_body("text/plain", r#"{"name":"a"}"#);
        assert_eq!(request.json::<Body>().unwrap_err().status(), 415);
    }

    #[test]
    fn json_rejects_oversized_body() {
        let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(MAX_JSON_BODY_BYTES));
        let request = request_with_body("application/json", &big);
        assert_eq!(request.json::<Body>().unwrap_err().status(), 413);
    }

    #[test]
    fn cookie_finds_named_value() {
        let mut request = request_with_body("application/json", "");
        request
            .headers
            .push(("cookie".into(), "a=1; refresh_token=xyz; b=2".into()));
        assert_eq!(request.cookie("refresh_token"), Some("xyz"));
    }
}
