//! What an API key may call: a read key may only send GETs and read-style POSTs, a write key
//! may also change memories and banks, and a bank-restricted key reaches only its banks.

mod common;

use botmem_e2e::register_test_user;
use common::{
    assert_error, bank_key_client, create_bank, create_memory, create_note, default_bank_id, id_of,
    item_ids, key_client, search,
};
use serde_json::json;

#[test]
fn read_key_can_list_memories() {
    let user = register_test_user();
    let id = create_note(&user.client(), "Seen by the read key.");
    let key = key_client(&user, &["read"]);

    let response = key.get("/api/memories");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response), [id], "{response}");
}

#[test]
fn read_key_can_get_memory() {
    let user = register_test_user();
    let id = create_note(&user.client(), "Fetched by the read key.");
    let key = key_client(&user, &["read"]);

    let response = key.get(&format!("/api/memories/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], id.as_str(), "{response}");
}

#[test]
fn read_key_can_search() {
    let user = register_test_user();
    let id = create_note(&user.client(), "The boiler service is booked.");
    let key = key_client(&user, &["read"]);

    let response = search(&key, &json!({ "query": "boiler service" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response), [id], "{response}");
}

#[test]
fn read_key_can_read_stats() {
    let user = register_test_user();
    create_note(&user.client(), "Counted in stats.");
    let key = key_client(&user, &["read"]);

    let response = key.get("/api/memories/stats");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn read_key_can_read_profile() {
    let user = register_test_user();
    let key = key_client(&user, &["read"]);

    let response = key.get("/api/me");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["email"], user.email.as_str(), "{response}");
}

#[test]
fn read_key_cannot_create_memory() {
    let user = register_test_user();
    let key = key_client(&user, &["read"]);

    let response = key.post_json(
        "/api/memories",
        &json!({ "text": "Written by a read key." }),
    );

    assert_error(&response, 403);
}

#[test]
fn read_key_cannot_delete_memory() {
    let user = register_test_user();
    let id = create_note(&user.client(), "Kept despite the read key.");
    let key = key_client(&user, &["read"]);

    let response = key.delete(&format!("/api/memories/{id}"));
    let still_there = user.client().get(&format!("/api/memories/{id}"));

    assert_error(&response, 403);
    assert_eq!(still_there.status, 200, "{still_there}");
}

#[test]
fn read_key_cannot_retry_failed() {
    let user = register_test_user();
    let key = key_client(&user, &["read"]);

    let response = key.post_json("/api/memories/retry-failed", &json!({}));

    assert_error(&response, 403);
}

#[test]
fn read_key_cannot_create_bank() {
    let user = register_test_user();
    let key = key_client(&user, &["read"]);

    let response = key.post_json("/api/memory-banks", &json!({ "name": "Sneaky" }));

    assert_error(&response, 403);
}

#[test]
fn key_cannot_update_profile() {
    let user = register_test_user();
    let key = key_client(&user, &["read", "write"]);

    let response = key.patch_json("/api/me", &json!({ "name": "Renamed by a key" }));

    assert_error(&response, 403);
}

#[test]
fn write_key_can_create_memory() {
    let user = register_test_user();
    let key = key_client(&user, &["write"]);

    let response = key.post_json(
        "/api/memories",
        &json!({ "text": "Written by a write key." }),
    );

    assert_eq!(response.status, 201, "{response}");
    assert_eq!(
        response.json["text"], "Written by a write key.",
        "{response}"
    );
}

#[test]
fn write_key_can_delete_memory() {
    let user = register_test_user();
    let id = create_note(&user.client(), "Removed by a write key.");
    let key = key_client(&user, &["read", "write"]);

    let response = key.delete(&format!("/api/memories/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "deleted": true }), "{response}");
}

#[test]
fn write_key_can_create_bank() {
    let user = register_test_user();
    let key = key_client(&user, &["read", "write"]);

    let response = key.post_json("/api/memory-banks", &json!({ "name": "Made by a key" }));

    assert_eq!(response.status, 201, "{response}");
}

#[test]
fn bank_key_lists_only_its_memories() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    create_note(&client, "Private note in the default bank.");
    let body = json!({ "text": "Shared note.", "memoryBankId": bank_id });
    let shared = id_of(&create_memory(&client, &body));
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get("/api/memories");

    assert_eq!(item_ids(&response), [shared], "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn bank_key_searches_only_its_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    create_note(&client, "Tax return papers are in the blue folder.");
    let body = json!({ "text": "Tax advisor meeting on Friday.", "memoryBankId": bank_id });
    let shared = id_of(&create_memory(&client, &body));
    let key = bank_key_client(&user, &[&bank_id]);

    let response = search(&key, &json!({ "query": "tax" }));

    assert_eq!(item_ids(&response), [shared], "{response}");
}

#[test]
fn bank_key_cannot_get_memory_in_other_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    let private = create_note(&client, "Private diary entry.");
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get(&format!("/api/memories/{private}"));

    assert_error(&response, 404);
}

#[test]
fn bank_key_cannot_delete_memory_in_other_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    let private = create_note(&client, "Private budget figures.");
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.delete(&format!("/api/memories/{private}"));
    let still_there = client.get(&format!("/api/memories/{private}"));

    assert_error(&response, 404);
    assert_eq!(still_there.status, 200, "{still_there}");
}

#[test]
fn bank_key_defaults_to_its_bank() {
    let user = register_test_user();
    let bank_id = create_bank(&user.client(), "Assistant");
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.post_json("/api/memories", &json!({ "text": "Where does this go?" }));

    assert_eq!(response.status, 201, "{response}");
    assert_eq!(
        response.json["memoryBankId"],
        bank_id.as_str(),
        "{response}"
    );
}

#[test]
fn bank_key_can_create_memory_in_its_bank() {
    let user = register_test_user();
    let bank_id = create_bank(&user.client(), "Assistant");
    let key = bank_key_client(&user, &[&bank_id]);

    let body = json!({ "text": "Stored through a bank key.", "memoryBankId": bank_id });
    let response = key.post_json("/api/memories", &body);

    assert_eq!(response.status, 201, "{response}");
    assert_eq!(
        response.json["memoryBankId"],
        bank_id.as_str(),
        "{response}"
    );
}

#[test]
fn bank_key_cannot_create_memory_in_other_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    let default_id = default_bank_id(&client);
    let key = bank_key_client(&user, &[&bank_id]);

    let body = json!({ "text": "Aimed at the default bank.", "memoryBankId": default_id });
    let response = key.post_json("/api/memories", &body);

    assert_error(&response, 403);
}

#[test]
fn bank_key_cannot_list_other_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    let default_id = default_bank_id(&client);
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get(&format!("/api/memories?memoryBankId={default_id}"));

    assert_error(&response, 403);
}

#[test]
fn bank_key_lists_only_its_bank() {
    let user = register_test_user();
    let bank_id = create_bank(&user.client(), "Assistant");
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get("/api/memory-banks");

    assert_eq!(item_ids(&response), [bank_id], "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn bank_key_cannot_get_other_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    let default_id = default_bank_id(&client);
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get(&format!("/api/memory-banks/{default_id}"));

    assert_error(&response, 404);
}

#[test]
fn bank_key_cannot_create_bank() {
    let user = register_test_user();
    let bank_id = create_bank(&user.client(), "Assistant");
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.post_json("/api/memory-banks", &json!({ "name": "Escape hatch" }));

    assert_error(&response, 403);
}

#[test]
fn bank_key_stats_count_only_its_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Assistant");
    create_note(&client, "Outside the key's bank.");
    create_memory(
        &client,
        &json!({ "text": "Inside the key's bank.", "memoryBankId": bank_id }),
    );
    let key = bank_key_client(&user, &[&bank_id]);

    let response = key.get("/api/memories/stats");

    assert_eq!(response.json["total"], 1, "{response}");
}
