//! Helpers for the end-to-end tests, which run over HTTP against a stack that
//! `scripts/test.sh` starts and names in `BOTMEM_BASE_URL` (such as `http://127.0.0.1:12412`).
//!
//! ```no_run
//! use botmem_e2e::{register_user, Client};
//!
//! let token = register_user();
//! let response = Client::new().with_token(&token).get("/api/memories");
//! assert_eq!(response.status, 200, "{response}");
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// How long one request may take before the test fails.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Name of the cookie that carries the refresh token, sent only to `/api/user-auth`.
pub const REFRESH_COOKIE: &str = "refresh_token";

/// The password of every user that [`register_test_user`] creates (12..128 characters).
pub const TEST_PASSWORD: &str = "correct-horse-battery-staple";

/// An HTTP client for the stack under test. Cheap to clone; `with_*` methods return a copy.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    agent: ureq::Agent,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// Creates a client for `BOTMEM_BASE_URL`. Panics when it is unset or not a loopback
    /// `http://` address, so a test never runs against the wrong server.
    pub fn new() -> Client {
        let base_url = std::env::var("BOTMEM_BASE_URL").unwrap_or_else(|_| {
            panic!(
                "BOTMEM_BASE_URL is not set: run the end-to-end tests with scripts/test.sh, \
                 or start scripts/dev.sh and set BOTMEM_BASE_URL=http://127.0.0.1:12412"
            )
        });
        let base_url = base_url.trim_end_matches('/').to_owned();
        assert_loopback(&base_url);
        let agent = ureq::AgentBuilder::new()
            .timeout(REQUEST_TIMEOUT)
            .redirects(0)
            .build();
        Client {
            base_url,
            agent,
            headers: Vec::new(),
        }
    }

    /// Returns a copy that sends `Authorization: Bearer <token>` (an access token or API key).
    pub fn with_token(&self, token: &str) -> Client {
        self.with_header("authorization", &format!("Bearer {token}"))
    }

    /// Returns a copy that sends `Cookie: <name>=<value>`, as a browser sends a stored cookie.
    pub fn with_cookie(&self, name: &str, value: &str) -> Client {
        self.with_header("cookie", &format!("{name}={value}"))
    }

    /// Returns a copy that sends one more header on every request.
    pub fn with_header(&self, name: &str, value: &str) -> Client {
        let mut client = self.clone();
        client
            .headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        client.headers.push((name.to_owned(), value.to_owned()));
        client
    }

    pub fn get(&self, path: &str) -> ApiResponse {
        self.send("GET", path, None)
    }

    pub fn delete(&self, path: &str) -> ApiResponse {
        self.send("DELETE", path, None)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> ApiResponse {
        self.send_json("POST", path, body)
    }

    pub fn patch_json(&self, path: &str, body: &Value) -> ApiResponse {
        self.send_json("PATCH", path, body)
    }

    pub fn send_json(&self, method: &str, path: &str, body: &Value) -> ApiResponse {
        let body = body.to_string().into_bytes();
        self.with_header("content-type", "application/json")
            .send(method, path, Some(&body))
    }

    /// Sends any method with an optional raw body (set `content-type` with [`with_header`]).
    /// Panics only when no HTTP response arrives; any status is returned.
    ///
    /// [`with_header`]: Client::with_header
    pub fn send(&self, method: &str, path: &str, body: Option<&[u8]>) -> ApiResponse {
        let url = format!("{}{path}", self.base_url);
        let mut request = self.agent.request(method, &url);
        for (name, value) in &self.headers {
            request = request.set(name, value);
        }
        let result = match body {
            Some(body) => request.send_bytes(body),
            None => request.call(),
        };
        let response = match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(error) => panic!("{method} {url} failed without a response: {error}"),
        };
        ApiResponse::read(method, path, response)
    }
}

/// A response with its body read and, where it is JSON, parsed.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Header names in lower case, in the order received; repeated headers appear repeatedly.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The parsed body, or `Value::Null` when it is not JSON.
    pub json: Value,
}

impl ApiResponse {
    fn read(method: &str, path: &str, response: ureq::Response) -> ApiResponse {
        let status = response.status();
        let mut headers = Vec::new();
        for name in response.headers_names() {
            for value in response.all(&name) {
                headers.push((name.to_ascii_lowercase(), value.to_owned()));
            }
        }
        let body = response
            .into_string()
            .unwrap_or_else(|error| panic!("{method} {path}: failed to read the body: {error}"));
        let json = serde_json::from_str(&body).unwrap_or(Value::Null);
        ApiResponse {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            headers,
            body,
            json,
        }
    }

    /// Returns the first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Returns the `error` message of an error body.
    pub fn error(&self) -> Option<&str> {
        self.json.get("error").and_then(Value::as_str)
    }

    /// Returns the `Set-Cookie` header that sets the cookie `name`, parsed.
    pub fn set_cookie(&self, name: &str) -> Option<SetCookie> {
        self.headers
            .iter()
            .filter(|(key, _)| key == "set-cookie")
            .filter_map(|(_, value)| SetCookie::parse(value))
            .find(|cookie| cookie.name == name)
    }
}

