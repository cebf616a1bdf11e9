//! `GET /api/agent/entities` over HTTP: counts per entity, the type and prefix filters,
//! paging, bank scopes, isolation between users and bad input.

mod common;

use botmem_e2e::{register_test_user, ApiResponse, Client};
use common::{
    assert_error, assert_error_mentions, bank_key_client, create_bank, create_memory, key_client,
};
use serde_json::{json, Value};

/// Four notes that name the same organisation once each, in two spellings.
const ACME_NOTES: [&str; 4] = [
    "Lunch with the team from Acme Corp.",
    "Signed the contract with ACME Corp today.",
    "Acme Corp sent the invoice.",
    "Paid $1,200.50 to Acme Corp on Friday.",
];

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay as they are).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn list_entities(client: &Client, query: &str) -> ApiResponse {
    client.get(&format!("/api/agent/entities{query}"))
}

/// Returns the response body of a request that must succeed.
fn entity_page(client: &Client, query: &str) -> Value {
    let response = list_entities(client, query);
    assert_eq!(response.status, 200, "{response}");
    response.json
}

/// Returns `(type, value, memoryCount)` of each item, in order.
fn items(page: &Value) -> Vec<(String, String, i64)> {
    let items = page["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| {
            (
                item["type"].as_str().unwrap_or_default().to_owned(),
                item["value"].as_str().unwrap_or_default().to_owned(),
                item["memoryCount"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn item(kind: &str, value: &str, count: i64) -> (String, String, i64) {
    (kind.to_owned(), value.to_owned(), count)
}

fn store_notes(client: &Client, texts: &[&str]) {
    for text in texts {
        create_memory(client, &json!({ "text": text }));
    }
}

#[test]
fn four_mentions_make_one_entity_with_count_four() {
    let user = register_test_user();
    let client = user.client();
    store_notes(&client, &ACME_NOTES);

    let page = entity_page(&client, "?type=organization");

    assert_eq!(
        items(&page),
        [item("organization", "ACME Corp", 4)],
        "{page}"
    );
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["nextCursor"], Value::Null, "{page}");
}

#[test]
fn entities_order_by_memory_count() {
    let user = register_test_user();
    let client = user.client();
    store_notes(&client, &ACME_NOTES);
    store_notes(
        &client,
        &[
            "Meeting at Globex Corporation headquarters.",
            "Globex Corporation sent flowers.",
        ],
    );

    let page = entity_page(&client, "");

    let found = items(&page);
    assert_eq!(found[0], item("organization", "ACME Corp", 4), "{page}");
    assert_eq!(
        found[1],
        item("organization", "Globex Corporation", 2),
        "{page}"
    );
    assert_eq!(page["total"], found.len(), "{page}");
}

#[test]
fn prefix_ignores_case_and_accents() {
    let user = register_test_user();
    let client = user.client();
    store_notes(
        &client,
        &[
            "Had dinner with Zoë Martin yesterday.",
            "Lunch with Renée Dubois at noon.",
            "Renee Dubois called about the lease.",
            "Call +1 415 555 0100 or email Bob@Example.COM.",
        ],
    );

    let zoe = entity_page(&client, &format!("?q={}", encode("ZOE")));
    assert_eq!(items(&zoe), [item("person", "Zoë Martin", 1)], "{zoe}");

    let renee = entity_page(&client, &format!("?q={}", encode("renée d")));
    assert_eq!(
        items(&renee),
        [item("person", "Renee Dubois", 2)],
        "{renee}"
    );

    let email = entity_page(&client, &format!("?q={}", encode("BOB@EXAMPLE")));
    assert_eq!(
        items(&email),
        [item("email", "bob@example.com", 1)],
        "{email}"
    );

    let phone = entity_page(&client, &format!("?q={}&type=phone", encode("+1415")));
    assert_eq!(items(&phone), [item("phone", "+14155550100", 1)], "{phone}");
}

#[test]
fn entities_page_through_cursor() {
    let user = register_test_user();
    let client = user.client();
    store_notes(&client, &ACME_NOTES);
    store_notes(
        &client,
        &["Email alice@example.com and bob@example.com today."],
    );
    let everything = items(&entity_page(&client, ""));
    assert!(everything.len() >= 4, "{everything:?}");

    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    for _ in 0..everything.len() {
        let page = entity_page(&client, &query);
        assert_eq!(page["total"], everything.len(), "{page}");
        seen.extend(items(&page));
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={}", encode(cursor)),
            None => break,
        }
    }

    assert_eq!(seen, everything);
}

#[test]
fn other_users_entities_stay_hidden() {
    let alice = register_test_user();
    let bob = register_test_user();
    store_notes(&alice.client(), &ACME_NOTES);
    store_notes(&bob.client(), &["Acme Corp called Bob."]);

    let bobs = entity_page(&bob.client(), "?type=organization");
    let alices = entity_page(&alice.client(), "?type=organization");

    assert_eq!(
        items(&bobs),
        [item("organization", "Acme Corp", 1)],
        "{bobs}"
    );
    assert_eq!(
        items(&alices),
        [item("organization", "ACME Corp", 4)],
        "{alices}"
    );
}

#[test]
fn bank_key_counts_only_its_banks() {
    let user = register_test_user();
    let client = user.client();
    let work = create_bank(&client, "Work");
    store_notes(&client, &ACME_NOTES[..2]);
    for text in &ACME_NOTES[2..] {
        create_memory(&client, &json!({ "text": text, "memoryBankId": work }));
    }
    let work_key = bank_key_client(&user, &[&work]);

    let by_key = entity_page(&work_key, "?type=organization");
    assert_eq!(
        items(&by_key),
        [item("organization", "Acme Corp", 2)],
        "{by_key}"
    );

    let narrowed = entity_page(&client, &format!("?type=organization&memoryBankId={work}"));
    assert_eq!(
        items(&narrowed),
        [item("organization", "Acme Corp", 2)],
        "{narrowed}"
    );

    let everything = entity_page(&client, "?type=organization");
    assert_eq!(items(&everything), [item("organization", "ACME Corp", 4)]);
}

#[test]
fn read_key_may_list_entities() {
    let user = register_test_user();
    store_notes(&user.client(), &ACME_NOTES[..1]);
    let reader = key_client(&user, &["read"]);

    let page = entity_page(&reader, "?type=organization");

    assert_eq!(
        items(&page),
        [item("organization", "Acme Corp", 1)],
        "{page}"
    );
}

#[test]
fn unknown_bank_returns_404() {
    let user = register_test_user();
    let other = register_test_user();
    let others_bank = create_bank(&other.client(), "Theirs");

    let unknown = list_entities(&user.client(), "?memoryBankId=bank_doesnotexist");
    let foreign = list_entities(&user.client(), &format!("?memoryBankId={others_bank}"));

    assert_error(&unknown, 404);
    assert_error(&foreign, 404);
}

#[test]
fn bank_outside_key_returns_403() {
    let user = register_test_user();
    let client = user.client();
    let work = create_bank(&client, "Work");
    let home = create_bank(&client, "Home");
    let work_key = bank_key_client(&user, &[&work]);

    let response = list_entities(&work_key, &format!("?memoryBankId={home}"));

    assert_error(&response, 403);
}

#[test]
fn unknown_type_lists_valid_types() {
    let user = register_test_user();

    let response = list_entities(&user.client(), "?type=company");

    assert_error_mentions(&response, 400, "company");
    for kind in [
        "email",
        "phone",
        "url",
        "money",
        "date",
        "person",
        "place",
        "organization",
    ] {
        assert_error_mentions(&response, 400, kind);
    }
}

#[test]
fn bad_parameters_return_400() {
    let user = register_test_user();
    let client = user.client();
    let long_prefix = "x".repeat(201);
    let cases = [
        ("?limit=0".to_owned(), "limit"),
        ("?limit=201".to_owned(), "limit"),
        ("?limit=lots".to_owned(), "limit"),
        ("?cursor=not-a-cursor".to_owned(), "cursor"),
        (format!("?cursor={}", encode("b2Zmc2V0Oi0x")), "cursor"),
        // "offset:9223372036854775807": past what D1 binds exactly.
        (
            format!("?cursor={}", encode("b2Zmc2V0OjkyMjMzNzIwMzY4NTQ3NzU4MDc")),
            "cursor",
        ),
        (format!("?q={}", encode("\u{200b}")), "q"),
        ("?q=".to_owned(), "q"),
        (format!("?q={}", encode("   ")), "q"),
        (format!("?q={long_prefix}"), "200"),
        ("?memoryBankId=".to_owned(), "memoryBankId"),
    ];
    for (query, expected) in cases {
        let response = list_entities(&client, &query);
        assert_error_mentions(&response, 400, expected);
    }
}

#[test]
fn entities_route_rules() {
    let user = register_test_user();
    let client = user.client();

    let anonymous = Client::new().get("/api/agent/entities");
    let post = client.post_json("/api/agent/entities", &json!({}));
    let unknown = client.get("/api/agent/nothing-here");
    let empty = list_entities(&client, "");

    assert_error(&anonymous, 401);
    assert_error(&post, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"), "{post}");
    assert_error(&unknown, 404);
    assert_eq!(
        empty.json,
        json!({ "items": [], "total": 0, "nextCursor": null }),
        "{empty}"
    );
}
