//! `GET /api/agent/entities` through the router, on in-process SQLite with the real
//! migrations. Memories are stored through the API, so their entities come from extraction.

use serde_json::{json, Value};

use crate::testing::{
    block_on, call, create_api_key, create_bank, create_memory, register, test_app, HashingEmbedder,
};
use crate::{App, Group, Method};

/// Four memories that name the same organisation once each, in two spellings.
const ACME_TEXTS: [&str; 4] = [
    "Lunch with the team from Acme Corp.",
    "Signed the contract with ACME Corp today.",
    "Acme Corp sent the invoice.",
    "Paid $1,200.50 to Acme Corp on Friday.",
];

fn app() -> App {
    test_app(Some(Box::new(HashingEmbedder::default())))
}

fn remember_text(app: &App, token: &str, text: &str) -> String {
    create_memory(app, token, json!({ "text": text }))
}

fn entities(app: &App, token: &str, query: &str) -> (u16, Value) {
    let path = format!("/api/agent/entities{query}");
    call(app, Group::Agent, Method::Get, &path, Some(token), None)
}

/// Returns the page of a request that must succeed.
fn entity_page(app: &App, token: &str, query: &str) -> Value {
    let (status, page) = entities(app, token, query);
    assert_eq!(status, 200, "{query}: {page}");
    page
}

/// Returns `(type, value, memoryCount)` of each item, in order.
fn items(page: &Value) -> Vec<(String, String, i64)> {
    let items = page["items"].as_array().expect("items");
    items
        .iter()
        .map(|item| {
            (
                item["type"].as_str().expect("type").to_owned(),
                item["value"].as_str().expect("value").to_owned(),
                item["memoryCount"].as_i64().expect("memoryCount"),
            )
        })
        .collect()
}

fn item(kind: &str, value: &str, count: i64) -> (String, String, i64) {
    (kind.to_owned(), value.to_owned(), count)
}

fn error_message(body: &Value) -> &str {
    body["error"].as_str().expect("error message")
}

#[test]
fn four_mentions_make_one_entity_with_count_four() {
    let app = app();
    let token = register(&app, "a@example.com");
    for text in ACME_TEXTS {
        remember_text(&app, &token, text);
    }

    let page = entity_page(&app, &token, "?type=organization");

    assert_eq!(items(&page), [item("organization", "ACME Corp", 4)]);
    assert_eq!(page["total"], 1);
    assert_eq!(page["nextCursor"], Value::Null);
}

#[test]
fn entities_order_by_count_then_value() {
    let app = app();
    let token = register(&app, "a@example.com");
    for text in ACME_TEXTS {
        remember_text(&app, &token, text);
    }
    remember_text(&app, &token, "Meeting at Globex Corporation headquarters.");
    remember_text(&app, &token, "Globex Corporation sent flowers.");
    remember_text(&app, &token, "Email alice@example.com about the lease.");

    let page = entity_page(&app, &token, "");

    let found = items(&page);
    assert_eq!(found[0], item("organization", "ACME Corp", 4));
    assert_eq!(found[1], item("organization", "Globex Corporation", 2));
    let rest: Vec<_> = found[2..]
        .iter()
        .map(|(_, value, _)| value.clone())
        .collect();
    let mut sorted = rest.clone();
    sorted.sort();
    assert_eq!(rest, sorted, "ties are ordered by value: {page}");
    assert!(found[2..].iter().all(|(_, _, count)| *count == 1), "{page}");
    assert_eq!(page["total"], found.len(), "{page}");
}

#[test]
fn entities_filter_by_type() {
    let app = app();
    let token = register(&app, "a@example.com");
    for text in ACME_TEXTS {
        remember_text(&app, &token, text);
    }
    remember_text(&app, &token, "Email alice@example.com about the lease.");

    assert_eq!(
        items(&entity_page(&app, &token, "?type=money")),
        [item("money", "USD 1200.50", 1)]
    );
    assert_eq!(
        items(&entity_page(&app, &token, "?type=email")),
        [item("email", "alice@example.com", 1)]
    );
    assert!(items(&entity_page(&app, &token, "?type=phone")).is_empty());
}

