//! `POST /api/memories/search`: hybrid ranking with its score parts, the filters in both the
//! documented and the compatibility shape, and input checks.

mod common;

use botmem_e2e::{register_test_user, Client};
use common::{
    assert_error, assert_error_mentions, create_bank, create_memory, create_note, find_item, id_of,
    item_ids, search,
};
use serde_json::{json, Value};

/// Memories about other topics, so that a search has something to rank below its match.
const UNRELATED_NOTES: &[&str] = &[
    "We planted tulips along the garden fence.",
    "The quarterly report is due on Monday morning.",
    "Grandma's lasagna recipe uses three cheeses.",
    "The cat knocked the vase off the bookshelf.",
    "Booked a hotel in Kyoto for the first week of April.",
    "Practised the piano scales for half an hour.",
];

fn create_unrelated_notes(client: &Client) {
    for text in UNRELATED_NOTES {
        create_note(client, text);
    }
}

/// Returns the position of the memory `id` in a search response.
fn rank_of(response: &botmem_e2e::ApiResponse, id: &str) -> Option<usize> {
    item_ids(response).iter().position(|item| item == id)
}

#[test]
fn search_finds_paraphrase_by_meaning_alone() {
    let user = register_test_user();
    let client = user.client();
    create_unrelated_notes(&client);
    let id = create_note(
        &client,
        "The mechanic said the brakes will need replacing soon.",
    );

    // No word of the query except stop words occurs in the memory, so only the embedding
    // can connect them.
    let response = search(
        &client,
        &json!({ "query": "What repairs does her automobile require?" }),
    );

    assert_eq!(response.status, 200, "{response}");
    let rank = rank_of(&response, &id);
    assert!(
        rank.is_some_and(|r| r < 3),
        "not in the top 3 (rank {rank:?}): {response}"
    );
    let found = find_item(&response, &id).cloned().unwrap_or_default();
    let semantic = found["scores"]["semantic"].as_f64().unwrap_or_default();
    assert!(
        semantic > 0.0,
        "semantic score {semantic} is not positive: {found}"
    );
    assert_eq!(found["scores"]["lexical"], 0.0, "{found}");
}

