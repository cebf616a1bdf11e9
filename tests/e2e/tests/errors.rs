//! The error envelope over HTTP: each failure has its status, a JSON body `{"error": ...}`
//! and an `x-request-id`, whatever the route group.

mod common;

use botmem_e2e::{register_test_user, ApiResponse, Client};
use common::{assert_error, assert_error_mentions, create_note};
use serde_json::json;

/// The JSON body limit, in bytes.
const MAX_JSON_BODY_BYTES: usize = 1024 * 1024;

/// Sends `body` as-is to `POST path` with `content-type`.
fn post_raw(client: &Client, path: &str, content_type: &str, body: &[u8]) -> ApiResponse {
    client
        .with_header("content-type", content_type)
        .send("POST", path, Some(body))
}

#[test]
fn malformed_json_returns_400() {
    let user = register_test_user();

    let response = post_raw(
        &user.client(),
        "/api/memories",
        "application/json",
        b"{\"text\": ",
    );

    assert_error_mentions(&response, 400, "malformed JSON");
}

#[test]
fn malformed_json_on_search_returns_400() {
    let user = register_test_user();

    let response = post_raw(
        &user.client(),
        "/api/memories/search",
        "application/json",
        br#"{"query": "tax",}"#,
    );

    assert_error_mentions(&response, 400, "malformed JSON");
}

#[test]
fn json_array_body_returns_400() {
    let user = register_test_user();

    let response = user.client().post_json("/api/memories", &json!(["text"]));

    assert_error(&response, 400);
}

#[test]
fn unknown_field_returns_400_naming_it() {
    let user = register_test_user();
    let body = json!({ "text": "Hello.", "colour": "red" });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "colour");
}

#[test]
fn unknown_field_on_search_returns_400_naming_it() {
    let user = register_test_user();
    let body = json!({ "query": "hello", "topK": 5 });

    let response = user.client().post_json("/api/memories/search", &body);

    assert_error_mentions(&response, 400, "topK");
}

#[test]
fn wrong_type_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memories", &json!({ "text": 42 }));

    assert_error_mentions(&response, 400, "invalid type");
}

#[test]
fn wrong_type_for_pinned_returns_400() {
    let user = register_test_user();
    let body = json!({ "text": "Pinned?", "pinned": "yes" });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "invalid type");
}

#[test]
fn text_plain_body_returns_415() {
    let user = register_test_user();
    let body = br#"{"text": "Sent as plain text."}"#;

    let response = post_raw(&user.client(), "/api/memories", "text/plain", body);

    assert_error_mentions(&response, 415, "application/json");
}

#[test]
fn form_body_returns_415() {
    let user = register_test_user();
    let body = b"name=Work";

    let response = post_raw(
        &user.client(),
        "/api/memory-banks",
        "application/x-www-form-urlencoded",
        body,
    );

    assert_error(&response, 415);
}

#[test]
fn json_with_charset_is_accepted() {
    let user = register_test_user();
    let body = br#"{"text": "Sent with a charset parameter."}"#;

    let response = post_raw(
        &user.client(),
        "/api/memories",
        "application/json; charset=utf-8",
        body,
    );

    assert_eq!(response.status, 201, "{response}");
}

#[test]
fn body_over_one_mebibyte_returns_413() {
    let user = register_test_user();
    let text = "a".repeat(MAX_JSON_BODY_BYTES + 1);
    let body = json!({ "text": text }).to_string();

    let response = post_raw(
        &user.client(),
        "/api/memories",
        "application/json",
        body.as_bytes(),
    );

    // The message states the limit in bytes.
    assert_error_mentions(&response, 413, "1048576");
}

#[test]
fn request_after_oversized_body_succeeds() {
    let user = register_test_user();
    let client = user.client();
    let body = json!({ "text": "a".repeat(3 * MAX_JSON_BODY_BYTES) }).to_string();
    let rejected = post_raw(
        &client,
        "/api/memories",
        "application/json",
        body.as_bytes(),
    );

    let next = client.post_json("/api/memories/search", &json!({ "query": "anything" }));

    assert_eq!(rejected.status, 413, "{rejected}");
    assert_eq!(next.status, 200, "{next}");
}

