//! The core's [`HttpClient`] over the Workers `fetch`, for calls such as an OpenAI-compatible
//! embeddings endpoint.
//!
//! Errors name the URL without its query string or user info, and never the request
//! headers, so an API key sent in either never reaches a log.

use async_trait::async_trait;
use botmem_core::ports::HttpClient;
use botmem_core::{ApiError, ApiResult};
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::web_sys;
use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, Url};

/// How long a call may take, from sending the request to reading the whole response. A
/// request that embeds text waits for this call, so a stalled endpoint must fail it within
/// seconds. One embeddings call for a few texts normally completes within one second.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// Sends JSON requests with `fetch`, each aborted after a timeout.
#[derive(Debug, Clone)]
pub struct FetchHttpClient {
    timeout_ms: u32,
}

impl Default for FetchHttpClient {
    fn default() -> Self {
        FetchHttpClient {
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl FetchHttpClient {
    /// Builds a client whose calls time out after `timeout_ms` milliseconds.
    pub fn with_timeout_ms(timeout_ms: u32) -> FetchHttpClient {
        FetchHttpClient { timeout_ms }
    }

    fn build_request(
        url: &str,
        headers: &[(String, String)],
        body: &Value,
    ) -> worker::Result<Request> {
        let request_headers = Headers::new();
        request_headers.set("content-type", "application/json")?;
        request_headers.set("accept", "application/json")?;
        for (name, value) in headers {
            request_headers.set(name, value)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(request_headers)
            .with_body(Some(JsValue::from_str(&body.to_string())));
        Request::new_with_init(url, &init)
    }
}

#[async_trait(?Send)]
impl HttpClient for FetchHttpClient {
    /// Posts `body` and returns the status and the JSON body. A non-JSON body is an error on
    /// a 2xx status. On any other status it becomes `null`, so the caller still sees the status.
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &Value,
    ) -> ApiResult<(u16, Value)> {
        let target = redacted_url(url);
        let request = Self::build_request(url, headers, body).map_err(|error| {
            ApiError::internal(format!("POST {target}: invalid request: {error}"))
        })?;

        // `AbortSignal.timeout` aborts the fetch and the body read that follows it.
        let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(self.timeout_ms));
        let failed = |error: worker::Error| {
            if signal.aborted() {
                ApiError::internal(format!(
                    "POST {target} timed out after {} ms",
                    self.timeout_ms
                ))
            } else {
                ApiError::internal(format!("POST {target} failed: {error}"))
            }
        };
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(failed)?;
        let status = response.status_code();
        let text = response.text().await.map_err(failed)?;

        match serde_json::from_str(&text) {
            Ok(value) => Ok((status, value)),
            Err(_) if !(200..300).contains(&status) => Ok((status, Value::Null)),
            Err(error) => Err(ApiError::internal(format!(
                "POST {target} returned {status} with a body that is not JSON: {error}"
            ))),
        }
    }
}

/// Returns `url` without user info, query or fragment, for error messages.
fn redacted_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return "<invalid URL>".to_owned();
    };
    // Both setters fail only for URLs that cannot have credentials, which have none to hide.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_query(None);
    parsed.set_fragment(None);
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_url_drops_credentials_and_query() {
        let url = "https://user:secret@api.example.com/v1/embeddings?api_key=k#frag";
        assert_eq!(redacted_url(url), "https://api.example.com/v1/embeddings");
    }

    #[test]
    fn redacted_url_keeps_port_and_path() {
        let url = "http://127.0.0.1:11434/v1/embeddings";
        assert_eq!(redacted_url(url), "http://127.0.0.1:11434/v1/embeddings");
    }

    #[test]
    fn redacted_url_hides_unparsable_input() {
        assert_eq!(redacted_url("not a url with key=abc"), "<invalid URL>");
    }
}
