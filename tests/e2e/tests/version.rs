//! The open endpoint and the gateway's routing, over HTTP.

use botmem_e2e::Client;

#[test]
fn version_returns_json_with_version() {
    let response = Client::new().get("/api/version");
    assert_eq!(response.status, 200, "{response}");
    assert!(response.json["version"].is_string(), "{response}");
    assert_eq!(
        response.json["platform"], "cloudflare-workers",
        "{response}"
    );
}

#[test]
fn version_carries_request_id() {
    let response = Client::new().get("/api/version");
    let id = response.header("x-request-id").unwrap_or_default();
    assert!(!id.is_empty(), "no x-request-id: {:?}", response.headers);
}

#[test]
fn version_keeps_well_formed_request_id() {
    let id = "e2e-request-0123456789";
    let response = Client::new()
        .with_header("x-request-id", id)
        .get("/api/version");
    assert_eq!(
        response.header("x-request-id"),
        Some(id),
        "{:?}",
        response.headers
    );
}

#[test]
fn version_replaces_malformed_request_id() {
    let response = Client::new()
        .with_header("x-request-id", "bad id!")
        .get("/api/version");
    let id = response.header("x-request-id").unwrap_or_default();
    assert!(!id.is_empty(), "no x-request-id: {:?}", response.headers);
    assert_ne!(id, "bad id!");
}

#[test]
fn version_rejects_post_with_405() {
    let response = Client::new().post_json("/api/version", &serde_json::json!({}));
    assert_eq!(response.status, 405, "{response}");
    assert!(response.error().is_some(), "{response}");
}

#[test]
fn unknown_group_returns_404_json() {
    let response = Client::new().get("/api/no-such-group");
    assert_eq!(response.status, 404, "{response}");
    assert!(response.error().is_some(), "{response}");
    assert!(
        response.header("x-request-id").is_some(),
        "{:?}",
        response.headers
    );
}

#[test]
fn path_outside_api_returns_404_json() {
    let response = Client::new().get("/");
    assert_eq!(response.status, 404, "{response}");
    assert!(response.error().is_some(), "{response}");
}

#[test]
fn unknown_route_in_group_returns_404_json() {
    let response = Client::new().get("/api/version/extra");
    assert_eq!(response.status, 404, "{response}");
    assert!(response.error().is_some(), "{response}");
}