#[test]
fn body_over_one_mebibyte_on_search_returns_413() {
    let user = register_test_user();
    let query = "q".repeat(MAX_JSON_BODY_BYTES + 1);
    let body = json!({ "query": query }).to_string();

    let response = post_raw(
        &user.client(),
        "/api/memories/search",
        "application/json",
        body.as_bytes(),
    );

    assert_error(&response, 413);
}

#[test]
fn put_on_memories_returns_405() {
    let user = register_test_user();

    let response = user
        .client()
        .send_json("PUT", "/api/memories", &json!({ "text": "Hi." }));

    assert_error(&response, 405);
}

#[test]
fn get_on_search_returns_405() {
    let user = register_test_user();

    let response = user.client().get("/api/memories/search");

    assert_error(&response, 405);
}

#[test]
fn delete_on_stats_returns_405() {
    let user = register_test_user();

    let response = user.client().delete("/api/memories/stats");

    assert_error(&response, 405);
}

#[test]
fn patch_on_memory_returns_405() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Cannot be patched.");

    let response = client.patch_json(&format!("/api/memories/{id}"), &json!({ "pinned": true }));

    assert_error(&response, 405);
}

#[test]
fn delete_on_bank_list_returns_405() {
    let user = register_test_user();

    let response = user.client().delete("/api/memory-banks");

    assert_error(&response, 405);
}

#[test]
fn get_on_api_key_returns_405() {
    let user = register_test_user();

    let response = user.client().get("/api/api-keys/key_anything");

    assert_error(&response, 405);
}

// HTTP requires an `Allow` header on every 405 (RFC 9110, section 15.5.6).
#[test]
fn method_not_allowed_sets_allow_header() {
    let user = register_test_user();

    let response = user.client().delete("/api/memories/stats");

    assert_eq!(response.status, 405, "{response}");
    let allow = response.header("allow").unwrap_or_default();
    assert!(
        allow.contains("GET"),
        "no Allow: GET: {:?}",
        response.headers
    );
}

// HEAD is a GET without the body, so it succeeds wherever GET does.
#[test]
fn head_on_memory_list_returns_200() {
    let user = register_test_user();

    let response = user.client().send("HEAD", "/api/memories", None);

    assert_eq!(response.status, 200, "{response}");
    assert!(response.body.is_empty(), "HEAD returned a body: {response}");
}

#[test]
fn unknown_memories_route_returns_404() {
    let user = register_test_user();

    let response = user.client().get("/api/memories/some/deeper/path");

    assert_error(&response, 404);
}

#[test]
fn missing_credentials_returns_401_with_request_id() {
    let response = Client::new().get("/api/memories/stats");

    assert_error(&response, 401);
}

#[test]
fn malformed_authorization_returns_401() {
    let response = Client::new()
        .with_header("authorization", "Basic dXNlcjpwYXNz")
        .get("/api/memory-banks");

    assert_error(&response, 401);
}

#[test]
fn forged_access_token_returns_401() {
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";

    let response = Client::new().with_token(token).get("/api/memories");

    assert_error(&response, 401);
}

#[test]
fn error_keeps_caller_request_id() {
    let request_id = "e2e-error-request-42";
    let client = Client::new().with_header("x-request-id", request_id);

    let response = client.get("/api/memories");

    assert_eq!(response.status, 401, "{response}");
    assert_eq!(
        response.header("x-request-id"),
        Some(request_id),
        "{:?}",
        response.headers
    );
}

#[test]
fn error_body_is_json() {
    let user = register_test_user();

    let response = user.client().get("/api/memories/mem_doesnotexist");

    assert_error(&response, 404);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{:?}",
        response.headers
    );
}
