//! Two users never see each other's data: another user's ids are 404, searches and counts
//! cover only the caller's own memories.

mod common;

use botmem_e2e::register_test_user;
use common::{
    assert_error, create_api_key, create_bank, create_memory, create_note, id_of, item_ids,
    key_client, search,
};
use serde_json::json;

#[test]
fn other_users_memory_get_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let id = create_note(&alice.client(), "Alice's bank PIN hint.");

    let response = bob.client().get(&format!("/api/memories/{id}"));

    assert_error(&response, 404);
}

#[test]
fn other_users_memory_delete_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let id = create_note(&alice.client(), "Alice's holiday plans.");

    let response = bob.client().delete(&format!("/api/memories/{id}"));
    let still_there = alice.client().get(&format!("/api/memories/{id}"));

    assert_error(&response, 404);
    assert_eq!(still_there.status, 200, "{still_there}");
}

#[test]
fn foreign_and_unknown_ids_look_alike() {
    let alice = register_test_user();
    let bob = register_test_user();
    let id = create_note(&alice.client(), "Alice's shopping list.");

    let foreign = bob.client().get(&format!("/api/memories/{id}"));
    let unknown = bob.client().get("/api/memories/mem_doesnotexist");

    // Each message names the id it was given; apart from that they are identical.
    let masked = |body: &serde_json::Value, id: &str| body["error"].to_string().replace(id, "ID");
    assert_eq!(foreign.status, unknown.status, "{foreign} vs {unknown}");
    assert_eq!(
        masked(&foreign.json, &id),
        masked(&unknown.json, "mem_doesnotexist"),
        "{foreign} vs {unknown}"
    );
}

#[test]
fn search_excludes_other_users_memories() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_note(&alice.client(), "The harpsichord tuner comes on Wednesday.");
    let own = create_note(&bob.client(), "Bob's harpsichord needs new quills.");

    let response = search(
        &bob.client(),
        &json!({ "query": "harpsichord tuner Wednesday" }),
    );

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response), [own], "{response}");
}

#[test]
fn search_by_exact_foreign_text_is_empty() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_note(&alice.client(), "The harpsichord tuner comes on Wednesday.");

    let response = search(
        &bob.client(),
        &json!({ "query": "The harpsichord tuner comes on Wednesday." }),
    );

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn list_total_counts_only_own_memories() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_note(&alice.client(), "Alice one.");
    create_note(&alice.client(), "Alice two.");
    let own = create_note(&bob.client(), "Bob one.");

    let response = bob.client().get("/api/memories");

    assert_eq!(response.json["total"], 1, "{response}");
    assert_eq!(item_ids(&response), [own], "{response}");
}

#[test]
fn stats_count_only_own_memories() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_note(&alice.client(), "Alice's stats note.");

    let response = bob.client().get("/api/memories/stats");

    assert_eq!(response.json["total"], 0, "{response}");
}

#[test]
fn same_text_for_two_users_makes_two_memories() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = create_note(&alice.client(), "Water the plants.");

    let response = bob
        .client()
        .post_json("/api/memories", &json!({ "text": "Water the plants." }));

    assert_eq!(response.status, 201, "{response}");
    assert_ne!(response.json["id"], alices.as_str(), "{response}");
}

#[test]
fn other_users_bank_get_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let bank_id = create_bank(&alice.client(), "Alice only");

    let response = bob.client().get(&format!("/api/memory-banks/{bank_id}"));

    assert_error(&response, 404);
}

#[test]
fn memory_in_other_users_bank_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let bank_id = create_bank(&alice.client(), "Alice only");

    let body = json!({ "text": "Slipped into Alice's bank.", "memoryBankId": bank_id });
    let response = bob.client().post_json("/api/memories", &body);

    assert_error(&response, 404);
}

#[test]
fn list_filtered_by_other_users_bank_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let bank_id = create_bank(&alice.client(), "Alice only");
    create_memory(
        &alice.client(),
        &json!({ "text": "Alice's banked note.", "memoryBankId": bank_id }),
    );

    let response = bob
        .client()
        .get(&format!("/api/memories?memoryBankId={bank_id}"));

    assert_error(&response, 404);
}

#[test]
fn search_in_other_users_bank_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let bank_id = create_bank(&alice.client(), "Alice only");

    let body = json!({ "query": "note", "memoryBankId": bank_id });
    let response = bob.client().post_json("/api/memories/search", &body);

    assert_error(&response, 404);
}

#[test]
fn list_with_reversed_time_range_returns_400() {
    let user = register_test_user();

    let path = "/api/memories?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z";
    let response = user.client().get(path);

    assert_error(&response, 400);
}

#[test]
fn bank_names_are_per_user() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_bank(&alice.client(), "Projects");

    let response = bob
        .client()
        .post_json("/api/memory-banks", &json!({ "name": "Projects" }));

    assert_eq!(response.status, 201, "{response}");
}

#[test]
fn key_with_other_users_bank_returns_400() {
    let alice = register_test_user();
    let bob = register_test_user();
    let bank_id = create_bank(&alice.client(), "Alice only");

    let body = json!({ "name": "grab", "memoryBankIds": [bank_id] });
    let response = bob.client().post_json("/api/api-keys", &body);

    assert_error(&response, 400);
}

#[test]
fn other_users_key_revoke_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let key = create_api_key(&alice, &json!({ "name": "alice laptop" }));

    let response = bob
        .client()
        .delete(&format!("/api/api-keys/{}", id_of(&key)));

    assert_error(&response, 404);
}

#[test]
fn list_keys_shows_only_own_keys() {
    let alice = register_test_user();
    let bob = register_test_user();
    create_api_key(&alice, &json!({ "name": "alice laptop" }));

    let response = bob.client().get("/api/api-keys");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn key_reads_only_its_users_memories() {
    let alice = register_test_user();
    let bob = register_test_user();
    let id = create_note(&alice.client(), "Alice's recipe for plum jam.");
    let bobs_key = key_client(&bob, &["read"]);

    let response = bobs_key.get(&format!("/api/memories/{id}"));

    assert_error(&response, 404);
}