#[test]
fn prefix_ignores_case_and_accents_of_names() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember_text(&app, &token, "Had dinner with Zoë Martin yesterday.");
    remember_text(&app, &token, "Lunch with Renée Dubois at noon.");
    remember_text(&app, &token, "Renee Dubois called about the lease.");

    let zoe = entity_page(&app, &token, "?q=ZOE&type=person");
    assert_eq!(items(&zoe), [item("person", "Zoë Martin", 1)]);

    let renee = entity_page(&app, &token, "?q=renée d&type=person");
    assert_eq!(items(&renee), [item("person", "Renee Dubois", 2)]);

    let none = entity_page(&app, &token, "?q=zoey&type=person");
    assert!(items(&none).is_empty(), "{none}");
}

#[test]
fn prefix_ignores_case_of_other_types() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember_text(
        &app,
        &token,
        "Call +1 415 555 0100 or email Bob@Example.COM.",
    );
    remember_text(&app, &token, "Paid $1,200.50 to the plumber.");
    remember_text(&app, &token, "Read https://Example.com/Docs first.");

    let emails = entity_page(&app, &token, "?q=BOB@EX");
    assert_eq!(items(&emails), [item("email", "bob@example.com", 1)]);

    let money = entity_page(&app, &token, "?q=usd 12");
    assert_eq!(items(&money), [item("money", "USD 1200.50", 1)]);

    let urls = entity_page(&app, &token, "?q=HTTPS://EXAMPLE.COM/docs");
    assert_eq!(items(&urls), [item("url", "https://Example.com/Docs", 1)]);

    let phones = entity_page(&app, &token, "?q=+1415");
    assert_eq!(items(&phones), [item("phone", "+14155550100", 1)]);
}

#[test]
fn prefix_wildcards_match_literally() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember_text(&app, &token, "Email alice@example.com about the lease.");

    assert!(items(&entity_page(&app, &token, "?q=%")).is_empty());
    assert!(items(&entity_page(&app, &token, "?q=_lice")).is_empty());
}

#[test]
fn entities_page_with_cursor() {
    let app = app();
    let token = register(&app, "a@example.com");
    for text in ACME_TEXTS {
        remember_text(&app, &token, text);
    }
    remember_text(
        &app,
        &token,
        "Email alice@example.com and bob@example.com today.",
    );
    let everything = items(&entity_page(&app, &token, ""));

    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page = entity_page(&app, &token, &query);
        assert_eq!(page["total"], everything.len(), "{page}");
        seen.extend(items(&page));
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(seen, everything);
}

#[test]
fn other_users_entities_are_invisible() {
    let app = app();
    let alice = register(&app, "alice@example.com");
    let bob = register(&app, "bob@example.com");
    for text in ACME_TEXTS {
        remember_text(&app, &alice, text);
    }
    remember_text(&app, &bob, "Acme Corp called Bob.");

    let bobs = entity_page(&app, &bob, "?type=organization");
    let alices = entity_page(&app, &alice, "?type=organization");

    assert_eq!(items(&bobs), [item("organization", "Acme Corp", 1)]);
    assert_eq!(items(&alices), [item("organization", "ACME Corp", 4)]);
}

#[test]
fn deleted_memory_no_longer_counts() {
    let app = app();
    let token = register(&app, "a@example.com");
    let ids: Vec<String> = ACME_TEXTS
        .iter()
        .map(|text| remember_text(&app, &token, text))
        .collect();

    let path = format!("/api/memories/{}", ids[0]);
    let (status, _) = call(
        &app,
        Group::Memories,
        Method::Delete,
        &path,
        Some(&token),
        None,
    );
    assert_eq!(status, 200);

    let page = entity_page(&app, &token, "?type=organization");
    assert_eq!(items(&page), [item("organization", "ACME Corp", 3)]);
}

#[test]
fn bank_scope_limits_counts() {
    let app = app();
    let token = register(&app, "a@example.com");
    let work = create_bank(&app, &token, "work");
    remember_text(&app, &token, ACME_TEXTS[0]);
    remember_text(&app, &token, ACME_TEXTS[1]);
    for text in &ACME_TEXTS[2..] {
        create_memory(&app, &token, json!({ "text": text, "memoryBankId": work }));
    }
    let work_key = create_api_key(
        &app,
        &token,
        json!({ "name": "work", "scopes": ["read"], "memoryBankIds": [work] }),
    );

    let by_key = entity_page(&app, &work_key, "?type=organization");
    assert_eq!(items(&by_key), [item("organization", "Acme Corp", 2)]);

    let narrowed = entity_page(
        &app,
        &token,
        &format!("?type=organization&memoryBankId={work}"),
    );
    assert_eq!(items(&narrowed), [item("organization", "Acme Corp", 2)]);

    let whole = entity_page(&app, &token, "?type=organization");
    assert_eq!(items(&whole), [item("organization", "ACME Corp", 4)]);
}

