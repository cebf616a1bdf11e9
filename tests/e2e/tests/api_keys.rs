//! `/api/api-keys`: creating a key (the secret is shown once), listing, revoking and the
//! input checks. What a key may call is in `api_key_scopes.rs`.

mod common;

use botmem_e2e::{register_test_user, Client};
use common::{
    assert_error, assert_error_mentions, client_for_key, create_api_key, create_bank, id_of,
    key_client,
};
use serde_json::{json, Value};

/// The minimum number of random characters after the `bm_sk_` prefix.
const MIN_KEY_RANDOM_CHARS: usize = 32;

#[test]
fn create_key_returns_201_with_secret() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/api-keys", &json!({ "name": "laptop" }));

    assert_eq!(response.status, 201, "{response}");
    let key = &response.json;
    let secret = key["key"].as_str().unwrap_or_default();
    let random = secret.strip_prefix("bm_sk_").unwrap_or_default();
    assert!(
        random.len() >= MIN_KEY_RANDOM_CHARS,
        "key too short: {response}"
    );
    assert!(
        random.bytes().all(|b| b.is_ascii_alphanumeric()),
        "key not base62: {response}"
    );
    assert_eq!(key["lastFour"], secret[secret.len() - 4..], "{response}");
    assert_eq!(key["name"], "laptop", "{response}");
    assert!(key["id"].is_string(), "{response}");
    assert!(key["createdAt"].is_string(), "{response}");
}

#[test]
fn create_key_defaults_to_read_scope() {
    let user = register_test_user();

    let key = create_api_key(&user, &json!({ "name": "reader" }));

    assert_eq!(key["scopes"], json!(["read"]), "{key}");
    assert_eq!(key["memoryBankIds"], Value::Null, "{key}");
    assert_eq!(key["expiresAt"], Value::Null, "{key}");
}

#[test]
fn create_key_sorts_and_deduplicates_scopes() {
    let user = register_test_user();
    let body = json!({ "name": "writer", "scopes": ["write", "read", "write"] });

    let key = create_api_key(&user, &body);

    assert_eq!(key["scopes"], json!(["read", "write"]), "{key}");
}

#[test]
fn create_key_keeps_bank_restriction() {
    let user = register_test_user();
    let bank_id = create_bank(&user.client(), "Shared with the assistant");
    let body = json!({ "name": "assistant", "memoryBankIds": [bank_id] });

    let key = create_api_key(&user, &body);

    assert_eq!(key["memoryBankIds"], json!([bank_id]), "{key}");
}

#[test]
fn create_key_keeps_future_expiry() {
    let user = register_test_user();
    let body = json!({ "name": "temporary", "expiresAt": "2099-01-01T00:00:00Z" });

    let key = create_api_key(&user, &body);

    assert_eq!(key["expiresAt"], "2099-01-01T00:00:00.000Z", "{key}");
}

#[test]
fn create_key_with_taken_name_returns_409() {
    let user = register_test_user();
    create_api_key(&user, &json!({ "name": "ci" }));

    let response = user
        .client()
        .post_json("/api/api-keys", &json!({ "name": "ci" }));

    assert_error_mentions(&response, 409, "ci");
}

#[test]
fn revoked_key_name_can_be_reused() {
    let user = register_test_user();
    let client = user.client();
    let old = create_api_key(&user, &json!({ "name": "phone" }));
    let revoked = client.delete(&format!("/api/api-keys/{}", id_of(&old)));
    assert_eq!(revoked.status, 200, "{revoked}");

    let response = client.post_json("/api/api-keys", &json!({ "name": "phone" }));

    assert_eq!(response.status, 201, "{response}");
}

#[test]
fn create_key_with_unknown_scope_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "root", "scopes": ["admin"] });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "admin");
}

#[test]
fn create_key_with_empty_scopes_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "nothing", "scopes": [] });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "scopes");
}

#[test]
fn create_key_with_blank_name_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/api-keys", &json!({ "name": "  " }));

    assert_error_mentions(&response, 400, "name");
}

