//! Builders shared by the end-to-end test files: memories, memory banks and API keys made
//! over HTTP, each asserting that the server accepted the request, and the login, refresh and
//! logout requests, which return the response whatever its status.
//!
//! Every test file compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use botmem_e2e::{ApiResponse, Client, TestUser, REFRESH_COOKIE};
use serde_json::{json, Value};

/// Stores a memory with `body` and returns it. Panics unless the server returns 201.
pub fn create_memory(client: &Client, body: &Value) -> Value {
    let response = client.post_json("/api/memories", body);
    assert_eq!(response.status, 201, "creating a memory failed: {response}");
    response.json
}

/// Stores a note with `text` and returns its id.
pub fn create_note(client: &Client, text: &str) -> String {
    id_of(&create_memory(client, &json!({ "text": text })))
}

/// Returns the `id` field of a resource.
pub fn id_of(resource: &Value) -> String {
    match resource["id"].as_str() {
        Some(id) => id.to_owned(),
        None => panic!("no id in {resource}"),
    }
}

/// Creates a memory bank named `name` and returns its id.
pub fn create_bank(client: &Client, name: &str) -> String {
    let response = client.post_json("/api/memory-banks", &json!({ "name": name }));
    assert_eq!(
        response.status, 201,
        "creating a memory bank failed: {response}"
    );
    id_of(&response.json)
}

/// Returns the id of the caller's default memory bank.
pub fn default_bank_id(client: &Client) -> String {
    let response = client.get("/api/memory-banks");
    assert_eq!(
        response.status, 200,
        "listing memory banks failed: {response}"
    );
    let banks = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match banks.iter().find(|bank| bank["isDefault"] == true) {
        Some(bank) => id_of(bank),
        None => panic!("no default memory bank: {response}"),
    }
}

/// Creates an API key for `user` from `body` and returns the creation response body, which
/// is the only place the secret appears.
pub fn create_api_key(user: &TestUser, body: &Value) -> Value {
    let response = user.client().post_json("/api/api-keys", body);
    assert_eq!(
        response.status, 201,
        "creating an API key failed: {response}"
    );
    response.json
}

/// Returns a key name that no other key of the same test process has.
pub fn unique_key_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!("e2e key {}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Returns a client that authenticates with a new API key of `user` that has `scopes`.
pub fn key_client(user: &TestUser, scopes: &[&str]) -> Client {
    let body = json!({ "name": unique_key_name(), "scopes": scopes });
    client_for_key(&create_api_key(user, &body))
}

/// Returns a client with a new read-and-write key of `user` limited to `bank_ids`.
pub fn bank_key_client(user: &TestUser, bank_ids: &[&str]) -> Client {
    let body = json!({
        "name": unique_key_name(),
        "scopes": ["read", "write"],
        "memoryBankIds": bank_ids,
    });
    client_for_key(&create_api_key(user, &body))
}

/// Returns a client that sends the secret from a key creation response.
pub fn client_for_key(created: &Value) -> Client {
    match created["key"].as_str() {
        Some(secret) => Client::new().with_token(secret),
        None => panic!("no key in {created}"),
    }
}

/// Sends a search request and returns the response, whatever its status.
pub fn search(client: &Client, body: &Value) -> ApiResponse {
    client.post_json("/api/memories/search", body)
}

/// Returns the `id` of each item of a list or search response, in order.
pub fn item_ids(response: &ApiResponse) -> Vec<String> {
    let items = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items.iter().map(id_of).collect()
}

/// Returns the item with `id` from a list or search response.
pub fn find_item<'a>(response: &'a ApiResponse, id: &str) -> Option<&'a Value> {
    response.json["items"]
        .as_array()?
        .iter()
        .find(|item| item["id"] == id)
}

/// Sends `POST /api/user-auth/login` and returns the response, whatever its status.
pub fn login(email: &str, password: &str) -> ApiResponse {
    let body = json!({ "email": email, "password": password });
    Client::new().post_json("/api/user-auth/login", &body)
}

/// Sends `POST /api/user-auth/refresh` with `refresh_token` in the cookie and no body.
pub fn refresh(refresh_token: &str) -> ApiResponse {
    Client::new()
        .with_cookie(REFRESH_COOKIE, refresh_token)
        .send("POST", "/api/user-auth/refresh", None)
}

/// Sends `POST /api/user-auth/logout` with `refresh_token` in the cookie and no body.
pub fn logout(refresh_token: &str) -> ApiResponse {
    Client::new()
        .with_cookie(REFRESH_COOKIE, refresh_token)
        .send("POST", "/api/user-auth/logout", None)
}

/// Returns the refresh token that a response's `refresh_token` cookie sets. Panics when the
/// response sets no such cookie.
pub fn refresh_token_of(response: &ApiResponse) -> String {
    match response.set_cookie(REFRESH_COOKIE) {
        Some(cookie) => cookie.value,
        None => panic!("no {REFRESH_COOKIE} cookie in {:?}", response.headers),
    }
}

/// Asserts the error envelope: the status, a non-empty `error` message and `x-request-id`.
pub fn assert_error(response: &ApiResponse, status: u16) {
    assert_eq!(response.status, status, "{response}");
    let message = response.error().unwrap_or_default();
    assert!(!message.is_empty(), "no error message: {response}");
    let request_id = response.header("x-request-id").unwrap_or_default();
    assert!(
        !request_id.is_empty(),
        "no x-request-id: {:?}",
        response.headers
    );
}

/// Asserts the error envelope and that the message contains `needle`.
pub fn assert_error_mentions(response: &ApiResponse, status: u16, needle: &str) {
    assert_error(response, status);
    let message = response.error().unwrap_or_default();
    assert!(
        message.contains(needle),
        "error does not mention {needle:?}: {response}"
    );
}
