//! The memories group end to end through the router, on in-process SQLite with the real
//! migrations: storing, listing, searching, deleting, keys and isolation between users.

use std::rc::Rc;

use serde_json::{json, Value};

use crate::testing::{call, register, test_app, HashingEmbedder};
use crate::{App, Group, Method};

fn app_with_embedder() -> (App, Rc<std::cell::Cell<bool>>) {
    let embedder = HashingEmbedder::default();
    let failing = embedder.failing.clone();
    (test_app(Some(Box::new(embedder))), failing)
}

fn post(app: &App, path: &str, token: &str, body: Value) -> (u16, Value) {
    let group = if path.starts_with("/api/api-keys") {
        Group::ApiKeys
    } else {
        Group::Memories
    };
    call(app, group, Method::Post, path, Some(token), Some(body))
}

fn get(app: &App, path: &str, token: &str) -> (u16, Value) {
    call(app, Group::Memories, Method::Get, path, Some(token), None)
}

fn remember(app: &App, token: &str, text: &str) -> String {
    let (status, memory) = post(app, "/api/memories", token, json!({ "text": text }));
    assert_eq!(status, 201, "{memory}");
    memory["id"].as_str().expect("id").to_owned()
}

fn search_ids(app: &App, token: &str, body: Value) -> Vec<String> {
    let (status, result) = post(app, "/api/memories/search", token, body);
    assert_eq!(status, 200, "{result}");
    let items = result["items"].as_array().expect("items");
    items
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

fn create_key(app: &App, token: &str, body: Value) -> String {
    let (status, key) = post(app, "/api/api-keys", token, body);
    assert_eq!(status, 201, "{key}");
    key["key"].as_str().expect("key").to_owned()
}

#[test]
fn create_memory_twice_returns_existing() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let (first_status, first) = post(&app, "/api/memories", &token, json!({ "text": "Buy milk" }));
    let (second_status, second) =
        post(&app, "/api/memories", &token, json!({ "text": "Buy milk" }));
    assert_eq!(first_status, 201);
    assert_eq!(first["status"], "ready");
    assert_eq!(second_status, 200);
    assert_eq!(first["id"], second["id"]);
}

#[test]
fn other_users_memory_is_not_found() {
    let (app, _) = app_with_embedder();
    let alice = register(&app, "alice@example.com");
    let bob = register(&app, "bob@example.com");
    let id = remember(&app, &alice, "Alice's secret garden plan");
    let path = format!("/api/memories/{id}");
    assert_eq!(get(&app, &path, &bob).0, 404);
    assert_eq!(
        call(
            &app,
            Group::Memories,
            Method::Delete,
            &path,
            Some(&bob),
            None
        )
        .0,
        404
    );
    assert_eq!(get(&app, &path, &alice).0, 200);
}

#[test]
fn search_excludes_other_users_memories() {
    let (app, _) = app_with_embedder();
    let alice = register(&app, "alice@example.com");
    let bob = register(&app, "bob@example.com");
    remember(&app, &alice, "The garden needs watering on Tuesday");
    let ids = search_ids(&app, &bob, json!({ "query": "garden watering" }));
    assert!(ids.is_empty(), "{ids:?}");
}

#[test]
fn search_finds_by_text_with_scores() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let id = remember(&app, &token, "The mechanic said the brakes need replacing");
    remember(&app, &token, "Basil grows on the balcony");
    let (status, result) = post(
        &app,
        "/api/memories/search",
        &token,
        json!({ "query": "brakes" }),
    );
    assert_eq!(status, 200);
    let first = &result["items"][0];
    assert_eq!(first["id"], id.as_str());
    assert!(first["scores"]["lexical"].as_f64().expect("lexical") > 0.0);
    assert!(first["scores"]["semantic"].as_f64().expect("semantic") > 0.0);
    assert_eq!(result["parsed"]["cleanQuery"], "brakes");
}

#[test]
fn search_without_matches_returns_empty_items() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    remember(&app, &token, "The mechanic said the brakes need replacing");
    let (status, result) = post(
        &app,
        "/api/memories/search",
        &token,
        json!({ "query": "zebra" }),
    );
    assert_eq!(status, 200);
    assert_eq!(result["items"], json!([]));
}

#[test]
fn search_filters_by_source_type() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    remember(&app, &token, "Lunch with Dana about the lease");
    let body = json!({ "text": "Email from Dana about the lease", "sourceType": "email" });
    let (_, email) = post(&app, "/api/memories", &token, body);
    let query = json!({ "query": "Dana lease", "filters": { "sourceTypes": ["email"] } });
    assert_eq!(
        search_ids(&app, &token, query),
        [email["id"].as_str().expect("id")]
    );
}

#[test]
fn delete_removes_memory_from_every_index() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let id = remember(&app, &token, "Passport expires in March");
    let path = format!("/api/memories/{id}");
    let (status, body) = call(
        &app,
        Group::Memories,
        Method::Delete,
        &path,
        Some(&token),
        None,
    );
    assert_eq!((status, body), (200, json!({ "deleted": true })));
    assert!(search_ids(&app, &token, json!({ "query": "passport expires" })).is_empty());
    let vectors = crate::testing::block_on(app.db.query("SELECT * FROM memory_vectors", &[]));
    assert!(vectors.expect("query").is_empty());
    assert_eq!(get(&app, &path, &token).0, 404);
}