#[test]
fn create_key_with_unknown_bank_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "lost", "memoryBankIds": ["bank_doesnotexist"] });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "bank_doesnotexist");
}

#[test]
fn create_key_with_empty_bank_list_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "nowhere", "memoryBankIds": [] });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "memoryBankIds");
}

#[test]
fn create_key_with_past_expiry_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "stale", "expiresAt": "2001-01-01T00:00:00Z" });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "expiresAt");
}

#[test]
fn create_key_with_invalid_expiry_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "never", "expiresAt": "next year" });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "expiresAt");
}

#[test]
fn create_key_with_unknown_field_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "typo", "scope": ["read"] });

    let response = user.client().post_json("/api/api-keys", &body);

    assert_error_mentions(&response, 400, "`scope`");
}

#[test]
fn list_keys_omits_secret() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "desktop" }));

    let response = user.client().get("/api/api-keys");

    assert_eq!(response.status, 200, "{response}");
    let items = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 1, "{response}");
    let listed = &items[0];
    assert_eq!(listed["id"], created["id"], "{response}");
    assert_eq!(listed["lastFour"], created["lastFour"], "{response}");
    assert_eq!(listed["scopes"], json!(["read"]), "{response}");
    assert_eq!(listed["revokedAt"], Value::Null, "{response}");
    assert!(
        listed.get("key").is_none(),
        "the list shows the secret: {response}"
    );
    let secret = created["key"].as_str().unwrap_or_default();
    assert!(
        !response.body.contains(secret),
        "the list shows the secret: {response}"
    );
}

#[test]
fn list_keys_records_last_use() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "used" }));
    let used = client_for_key(&created).get("/api/memories");
    assert_eq!(used.status, 200, "{used}");

    let response = user.client().get("/api/api-keys");

    assert!(
        response.json["items"][0]["lastUsedAt"].is_string(),
        "{response}"
    );
}

#[test]
fn revoke_key_returns_deleted_true() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "old" }));

    let response = user
        .client()
        .delete(&format!("/api/api-keys/{}", id_of(&created)));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "deleted": true }), "{response}");
}

#[test]
fn revoked_key_returns_401() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "compromised" }));
    let revoked = user
        .client()
        .delete(&format!("/api/api-keys/{}", id_of(&created)));
    assert_eq!(revoked.status, 200, "{revoked}");

    let response = client_for_key(&created).get("/api/memories");

    assert_error(&response, 401);
}

#[test]
fn revoked_key_is_listed_with_revoked_at() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "retired" }));
    let revoked = user
        .client()
        .delete(&format!("/api/api-keys/{}", id_of(&created)));
    assert_eq!(revoked.status, 200, "{revoked}");

    let response = user.client().get("/api/api-keys");

    assert!(
        response.json["items"][0]["revokedAt"].is_string(),
        "{response}"
    );
}

#[test]
fn revoke_unknown_key_returns_404() {
    let user = register_test_user();

    let response = user.client().delete("/api/api-keys/key_doesnotexist");

    assert_error(&response, 404);
}

#[test]
fn key_cannot_list_keys() {
    let user = register_test_user();
    let key = key_client(&user, &["read", "write"]);

    let response = key.get("/api/api-keys");

    assert_error(&response, 403);
}

#[test]
fn key_cannot_create_key() {
    let user = register_test_user();
    let key = key_client(&user, &["read", "write"]);

    let response = key.post_json("/api/api-keys", &json!({ "name": "child" }));

    assert_error(&response, 403);
}

#[test]
fn key_cannot_revoke_key() {
    let user = register_test_user();
    let created = create_api_key(&user, &json!({ "name": "self", "scopes": ["write"] }));

    let response = client_for_key(&created).delete(&format!("/api/api-keys/{}", id_of(&created)));

    assert_error(&response, 403);
}

#[test]
fn unknown_key_returns_401() {
    let secret = format!("bm_sk_{}", "A".repeat(40));

    let response = Client::new().with_token(&secret).get("/api/memories");

    assert_error(&response, 401);
}
