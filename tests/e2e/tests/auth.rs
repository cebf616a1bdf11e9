//! Credentials are required everywhere except `GET /api/version`.

use botmem_e2e::Client;

#[test]
fn memories_without_authorization_returns_401() {
    let response = Client::new().get("/api/memories");
    assert_eq!(response.status, 401, "{response}");
    assert!(response.error().is_some(), "{response}");
}

#[test]
fn memories_with_invalid_token_returns_401() {
    let response = Client::new().with_token("not-a-token").get("/api/memories");
    assert_eq!(response.status, 401, "{response}");
    assert!(response.error().is_some(), "{response}");
}