/// Shows the request and the whole response, for assert messages: `assert!(.., "{response}")`.
impl fmt::Display for ApiResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {}: {}",
            self.method, self.path, self.status, self.body
        )
    }
}

/// One `Set-Cookie` header: the cookie's name and value, then its attributes (RFC 6265,
/// section 4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// The attributes in the order received, trimmed, such as `HttpOnly` or `Max-Age=0`.
    pub attributes: Vec<String>,
}

impl SetCookie {
    /// Parses a `Set-Cookie` header value, or returns `None` when it lacks a `name=value` pair.
    pub fn parse(header: &str) -> Option<SetCookie> {
        let mut parts = header.split(';').map(str::trim);
        let (name, value) = parts.next()?.split_once('=')?;
        Some(SetCookie {
            name: name.to_owned(),
            value: value.to_owned(),
            attributes: parts
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Returns whether a flag attribute such as `HttpOnly` or `Secure` is present. Attribute
    /// names are case-insensitive.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.attributes
            .iter()
            .any(|attribute| attribute.eq_ignore_ascii_case(flag))
    }

    /// Returns the value of an attribute such as `Max-Age` or `Path`, by case-insensitive name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find_map(|attribute| {
            let (key, value) = attribute.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// A user registered for one test.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub access_token: String,
    /// The `user` object of the registration response.
    pub user: Value,
    /// The whole registration response, with its `set-cookie` headers.
    pub response: ApiResponse,
}

impl TestUser {
    /// Returns a client that authenticates as this user.
    pub fn client(&self) -> Client {
        Client::new().with_token(&self.access_token)
    }

    /// Returns the refresh token of the registration's `refresh_token` cookie. Panics when
    /// the registration set no such cookie.
    pub fn refresh_token(&self) -> String {
        match self.response.set_cookie(REFRESH_COOKIE) {
            Some(cookie) => cookie.value,
            None => panic!(
                "registration set no {REFRESH_COOKIE} cookie: {}",
                self.response
            ),
        }
    }
}

/// Registers a new user with a unique email and returns its access token.
pub fn register_user() -> String {
    register_test_user().access_token
}

/// Registers a new user with a unique email and [`TEST_PASSWORD`]. Panics unless the
/// server responds 201 with an `accessToken`.
pub fn register_test_user() -> TestUser {
    let email = unique_email();
    let body = json!({ "email": email, "password": TEST_PASSWORD, "name": "End-to-end Test" });
    let response = Client::new().post_json("/api/user-auth/register", &body);
    assert_eq!(response.status, 201, "registration failed: {response}");
    let access_token = response.json["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("registration returned no accessToken: {response}"))
        .to_owned();
    TestUser {
        email,
        password: TEST_PASSWORD.to_owned(),
        access_token,
        user: response.json["user"].clone(),
        response,
    }
}

/// Returns an email address no other test run uses: process id, a counter and the time.
pub fn unique_email() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("e2e-{}-{count}-{nanos}@example.test", std::process::id())
}

/// Panics unless `base_url` is plain HTTP on a loopback address.
fn assert_loopback(base_url: &str) {
    let host_and_port = base_url.strip_prefix("http://").unwrap_or_else(|| {
        panic!("BOTMEM_BASE_URL {base_url:?} is invalid: expected http://127.0.0.1:<port>")
    });
    let host = match host_and_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host_and_port.split([':', '/']).next().unwrap_or(""),
    };
    let is_loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    assert!(
        is_loopback,
        "BOTMEM_BASE_URL {base_url:?} is not a loopback address"
    );
}

#[cfg(test)]
mod tests {
    use super::SetCookie;

    #[test]
    fn set_cookie_parse_splits_attributes() {
        let header = "refresh_token=abc; HttpOnly; SameSite=Strict; Path=/api/user-auth; Max-Age=0";

        let cookie = SetCookie::parse(header);

        let cookie = cookie.unwrap_or_else(|| panic!("not parsed: {header}"));
        assert_eq!(cookie.name, "refresh_token");
        assert_eq!(cookie.value, "abc");
        assert!(cookie.has_flag("httponly"), "{cookie:?}");
        assert!(!cookie.has_flag("Secure"), "{cookie:?}");
        assert_eq!(cookie.attribute("max-age"), Some("0"));
        assert_eq!(cookie.attribute("Path"), Some("/api/user-auth"));
    }

    #[test]
    fn set_cookie_parse_keeps_empty_value() {
        let cookie = SetCookie::parse("refresh_token=; Max-Age=0");

        assert_eq!(cookie.map(|cookie| cookie.value), Some(String::new()));
    }

    #[test]
    fn set_cookie_parse_rejects_missing_pair() {
        assert_eq!(SetCookie::parse("HttpOnly; Path=/"), None);
    }
}