#[test]
fn unknown_or_forbidden_bank_is_rejected() {
    let app = app();
    let token = register(&app, "a@example.com");
    let work = create_bank(&app, &token, "work");
    let home = create_bank(&app, &token, "home");
    let work_key = create_api_key(
        &app,
        &token,
        json!({ "name": "work", "scopes": ["read"], "memoryBankIds": [work] }),
    );
    let other = register(&app, "b@example.com");
    let others_bank = create_bank(&app, &other, "theirs");

    assert_eq!(entities(&app, &token, "?memoryBankId=bank_unknown").0, 404);
    assert_eq!(
        entities(&app, &token, &format!("?memoryBankId={others_bank}")).0,
        404
    );
    assert_eq!(
        entities(&app, &work_key, &format!("?memoryBankId={home}")).0,
        403
    );
    assert_eq!(entities(&app, &token, "?memoryBankId=").0, 400);
}

#[test]
fn bad_parameters_are_rejected_by_name() {
    let app = app();
    let token = register(&app, "a@example.com");
    let long_prefix = "x".repeat(201);
    let cases = [
        ("?type=company", "company"),
        ("?type=Person", "Person"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=%%%", "cursor"),
        ("?cursor=b2Zmc2V0Oi0x", "cursor"),
        ("?cursor=bm90LWFuLW9mZnNldA", "cursor"),
        ("?q=", "q"),
        ("?q=   ", "q"),
    ];
    for (query, expected) in cases {
        let (status, body) = entities(&app, &token, query);
        assert_eq!(status, 400, "{query}: {body}");
        let message = error_message(&body);
        assert!(message.contains(expected), "{query}: {message}");
    }

    let (status, body) = entities(&app, &token, &format!("?q={long_prefix}"));
    assert_eq!(status, 400, "{body}");
    assert!(error_message(&body).contains("200"), "{body}");

    let (_, body) = entities(&app, &token, "?type=company");
    let message = error_message(&body);
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
        assert!(message.contains(kind), "{message} should list {kind}");
    }
}

#[test]
fn entities_route_rules() {
    let app = app();
    let token = register(&app, "a@example.com");

    let (status, _) = call(
        &app,
        Group::Agent,
        Method::Get,
        "/api/agent/entities",
        None,
        None,
    );
    assert_eq!(status, 401);

    let (status, _) = call(
        &app,
        Group::Agent,
        Method::Post,
        "/api/agent/entities",
        Some(&token),
        None,
    );
    assert_eq!(status, 405);

    let (status, _) = call(
        &app,
        Group::Agent,
        Method::Get,
        "/api/agent/unknown",
        Some(&token),
        None,
    );
    assert_eq!(status, 404);

    let (status, page) = entities(&app, &token, "");
    assert_eq!(status, 200);
    assert_eq!(page, json!({ "items": [], "total": 0, "nextCursor": null }));
}

#[test]
fn spellings_of_one_key_show_smallest_value() {
    let app = app();
    let token = register(&app, "a@example.com");
    let first = remember_text(&app, &token, "A plain note.");
    let second = remember_text(&app, &token, "Another plain note.");
    let rows = block_on(app.db.query("SELECT user_id FROM memories", &[])).expect("query");
    let user_id = rows[0].text("user_id").expect("user_id");
    let insert = "INSERT INTO memory_entities (user_id, memory_id, type, value, value_key)
                  VALUES (?1, ?2, 'place', ?3, 'zurich')";
    for (memory_id, spelling) in [(&first, "Zürich"), (&second, "ZURICH")] {
        let params = [user_id.as_str().into(), memory_id.into(), spelling.into()];
        block_on(app.db.execute(insert, &params)).expect("insert entity");
    }

    let page = entity_page(&app, &token, "?type=place");

    assert_eq!(items(&page), [item("place", "ZURICH", 2)]);
}
