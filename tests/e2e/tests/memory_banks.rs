//! `/api/memory-banks`: the default bank, create, get, list and input checks, over HTTP.

mod common;

use botmem_e2e::register_test_user;
use common::{
    assert_error, assert_error_mentions, create_bank, create_memory, default_bank_id, item_ids,
};
use serde_json::{json, Value};

#[test]
fn new_user_has_one_default_bank() {
    let user = register_test_user();

    let response = user.client().get("/api/memory-banks");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
    assert_eq!(response.json["nextCursor"], Value::Null, "{response}");
    let bank = &response.json["items"][0];
    assert_eq!(bank["name"], "Default", "{response}");
    assert_eq!(bank["isDefault"], true, "{response}");
    assert_eq!(bank["memoryCount"], 0, "{response}");
}

#[test]
fn create_bank_returns_201_with_bank() {
    let user = register_test_user();
    let body = json!({ "name": "Work", "description": "Meetings and projects" });

    let response = user.client().post_json("/api/memory-banks", &body);

    assert_eq!(response.status, 201, "{response}");
    let bank = &response.json;
    let id = bank["id"].as_str().unwrap_or_default();
    assert!(id.starts_with("bank_"), "{response}");
    assert_eq!(bank["name"], "Work", "{response}");
    assert_eq!(bank["description"], "Meetings and projects", "{response}");
    assert_eq!(bank["isDefault"], false, "{response}");
    assert_eq!(bank["memoryCount"], 0, "{response}");
    assert!(bank["createdAt"].is_string(), "{response}");
}

#[test]
fn create_bank_without_description_stores_empty_one() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memory-banks", &json!({ "name": "Notes" }));

    assert_eq!(response.status, 201, "{response}");
    assert_eq!(response.json["description"], "", "{response}");
}

#[test]
fn create_bank_with_taken_name_returns_409() {
    let user = register_test_user();
    let client = user.client();
    create_bank(&client, "Family");

    let response = client.post_json("/api/memory-banks", &json!({ "name": "Family" }));

    assert_error_mentions(&response, 409, "Family");
}

#[test]
fn create_bank_named_like_default_returns_409() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memory-banks", &json!({ "name": "Default" }));

    assert_error(&response, 409);
}

#[test]
fn create_bank_with_blank_name_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memory-banks", &json!({ "name": " " }));

    assert_error_mentions(&response, 400, "name");
}

#[test]
fn create_bank_with_long_name_returns_400() {
    let user = register_test_user();
    let name = "b".repeat(101);

    let response = user
        .client()
        .post_json("/api/memory-banks", &json!({ "name": name }));

    assert_error_mentions(&response, 400, "name");
}

#[test]
fn create_bank_with_long_description_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "Long", "description": "d".repeat(1_001) });

    let response = user.client().post_json("/api/memory-banks", &body);

    assert_error_mentions(&response, 400, "description");
}

#[test]
fn create_bank_with_unknown_field_returns_400() {
    let user = register_test_user();
    let body = json!({ "name": "Work", "colour": "blue" });

    let response = user.client().post_json("/api/memory-banks", &body);

    assert_error_mentions(&response, 400, "colour");
}

#[test]
fn create_bank_with_numeric_name_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memory-banks", &json!({ "name": 7 }));

    assert_error_mentions(&response, 400, "invalid type");
}

#[test]
fn list_banks_includes_created_bank() {
    let user = register_test_user();
    let client = user.client();
    let id = create_bank(&client, "Reading");

    let response = client.get("/api/memory-banks");

    assert_eq!(response.json["total"], 2, "{response}");
    assert!(item_ids(&response).contains(&id), "{response}");
}

#[test]
fn get_bank_returns_it() {
    let user = register_test_user();
    let client = user.client();
    let id = create_bank(&client, "Recipes");

    let response = client.get(&format!("/api/memory-banks/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], id.as_str(), "{response}");
    assert_eq!(response.json["name"], "Recipes", "{response}");
}

#[test]
fn get_bank_counts_its_memories() {
    let user = register_test_user();
    let client = user.client();
    let id = create_bank(&client, "Health");
    create_memory(
        &client,
        &json!({ "text": "Blood test on the 12th.", "memoryBankId": id }),
    );
    create_memory(
        &client,
        &json!({ "text": "Physio exercises twice a day.", "memoryBankId": id }),
    );
    create_memory(&client, &json!({ "text": "Not in the health bank." }));

    let response = client.get(&format!("/api/memory-banks/{id}"));

    assert_eq!(response.json["memoryCount"], 2, "{response}");
}

#[test]
fn get_default_bank_counts_its_memories() {
    let user = register_test_user();
    let client = user.client();
    create_memory(&client, &json!({ "text": "Goes to the default bank." }));

    let id = default_bank_id(&client);
    let response = client.get(&format!("/api/memory-banks/{id}"));

    assert_eq!(response.json["memoryCount"], 1, "{response}");
}

#[test]
fn get_unknown_bank_returns_404() {
    let user = register_test_user();

    let response = user.client().get("/api/memory-banks/bank_doesnotexist");

    assert_error(&response, 404);
}
