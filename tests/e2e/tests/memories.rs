//! `/api/memories`: create, repeat, get, delete, list with filters and cursors, stats and
//! retry-failed, over HTTP.

mod common;

use botmem_e2e::{register_test_user, Client};
use common::{
    assert_error, assert_error_mentions, create_bank, create_memory, create_note, default_bank_id,
    id_of, item_ids, search,
};
use serde_json::{json, Value};

/// Stores a note with `text` at `event_time` and returns its id.
fn create_note_at(client: &Client, text: &str, event_time: &str) -> String {
    id_of(&create_memory(
        client,
        &json!({ "text": text, "eventTime": event_time }),
    ))
}

#[test]
fn create_memory_returns_201_with_defaults() {
    let user = register_test_user();
    let client = user.client();

    let response = client.post_json("/api/memories", &json!({ "text": "Bought oat milk." }));

    assert_eq!(response.status, 201, "{response}");
    let memory = &response.json;
    let id = memory["id"].as_str().unwrap_or_default();
    assert!(id.starts_with("mem_"), "{response}");
    assert_eq!(memory["text"], "Bought oat milk.", "{response}");
    assert_eq!(memory["sourceType"], "note", "{response}");
    assert_eq!(memory["connectorType"], "manual", "{response}");
    assert_eq!(
        memory["memoryBankId"],
        default_bank_id(&client).as_str(),
        "{response}"
    );
    assert_eq!(memory["importance"], 0.5, "{response}");
    assert_eq!(memory["trust"], 1.0, "{response}");
    assert_eq!(memory["pinned"], false, "{response}");
    assert_eq!(memory["metadata"], json!({}), "{response}");
    assert_eq!(memory["entities"], json!([]), "{response}");
    assert_eq!(memory["contacts"], json!([]), "{response}");
    assert_eq!(memory["status"], "ready", "{response}");
    assert!(memory["eventTime"].is_string(), "{response}");
    assert!(memory["ingestTime"].is_string(), "{response}");
}

#[test]
fn create_memory_keeps_given_fields() {
    let user = register_test_user();
    let body = json!({
        "text": "Flight to Lisbon confirmed.",
        "sourceType": "email",
        "eventTime": "2024-05-01T12:00:00Z",
        "metadata": { "subject": "Booking", "seats": 2 },
        "importance": 0.9,
        "pinned": true,
    });

    let memory = create_memory(&user.client(), &body);

    assert_eq!(memory["sourceType"], "email", "{memory}");
    assert_eq!(memory["eventTime"], "2024-05-01T12:00:00.000Z", "{memory}");
    assert_eq!(
        memory["metadata"],
        json!({ "subject": "Booking", "seats": 2 }),
        "{memory}"
    );
    assert_eq!(memory["importance"], 0.9, "{memory}");
    assert_eq!(memory["pinned"], true, "{memory}");
}

#[test]
fn create_memory_in_named_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Work");

    let memory = create_memory(
        &client,
        &json!({ "text": "Standup moved to 9:30.", "memoryBankId": bank_id }),
    );

    assert_eq!(memory["memoryBankId"], bank_id.as_str(), "{memory}");
}

#[test]
fn create_memory_in_unknown_bank_returns_404() {
    let user = register_test_user();
    let body = json!({ "text": "Orphan note.", "memoryBankId": "bank_doesnotexist" });

    let response = user.client().post_json("/api/memories", &body);

    assert_error(&response, 404);
}

#[test]
fn create_memory_twice_returns_200_with_same_id() {
    let user = register_test_user();
    let client = user.client();
    let body = json!({ "text": "The spare key is under the mat." });
    let first = create_memory(&client, &body);

    let again = client.post_json("/api/memories", &body);

    assert_eq!(again.status, 200, "{again}");
    assert_eq!(again.json["id"], first["id"], "{again}");
}

#[test]
fn create_memory_twice_keeps_one_copy() {
    let user = register_test_user();
    let client = user.client();
    let body = json!({ "text": "Dentist appointment on Friday." });
    create_memory(&client, &body);

    let again = client.post_json("/api/memories", &body);
    let list = client.get("/api/memories");

    assert_eq!(again.status, 200, "{again}");
    assert_eq!(list.json["total"], 1, "{list}");
}

#[test]
fn create_memory_trims_text_before_deduplicating() {
    let user = register_test_user();
    let client = user.client();
    let first = create_note(&client, "Buy birthday candles.");

    let body = json!({ "text": "  Buy birthday candles.\n" });
    let again = client.post_json("/api/memories", &body);

    assert_eq!(again.status, 200, "{again}");
    assert_eq!(again.json["id"], first.as_str(), "{again}");
    assert_eq!(again.json["text"], "Buy birthday candles.", "{again}");
}

#[test]
fn concurrent_duplicates_make_one_memory() {
    let user = register_test_user();
    let body = json!({ "text": "Sent from four devices at once." });

    let responses: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| user.client().post_json("/api/memories", &body)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("request thread panicked"))
            .collect()
    });

    let created = responses.iter().filter(|r| r.status == 201).count();
    let repeated = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(created, 1, "{responses:?}");
    assert_eq!(repeated, 3, "{responses:?}");
    let first_id = &responses[0].json["id"];
    assert!(
        responses.iter().all(|r| &r.json["id"] == first_id),
        "{responses:?}"
    );
}