#[test]
fn search_finds_memory_by_keyword() {
    let user = register_test_user();
    let client = user.client();
    create_unrelated_notes(&client);
    let id = create_note(&client, "The saxophone lesson moved to Thursday.");

    let response = search(&client, &json!({ "query": "saxophone" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(rank_of(&response, &id), Some(0), "{response}");
    let found = find_item(&response, &id).cloned().unwrap_or_default();
    assert_eq!(found["scores"]["lexical"], 1.0, "{found}");
}

#[test]
fn search_item_carries_memory_and_scores() {
    let user = register_test_user();
    let client = user.client();
    let body = json!({ "text": "Renewed the car insurance with Acme.", "importance": 0.8 });
    let id = id_of(&create_memory(&client, &body));

    let response = search(&client, &json!({ "query": "car insurance" }));

    let found = find_item(&response, &id).cloned().unwrap_or_default();
    assert_eq!(
        found["text"], "Renewed the car insurance with Acme.",
        "{response}"
    );
    assert_eq!(found["status"], "ready", "{found}");
    assert!(found["score"].as_f64().is_some_and(|s| s > 0.0), "{found}");
    let scores = &found["scores"];
    for part in ["semantic", "lexical", "recency", "importance", "trust"] {
        let value = scores[part].as_f64();
        assert!(
            value.is_some_and(|v| (0.0..=1.0).contains(&v)),
            "{part} not in 0..=1: {found}"
        );
    }
    assert_eq!(scores["importance"], 0.8, "{found}");
    assert_eq!(scores["trust"], 1.0, "{found}");
}

#[test]
fn search_reports_parsed_query_and_no_fallback() {
    let user = register_test_user();

    let response = search(
        &user.client(),
        &json!({ "query": "Where is the Lisbon ticket?" }),
    );

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json["parsed"]["cleanQuery"], "lisbon ticket",
        "{response}"
    );
    assert_eq!(
        response.json["parsed"]["temporal"],
        Value::Null,
        "{response}"
    );
    assert_eq!(response.json["parsed"]["contacts"], json!([]), "{response}");
    assert_eq!(response.json["fallback"], false, "{response}");
}

#[test]
fn search_without_memories_returns_empty_items() {
    let user = register_test_user();

    let response = search(&user.client(), &json!({ "query": "anything at all" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn search_without_match_returns_empty_items() {
    let user = register_test_user();
    let client = user.client();
    create_unrelated_notes(&client);

    let response = search(&client, &json!({ "query": "zqxjvk wpfgh" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn search_limit_caps_items() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Ferry to the island at noon.");
    create_note(&client, "Ferry back from the island at six.");

    let response = search(&client, &json!({ "query": "ferry island", "limit": 1 }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response).len(), 1, "{response}");
}

#[test]
fn search_filters_by_source_type() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Violin strings need changing.");
    let body = json!({ "text": "Your violin strings have shipped.", "sourceType": "email" });
    let email = id_of(&create_memory(&client, &body));

    let body = json!({ "query": "violin strings", "filters": { "sourceTypes": ["email"] } });
    let response = search(&client, &body);

    assert_eq!(item_ids(&response), [email], "{response}");
}

#[test]
fn search_accepts_top_level_source_types() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Violin strings need changing.");
    let body = json!({ "text": "Your violin strings have shipped.", "sourceType": "email" });
    let email = id_of(&create_memory(&client, &body));

    let body = json!({ "query": "violin strings", "sourceTypes": ["email"] });
    let response = search(&client, &body);

    assert_eq!(item_ids(&response), [email], "{response}");
}

#[test]
fn search_filters_by_connector_type() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Harbour walk on Sunday.");

    let body = json!({ "query": "harbour walk", "filters": { "connectorTypes": ["gmail"] } });
    let response = search(&client, &body);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn search_accepts_top_level_connector_types() {
    let user = register_test_user();
    let client = user.client();
    let id = create_note(&client, "Harbour walk on Sunday.");

    let manual = search(
        &client,
        &json!({ "query": "harbour walk", "connectorTypes": ["manual"] }),
    );
    let gmail = search(
        &client,
        &json!({ "query": "harbour walk", "connectorTypes": ["gmail"] }),
    );

    assert_eq!(item_ids(&manual), [id], "{manual}");
    assert_eq!(gmail.json["items"], json!([]), "{gmail}");
}

#[test]
fn search_filters_by_time_range() {
    let user = register_test_user();
    let client = user.client();
    let body =
        json!({ "text": "Marathon training run, 20 km.", "eventTime": "2023-03-10T07:00:00Z" });
    create_memory(&client, &body);
    let body =
        json!({ "text": "Marathon race day, finished.", "eventTime": "2024-03-10T07:00:00Z" });
    let recent = id_of(&create_memory(&client, &body));

    let filters = json!({ "from": "2024-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z" });
    let response = search(&client, &json!({ "query": "marathon", "filters": filters }));

    assert_eq!(item_ids(&response), [recent], "{response}");
}

#[test]
fn search_accepts_time_range_object() {
    let user = register_test_user();
    let client = user.client();
    let body =
        json!({ "text": "Marathon training run, 20 km.", "eventTime": "2023-03-10T07:00:00Z" });
    let older = id_of(&create_memory(&client, &body));
    let body =
        json!({ "text": "Marathon race day, finished.", "eventTime": "2024-03-10T07:00:00Z" });
    create_memory(&client, &body);

    let range = json!({ "from": "2023-01-01T00:00:00Z", "to": "2024-01-01T00:00:00Z" });
    let response = search(&client, &json!({ "query": "marathon", "timeRange": range }));

    assert_eq!(item_ids(&response), [older], "{response}");
}

#[test]
fn search_filters_by_pinned() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Locker code is 4412.");
    let pinned = id_of(&create_memory(
        &client,
        &json!({ "text": "Locker code changed to 7781.", "pinned": true }),
    ));

    let body = json!({ "query": "locker code", "filters": { "pinned": true } });
    let response = search(&client, &body);

    assert_eq!(item_ids(&response), [pinned], "{response}");
}

#[test]
fn search_filters_by_bank() {
    let user = register_test_user();
    let client = user.client();
    let bank_id = create_bank(&client, "Travel");
    create_note(&client, "Passport photo booth on Main Street.");
    let body = json!({ "text": "Passport expires next May.", "memoryBankId": bank_id });
    let in_bank = id_of(&create_memory(&client, &body));

    let response = search(
        &client,
        &json!({ "query": "passport", "memoryBankId": bank_id }),
    );

    assert_eq!(item_ids(&response), [in_bank], "{response}");
}

#[test]
fn search_with_contact_filter_returns_empty_items() {
    let user = register_test_user();
    let client = user.client();
    create_note(&client, "Coffee with Priya at the station.");

    let body = json!({ "query": "coffee", "filters": { "contactIds": ["contact_1"] } });
    let response = search(&client, &body);

    // Memories are not linked to contacts yet, so no memory matches a contact filter.
    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
}

#[test]
fn search_with_limit_zero_returns_400() {
    let user = register_test_user();

    let response = search(&user.client(), &json!({ "query": "anything", "limit": 0 }));

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn search_with_limit_over_100_returns_400() {
    let user = register_test_user();

    let response = search(
        &user.client(),
        &json!({ "query": "anything", "limit": 101 }),
    );

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn search_with_text_limit_returns_400() {
    let user = register_test_user();

    let response = search(
        &user.client(),
        &json!({ "query": "anything", "limit": "ten" }),
    );

    assert_error(&response, 400);
}

#[test]
fn search_with_blank_query_returns_400() {
    let user = register_test_user();

    let response = search(&user.client(), &json!({ "query": "  " }));

    assert_error_mentions(&response, 400, "query");
}

#[test]
fn search_without_query_returns_400() {
    let user = register_test_user();

    let response = search(&user.client(), &json!({ "limit": 5 }));

    assert_error_mentions(&response, 400, "query");
}

#[test]
fn search_with_unknown_source_type_returns_400() {
    let user = register_test_user();
    let body = json!({ "query": "anything", "filters": { "sourceTypes": ["fax"] } });

    let response = search(&user.client(), &body);

    assert_error_mentions(&response, 400, "fax");
}

#[test]
fn search_with_unknown_filter_returns_400() {
    let user = register_test_user();
    let body = json!({ "query": "anything", "filters": { "sourceType": "email" } });

    let response = search(&user.client(), &body);

    assert_error_mentions(&response, 400, "`sourceType`");
}

#[test]
fn search_with_invalid_from_returns_400() {
    let user = register_test_user();
    let body = json!({ "query": "anything", "filters": { "from": "last week" } });

    let response = search(&user.client(), &body);

    assert_error_mentions(&response, 400, "from");
}
