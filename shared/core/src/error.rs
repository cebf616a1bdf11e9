//! The one error type of the API and its mapping to an HTTP status and JSON body.

use std::fmt;

/// Every failure a request can end in. Each variant's doc names its HTTP status.
#[derive(Debug)]
pub enum ApiError {
    /// 400: malformed JSON, a wrong type, an unknown field or a value out of range.
    BadRequest(String),
    /// 401: missing, invalid or expired credentials.
    Unauthorized(String),
    /// 403: valid credentials that may not do this.
    Forbidden(String),
    /// 404: an unknown id, or an id that belongs to someone else.
    NotFound(String),
    /// 405: a known path with a method it does not serve. Holds the `Allow` header value.
    MethodNotAllowed(&'static str),
    /// 409: the change conflicts with existing data, such as a taken email.
    Conflict(String),
    /// 413: the body is larger than the limit, in bytes.
    PayloadTooLarge(usize),
    /// 415: a body that is not JSON where JSON is required.
    UnsupportedMediaType,
    /// 422: well-formed input that cannot be carried out.
    Unprocessable(String),
    /// 500: the cause is logged with the request id and never sent to the client.
    Internal(String),
}

impl ApiError {
    /// Returns the HTTP status code of this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Conflict(_) => 409,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::UnsupportedMediaType => 415,
            ApiError::Unprocessable(_) => 422,
            ApiError::Internal(_) => 500,
        }
    }

    /// Returns the message sent to the client, with a generic one in place of internal causes.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Unprocessable(m) => m.clone(),
            ApiError::MethodNotAllowed(allowed) => {
                format!("method not allowed on this path: use {allowed}")
            }
            ApiError::PayloadTooLarge(limit) => {
                format!("request body too large: the limit is {limit} bytes")
            }
            ApiError::UnsupportedMediaType => {
                "unsupported media type: send the body as application/json".into()
            }
            ApiError::Internal(_) => "internal error".into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    /// Returns a 404 naming the id the client sent, such as `memory "mem_x" not found`.
    pub fn not_found_id(what: &str, id: &str) -> Self {
        ApiError::NotFound(format!("{what} {id:?} not found"))
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => write!(f, "{} {}", other.status(), other.public_message()),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<crate::ports::DbError> for ApiError {
    fn from(error: crate::ports::DbError) -> Self {
        ApiError::Internal(format!("database: {}", error.message))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_error_hides_its_cause() {
        let error = ApiError::internal("no such table: users");
        assert_eq!(error.status(), 500);
        assert_eq!(error.public_message(), "internal error");
    }

    #[test]
    fn payload_too_large_states_the_limit() {
        let message = ApiError::PayloadTooLarge(1_048_576).public_message();
        assert!(message.contains("1048576"), "{message}");
    }
}