#[test]
fn list_pages_newest_first_with_cursor() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    for day in 1..=5 {
        let body = json!({ "text": format!("Day {day} notes"), "eventTime": format!("2024-03-0{day}T10:00:00Z") });
        assert_eq!(post(&app, "/api/memories", &token, body).0, 201);
    }
    let (_, first) = get(&app, "/api/memories?limit=2", &token);
    assert_eq!(first["total"], 5);
    assert_eq!(first["items"][0]["text"], "Day 5 notes");
    let cursor = first["nextCursor"].as_str().expect("cursor").to_owned();
    let (_, second) = get(
        &app,
        &format!("/api/memories?limit=2&cursor={cursor}"),
        &token,
    );
    assert_eq!(second["items"][0]["text"], "Day 3 notes");
    let (_, last) = get(
        &app,
        "/api/memories?limit=10&from=2024-03-04T00:00:00Z",
        &token,
    );
    assert_eq!(last["items"].as_array().expect("items").len(), 2);
    assert_eq!(last["nextCursor"], Value::Null);
}

#[test]
fn read_key_may_search_but_not_create() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    remember(&app, &token, "Gym on Thursday");
    let key = create_key(&app, &token, json!({ "name": "reader" }));
    assert_eq!(search_ids(&app, &key, json!({ "query": "gym" })).len(), 1);
    assert_eq!(
        post(&app, "/api/memories", &key, json!({ "text": "x" })).0,
        403
    );
    let writer = create_key(
        &app,
        &token,
        json!({ "name": "writer", "scopes": ["read", "write"] }),
    );
    assert_eq!(
        post(&app, "/api/memories", &writer, json!({ "text": "x" })).0,
        201
    );
}

#[test]
fn bank_restricted_key_sees_only_its_bank() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let (_, bank) = call(
        &app,
        Group::MemoryBanks,
        Method::Post,
        "/api/memory-banks",
        Some(&token),
        Some(json!({ "name": "work" })),
    );
    let bank_id = bank["id"].as_str().expect("bank id");
    let default_id = remember(&app, &token, "Personal dentist appointment");
    let body = json!({ "text": "Work dentist insurance form", "memoryBankId": bank_id });
    assert_eq!(post(&app, "/api/memories", &token, body).0, 201);
    let key = create_key(
        &app,
        &token,
        json!({ "name": "work", "memoryBankIds": [bank_id] }),
    );
    let ids = search_ids(&app, &key, json!({ "query": "dentist" }));
    assert_eq!(ids.len(), 1);
    assert_eq!(
        get(&app, &format!("/api/memories/{default_id}"), &key).0,
        404
    );
    let (_, page) = get(&app, "/api/memories", &key);
    assert_eq!(page["total"], 1);
}

#[test]
fn failed_embedding_is_retried() {
    let (app, failing) = app_with_embedder();
    let token = register(&app, "a@example.com");
    failing.set(true);
    let (status, memory) = post(
        &app,
        "/api/memories",
        &token,
        json!({ "text": "Call the bank" }),
    );
    assert_eq!(status, 201);
    assert_eq!(memory["status"], "failed");
    failing.set(false);
    let (_, retried) = post(&app, "/api/memories/retry-failed", &token, json!({}));
    assert_eq!(retried, json!({ "enqueued": 1, "total": 1 }));
    let (_, stored) = get(
        &app,
        &format!("/api/memories/{}", memory["id"].as_str().expect("id")),
        &token,
    );
    assert_eq!(stored["status"], "ready");
}

#[test]
fn stats_count_by_source() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    remember(&app, &token, "A note");
    post(
        &app,
        "/api/memories",
        &token,
        json!({ "text": "A mail", "sourceType": "email" }),
    );
    let (status, stats) = get(&app, "/api/memories/stats", &token);
    assert_eq!(status, 200);
    assert_eq!(stats["total"], 2);
    assert_eq!(stats["bySource"], json!({ "email": 1, "note": 1 }));
    assert_eq!(stats["byStatus"], json!({ "ready": 2 }));
}

#[test]
fn bad_inputs_are_rejected_by_name() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let cases = [
        (
            "/api/memories",
            json!({ "text": "x", "colour": "red" }),
            "colour",
        ),
        (
            "/api/memories",
            json!({ "text": "x", "sourceType": "fax" }),
            "fax",
        ),
        ("/api/memories", json!({ "text": "   " }), "text"),
        ("/api/memories", json!({ "text": 5 }), "invalid type"),
        (
            "/api/memories",
            json!({ "text": "x", "eventTime": "soon" }),
            "eventTime",
        ),
        (
            "/api/memories/search",
            json!({ "query": "x", "limit": 0 }),
            "limit",
        ),
        (
            "/api/memories/search",
            json!({ "query": "x", "filters": { "foo": 1 } }),
            "foo",
        ),
    ];
    for (path, body, expected) in cases {
        let (status, error) = post(&app, path, &token, body.clone());
        assert_eq!(status, 400, "{body}");
        let message = error["error"].as_str().expect("error message");
        assert!(
            message.contains(expected),
            "{message} should name {expected}"
        );
    }
}

#[test]
fn missing_credentials_are_unauthorized() {
    let (app, _) = app_with_embedder();
    let (status, body) = call(
        &app,
        Group::Memories,
        Method::Get,
        "/api/memories",
        None,
        None,
    );
    assert_eq!(status, 401);
    assert!(body["error"].is_string());
}

#[test]
fn wrong_method_is_not_allowed() {
    let (app, _) = app_with_embedder();
    let token = register(&app, "a@example.com");
    let status = call(
        &app,
        Group::Memories,
        Method::Put,
        "/api/memories/stats",
        Some(&token),
        None,
    )
    .0;
    assert_eq!(status, 405);
}