#[test]
fn create_memory_stores_event_time_in_utc() {
    let user = register_test_user();
    let body =
        json!({ "text": "Call at noon in Paris.", "eventTime": "2024-05-01T12:00:00+02:00" });

    let memory = create_memory(&user.client(), &body);

    assert_eq!(memory["eventTime"], "2024-05-01T10:00:00.000Z", "{memory}");
}

#[test]
fn same_text_in_other_bank_is_new_memory() {
    let user = register_test_user();
    let client = user.client();
    let first = create_note(&client, "Renew the passport.");
    let bank_id = create_bank(&client, "Errands");

    let body = json!({ "text": "Renew the passport.", "memoryBankId": bank_id });
    let response = client.post_json("/api/memories", &body);

    assert_eq!(response.status, 201, "{response}");
    assert_ne!(response.json["id"], first.as_str(), "{response}");
}

#[test]
fn create_memory_with_blank_text_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memories", &json!({ "text": "   " }));

    assert_error_mentions(&response, 400, "text");
}

#[test]
fn create_memory_with_text_over_limit_returns_400() {
    let user = register_test_user();
    let text = "a".repeat(100_001);

    let response = user
        .client()
        .post_json("/api/memories", &json!({ "text": text }));

    assert_error_mentions(&response, 400, "text");
}

#[test]
fn create_memory_with_unknown_source_type_returns_400() {
    let user = register_test_user();
    let body = json!({ "text": "Sent by fax.", "sourceType": "fax" });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "fax");
}

#[test]
fn create_memory_with_invalid_event_time_returns_400() {
    let user = register_test_user();
    let body = json!({ "text": "Sometime.", "eventTime": "yesterday" });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "eventTime");
}

#[test]
fn create_memory_with_importance_over_one_returns_400() {
    let user = register_test_user();
    let body = json!({ "text": "Very important.", "importance": 1.5 });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "importance");
}

#[test]
fn create_memory_without_text_returns_400() {
    let user = register_test_user();

    let response = user
        .client()
        .post_json("/api/memories", &json!({ "sourceType": "note" }));

    assert_error_mentions(&response, 400, "text");
}

#[test]
fn get_memory_returns_it() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Parked on level 3.");

    let response = client.get(&format!("/api/memories/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], id.as_str(), "{response}");
    assert_eq!(response.json["text"], "Parked on level 3.", "{response}");
}

#[test]
fn get_unknown_memory_returns_404() {
    let user = register_test_user();

    let response = user.client().get("/api/memories/mem_doesnotexist");

    assert_error(&response, 404);
}

#[test]
fn delete_memory_returns_deleted_true() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Old wifi password was changed.");

    let response = client.delete(&format!("/api/memories/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "deleted": true }), "{response}");
}

#[test]
fn deleted_memory_get_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Lent the ladder to Sam.");
    let deleted = client.delete(&format!("/api/memories/{id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let response = client.get(&format!("/api/memories/{id}"));

    assert_error(&response, 404);
}

#[test]
fn deleted_memory_delete_again_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Cancelled the gym membership.");
    let deleted = client.delete(&format!("/api/memories/{id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let response = client.delete(&format!("/api/memories/{id}"));

    assert_error(&response, 404);
}

#[test]
fn deleted_memory_leaves_list() {
    let user = register_test_user();
    let client = user.client();
    let kept_id = create_note(&client, "Tomatoes are ripening.");
    let deleted_id = create_note(&client, "Cucumbers got mildew.");
    let deleted = client.delete(&format!("/api/memories/{deleted_id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let response = client.get("/api/memories");

    assert_eq!(item_ids(&response), [kept_id], "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn deleted_memory_leaves_search() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "The saxophone lesson is on Tuesday.");
    let deleted = client.delete(&format!("/api/memories/{id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let response = search(&client, &json!({ "query": "saxophone lesson" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn list_memories_newest_event_first() {
    let user = register_test_user();
    let client = user.client();
    let middle = create_note_at(&client, "Second trip.", "2023-06-01T00:00:00Z");
    let newest = create_note_at(&client, "Third trip.", "2024-06-01T00:00:00Z");
    let oldest = create_note_at(&client, "First trip.", "2022-06-01T00:00:00Z");

    let response = client.get("/api/memories");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response), [newest, middle, oldest], "{response}");
    assert_eq!(response.json["total"], 3, "{response}");
    assert_eq!(response.json["nextCursor"], Value::Null, "{response}");
}

#[test]
fn list_memories_pages_with_cursor() {
    let user = register_test_user();
    let client = user.client();
    let oldest = create_note_at(&client, "Page test one.", "2021-01-01T00:00:00Z");
    let middle = create_note_at(&client, "Page test two.", "2022-01-01T00:00:00Z");
    let newest = create_note_at(&client, "Page test three.", "2023-01-01T00:00:00Z");

    let first = client.get("/api/memories?limit=2");
    let cursor = first.json["nextCursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = client.get(&format!("/api/memories?limit=2&cursor={cursor}"));

    assert_eq!(item_ids(&first), [newest, middle], "{first}");
    assert_eq!(first.json["total"], 3, "{first}");
    assert!(!cursor.is_empty(), "no nextCursor: {first}");
    assert_eq!(item_ids(&second), [oldest], "{second}");
    assert_eq!(second.json["total"], 3, "{second}");
    assert_eq!(second.json["nextCursor"], Value::Null, "{second}");
}

#[test]
fn list_memories_filters_by_source_type() {
    let user = register_test_user();
    let client = user.client();
    let email = create_memory(
        &client,
        &json!({ "text": "Invoice attached.", "sourceType": "email" }),
    );
    create_note(&client, "Buy stamps.");

    let response = client.get("/api/memories?sourceType=email");

    assert_eq!(item_ids(&response), [id_of(&email)], "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn list_memories_filters_by_connector_type() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Typed by hand.");

    let manual = client.get("/api/memories?connectorType=manual");
    let gmail = client.get("/api/memories?connectorType=gmail");

    assert_eq!(item_ids(&manual), [id], "{manual}");
    assert_eq!(gmail.json["total"], 0, "{gmail}");
    assert_eq!(gmail.json["items"], json!([]), "{gmail}");
}

#[test]
fn list_memories_filters_by_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Garden");
    create_note(&client, "Call the plumber.");
    let body = json!({ "text": "Plant garlic in October.", "memoryBankId": bank_id });
    let in_bank = id_of(&create_memory(&client, &body));

    let response = client.get(&format!("/api/memories?memoryBankId={bank_id}"));

    assert_eq!(item_ids(&response), [in_bank], "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
}

#[test]
fn list_memories_filters_by_time_range() {
    let user = register_test_user();
    let client = user.client();
    create_note_at(&client, "Before the range.", "2023-12-31T23:59:59Z");
    let start = create_note_at(&client, "At the start.", "2024-01-01T00:00:00Z");
    let inside = create_note_at(&client, "Inside the range.", "2024-01-15T00:00:00Z");
    create_note_at(&client, "At the end.", "2024-02-01T00:00:00Z");

    let response = client.get("/api/memories?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z");

    // `from` is inclusive and `to` exclusive.
    assert_eq!(item_ids(&response), [inside, start], "{response}");
    assert_eq!(response.json["total"], 2, "{response}");
}

#[test]
fn list_memories_with_limit_zero_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?limit=0");

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn list_memories_with_limit_over_200_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?limit=201");

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn list_memories_with_text_limit_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?limit=ten");

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn list_memories_with_garbage_cursor_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?cursor=not-a-cursor");

    assert_error_mentions(&response, 400, "cursor");
}

#[test]
fn list_memories_with_unknown_source_type_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?sourceType=fax");

    assert_error_mentions(&response, 400, "fax");
}

#[test]
fn list_memories_with_invalid_from_returns_400() {
    let user = register_test_user();

    let response = user.client().get("/api/memories?from=last-week");

    assert_error_mentions(&response, 400, "from");
}

#[test]
fn stats_count_by_source_connector_and_status() {
    let user = register_test_user();
    let client = user.client();
    create_memory(
        &client,
        &json!({ "text": "Lunch with Ana.", "eventTime": "2024-03-01T12:00:00Z" }),
    );
    let body = json!({ "text": "Receipt for boots.", "sourceType": "email", "eventTime": "2024-04-01T09:00:00Z" });
    create_memory(&client, &body);

    let response = client.get("/api/memories/stats");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["total"], 2, "{response}");
    assert_eq!(
        response.json["bySource"],
        json!({ "email": 1, "note": 1 }),
        "{response}"
    );
    assert_eq!(
        response.json["byConnector"],
        json!({ "manual": 2 }),
        "{response}"
    );
    assert_eq!(
        response.json["byStatus"],
        json!({ "ready": 2 }),
        "{response}"
    );
    assert_eq!(
        response.json["oldest"], "2024-03-01T12:00:00.000Z",
        "{response}"
    );
    assert_eq!(
        response.json["newest"], "2024-04-01T09:00:00.000Z",
        "{response}"
    );
}

#[test]
fn stats_of_new_user_are_empty() {
    let user = register_test_user();

    let response = user.client().get("/api/memories/stats");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["total"], 0, "{response}");
    assert_eq!(response.json["bySource"], json!({}), "{response}");
    assert_eq!(response.json["oldest"], Value::Null, "{response}");
    assert_eq!(response.json["newest"], Value::Null, "{response}");
}

#[test]
fn retry_failed_without_failures_enqueues_nothing() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Embedded without trouble.");

    let response = client.post_json("/api/memories/retry-failed", &json!({}));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json,
        json!({ "enqueued": 0, "total": 0 }),
        "{response}"
    );
}

#[test]
fn profile_counts_created_memories() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "First profile note.");
    create_note(&client, "Second profile note.");

    let response = client.get("/api/me");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["stats"]["memories"], 2, "{response}");
}
