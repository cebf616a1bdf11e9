//! Contacts through the router, on in-process SQLite with the real migrations: resolution at
//! ingest, suggestions, merge, normalize, search, the memories of a contact and isolation.

use serde_json::{json, Value};

use crate::testing::{block_on, call, register, test_app, HashingEmbedder};
use crate::{App, Group, Method};

fn app() -> App {
    test_app(Some(Box::new(HashingEmbedder::default())))
}

fn group_of(path: &str) -> Group {
    if path.starts_with("/api/memories") {
        Group::Memories
    } else {
        Group::Contacts
    }
}

fn send(app: &App, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    call(app, group_of(path), method, path, Some(token), body)
}

fn ok(app: &App, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, value) = send(app, method, path, token, body);
    assert!((200..300).contains(&status), "{path}: {status} {value}");
    value
}

/// Stores a memory naming `participants` and returns it.
fn remember(app: &App, token: &str, text: &str, metadata: Value, participants: Value) -> Value {
    let body = json!({ "text": text, "metadata": metadata, "participants": participants });
    ok(app, Method::Post, "/api/memories", token, Some(body))
}

fn search_contacts(app: &App, token: &str, query: Value) -> (u16, Value) {
    let body = json!({ "query": query });
    send(app, Method::Post, "/api/contacts/search", token, Some(body))
}

fn search_contacts_ok(app: &App, token: &str, query: Value) -> Value {
    let (status, found) = search_contacts(app, token, query);
    assert_eq!(status, 200, "{found}");
    found
}

fn contacts(app: &App, token: &str) -> Vec<Value> {
    let list = ok(app, Method::Get, "/api/contacts?limit=200", token, None);
    list["items"].as_array().expect("items").clone()
}

fn suggestions(app: &App, token: &str) -> Vec<Value> {
    let list = ok(app, Method::Get, "/api/contacts/suggestions", token, None);
    list["items"].as_array().expect("items").clone()
}

fn values(contact: &Value) -> Vec<String> {
    let mut found: Vec<String> = contact["identifiers"]
        .as_array()
        .expect("identifiers")
        .iter()
        .map(|i| {
            format!(
                "{}:{}",
                i["type"].as_str().unwrap(),
                i["value"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn resolution_follows_the_table_of_cases() {
    struct Case {
        name: &'static str,
        memories: Vec<(Value, Value)>,
        contacts: usize,
    }
    let cases = [
        Case {
            name: "the same email written three ways is one contact",
            memories: vec![
                (
                    json!({}),
                    json!([{"email": "Dana@Example.com", "role": "sender"}]),
                ),
                (
                    json!({}),
                    json!([{"email": " dana@example.com ", "role": "recipient"}]),
                ),
                (
                    json!({}),
                    json!([{"email": "dana+lease@EXAMPLE.com", "role": "sender"}]),
                ),
            ],
            contacts: 1,
        },
        Case {
            name: "gmail dots and tags match",
            memories: vec![
                (
                    json!({}),
                    json!([{"email": "jo.ann@gmail.com", "role": "sender"}]),
                ),
                (
                    json!({}),
                    json!([{"email": "joann+x@googlemail.com", "role": "sender"}]),
                ),
            ],
            contacts: 1,
        },
        Case {
            name: "two John Smiths with different emails stay two",
            memories: vec![
                (
                    json!({}),
                    json!([{"name": "John Smith", "email": "john@one.example", "role": "sender"}]),
                ),
                (
                    json!({}),
                    json!([{"name": "John Smith", "email": "john@two.example", "role": "sender"}]),
                ),
            ],
            contacts: 2,
        },
        Case {
            name: "a phone number written two ways is one contact",
            memories: vec![
                (
                    json!({}),
                    json!([{"phone": "(415) 555-0100", "role": "sender"}]),
                ),
                (
                    json!({}),
                    json!([{"phone": "+1 415 555 0100", "role": "sender"}]),
                ),
            ],
            contacts: 1,
        },
        Case {
            name: "a name resolves inside its conversation only",
            memories: vec![
                (
                    json!({"conversationId": "c1"}),
                    json!([{"name": "John", "role": "sender"}]),
                ),
                (
                    json!({"conversationId": "c1"}),
                    json!([{"name": "john", "role": "sender"}]),
                ),
                (
                    json!({"conversationId": "c2"}),
                    json!([{"name": "John", "role": "sender"}]),
                ),
            ],
            contacts: 2,
        },
        Case {
            name: "metadata senders and addresses in the text are resolved",
            memories: vec![
                (json!({"from": "Dana <dana@example.com>"}), json!([])),
                (json!({"to": ["dana@example.com"]}), json!([])),
            ],
            contacts: 1,
        },
    ];
    for (index, case) in cases.iter().enumerate() {
        let app = app();
        let token = register(&app, &format!("user{index}@example.com"));
        for (n, (metadata, participants)) in case.memories.iter().enumerate() {
            remember(
                &app,
                &token,
                &format!("memory {n} of case {index}"),
                metadata.clone(),
                participants.clone(),
            );
        }
        assert_eq!(contacts(&app, &token).len(), case.contacts, "{}", case.name);
    }
}

#[test]
fn contact_links_carry_roles_and_memory_counts() {
    let app = app();
    let token = register(&app, "a@example.com");
    let memory = remember(
        &app,
        &token,
        "Lease renewal: call me at +1 415 555 0199 or write to landlord@example.com",
        json!({}),
        json!([{"name": "Dana Whitfield", "email": "dana@example.com", "role": "sender"}]),
    );
    let roles: Vec<&str> = memory["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["sender", "mentioned", "mentioned"], "{memory}");
    let dana = memory["contacts"][0]["id"].as_str().unwrap();
    let contact = ok(
        &app,
        Method::Get,
        &format!("/api/contacts/{dana}"),
        &token,
        None,
    );
    assert_eq!(contact["displayName"], "Dana Whitfield");
    assert_eq!(contact["memoryCount"], 1);
    assert_eq!(
        values(&contact),
        ["email:dana@example.com", "name:Dana Whitfield"]
    );
}

#[test]
fn suggestion_shared_email_is_high() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember(
        &app,
        &token,
        "one",
        json!({"conversationId": "chat"}),
        json!([{"name": "John", "role": "sender"}]),
    );
    remember(
        &app,
        &token,
        "two",
        json!({}),
        json!([{"name": "John Smith", "email": "john@example.com", "role": "sender"}]),
    );
    assert_eq!(contacts(&app, &token).len(), 2);
    remember(
        &app,
        &token,
        "three",
        json!({"conversationId": "chat"}),
        json!([{"name": "John", "email": "john@example.com", "role": "sender"}]),
    );
    let found = suggestions(&app, &token);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["confidence"], "high");
    assert!(found[0]["reason"]
        .as_str()
        .unwrap()
        .contains("john@example.com"));
    assert_eq!(contacts(&app, &token).len(), 2, "a suggestion never merges");

    let (a, b) = (
        found[0]["contactA"]["id"].clone(),
        found[0]["contactB"]["id"].clone(),
    );
    let body = json!({ "contactAId": a, "contactBId": b });
    ok(
        &app,
        Method::Post,
        "/api/contacts/suggestions/dismiss",
        &token,
        Some(body),
    );
    assert!(suggestions(&app, &token).is_empty());
}

#[test]
fn suggestion_same_name_is_low() {
    let app = app();
    let token = register(&app, "a@example.com");
    let seeds = [
        (
            json!({}),
            json!({"name": "John Smith", "email": "john@one.example", "role": "sender"}),
        ),
        (
            json!({}),
            json!({"name": "John Smith", "email": "john@two.example", "role": "sender"}),
        ),
        (
            json!({}),
            json!({"name": "Sherlock Holmes", "role": "sender"}),
        ),
        (
            json!({"conversationId": "x"}),
            json!({"name": "S. Holmes", "role": "sender"}),
        ),
    ];
    for (n, (metadata, person)) in seeds.into_iter().enumerate() {
        remember(
            &app,
            &token,
            &format!("memory {n}"),
            metadata,
            json!([person]),
        );
    }

    let found = suggestions(&app, &token);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|s| s["confidence"] == "low"));

    let (status, result) = send(&app, Method::Post, "/api/contacts/normalize", &token, None);
    assert_eq!(
        (status, result),
        (200, json!({"normalized": 0, "merged": 0}))
    );
    assert_eq!(contacts(&app, &token).len(), 4);
}

#[test]
fn merge_keeps_every_identifier_and_link() {
    let app = app();
    let token = register(&app, "a@example.com");
    let first = remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"name": "Dana", "email": "dana@example.com", "role": "sender"}]),
    );
    let second = remember(
        &app,
        &token,
        "two",
        json!({}),
        json!([{"phone": "+14155550100", "handle": "dana.w", "role": "recipient"}]),
    );
    let target = first["contacts"][0]["id"].as_str().unwrap().to_owned();
    let source = second["contacts"][0]["id"].as_str().unwrap().to_owned();

    let merged = ok(
        &app,
        Method::Post,
        &format!("/api/contacts/{target}/merge"),
        &token,
        Some(json!({ "sourceId": source })),
    );
    assert_eq!(merged["memoryCount"], 2);
    let listed = contacts(&app, &token);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        values(&listed[0]),
        [
            "email:dana@example.com",
            "handle:dana.w",
            "name:Dana",
            "phone:+14155550100"
        ]
    );
    let memories = ok(
        &app,
        Method::Get,
        &format!("/api/contacts/{target}/memories"),
        &token,
        None,
    );
    let roles: Vec<&str> = memories["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["contacts"][0]["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["recipient", "sender"], "newest first, roles kept");
    let (status, _) = send(
        &app,
        Method::Get,
        &format!("/api/contacts/{source}"),
        &token,
        None,
    );
    assert_eq!(status, 404);

    let (status, error) = send(
        &app,
        Method::Post,
        &format!("/api/contacts/{target}/merge"),
        &token,
        Some(json!({ "sourceId": target })),
    );
    assert_eq!(status, 422, "{error}");
}

#[test]
fn another_users_contact_is_not_found_everywhere() {
    let app = app();
    let alice = register(&app, "alice@example.com");
    let bob = register(&app, "bob@example.com");
    let memory = remember(
        &app,
        &alice,
        "secret",
        json!({}),
        json!([{"name": "Dana", "role": "sender"}]),
    );
    let dana = memory["contacts"][0]["id"].as_str().unwrap().to_owned();
    let mine = remember(
        &app,
        &bob,
        "mine",
        json!({}),
        json!([{"name": "Eve", "role": "sender"}]),
    );
    let eve = mine["contacts"][0]["id"].as_str().unwrap().to_owned();

    let path = format!("/api/contacts/{dana}");
    assert_eq!(send(&app, Method::Get, &path, &bob, None).0, 404);
    assert_eq!(
        send(&app, Method::Get, &format!("{path}/memories"), &bob, None).0,
        404
    );
    assert_eq!(send(&app, Method::Delete, &path, &bob, None).0, 404);
    assert_eq!(
        send(
            &app,
            Method::Patch,
            &path,
            &bob,
            Some(json!({"displayName": "X"}))
        )
        .0,
        404
    );
    let merge = Some(json!({ "sourceId": dana }));
    assert_eq!(
        send(
            &app,
            Method::Post,
            &format!("/api/contacts/{eve}/merge"),
            &bob,
            merge
        )
        .0,
        404
    );
    let search = search_contacts_ok(&app, &bob, json!("dana"));
    assert_eq!(search["items"], json!([]));
    let filtered = ok(
        &app,
        Method::Post,
        "/api/memories/search",
        &bob,
        Some(json!({"query": "secret", "filters": {"contactIds": [dana]}})),
    );
    assert_eq!(filtered["items"], json!([]));
    assert_eq!(contacts(&app, &alice).len(), 1);
}

#[test]
fn search_ignores_case_and_accents_and_matches_identifiers() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"name": "Zoë Ångström", "email": "zoe@example.com", "role": "sender"}]),
    );
    remember(
        &app,
        &token,
        "two",
        json!({}),
        json!([{"name": "Bob", "role": "sender"}]),
    );
    for query in ["zoe", "ANGSTROM", "zoe@example", "Zoë"] {
        let found = search_contacts_ok(&app, &token, json!(query));
        let names: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Zoë Ångström"], "{query}");
    }
    let (status, error) = search_contacts(&app, &token, json!(" "));
    assert_eq!(status, 400, "{error}");
}

#[test]
fn search_filters_and_names_contacts() {
    let app = app();
    let token = register(&app, "a@example.com");
    let lease = remember(
        &app,
        &token,
        "The lease renewal is due",
        json!({}),
        json!([{"name": "Dana", "role": "sender"}]),
    );
    remember(
        &app,
        &token,
        "The lease for the garage",
        json!({}),
        json!([{"name": "Eve", "role": "sender"}]),
    );
    let dana = lease["contacts"][0]["id"].clone();
    let found = ok(
        &app,
        Method::Post,
        "/api/memories/search",
        &token,
        Some(json!({"query": "lease", "filters": {"contactIds": [dana]}})),
    );
    let ids: Vec<&Value> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids, [&lease["id"]]);
}

#[test]
fn bad_participants_are_rejected_and_nothing_is_stored() {
    let app = app();
    let token = register(&app, "a@example.com");
    let cases = [
        (
            json!([{"email": "not-an-address", "role": "sender"}]),
            "participants[0]: invalid email",
        ),
        (
            json!([{"name": "A", "role": "boss"}]),
            "invalid role \"boss\"",
        ),
        (json!([{"role": "sender"}]), "at least one of"),
        (json!([{"name": "A", "role": "sender", "age": 3}]), "age"),
        (
            json!([{"phone": "12", "role": "sender"}]),
            "invalid phone number \"12\"",
        ),
    ];
    for (participants, expected) in cases {
        let body = json!({ "text": "a memory", "participants": participants });
        let (status, error) = send(&app, Method::Post, "/api/memories", &token, Some(body));
        assert_eq!(status, 400, "{error}");
        let message = error["error"].as_str().unwrap();
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    let listed = ok(&app, Method::Get, "/api/memories", &token, None);
    assert_eq!(listed["total"], 0);
    assert!(contacts(&app, &token).is_empty());
}

#[test]
fn phone_region_setting_reads_national_numbers() {
    let app = app();
    let token = register(&app, "a@example.com");
    let (status, me) = call(
        &app,
        Group::UserAuth,
        Method::Patch,
        "/api/me",
        Some(&token),
        Some(json!({"phoneRegion": "gb"})),
    );
    assert_eq!(
        (status, me["phoneRegion"].as_str()),
        (200, Some("GB")),
        "{me}"
    );
    let memory = remember(
        &app,
        &token,
        "call",
        json!({}),
        json!([{"phone": "020 7946 0018", "role": "sender"}]),
    );
    assert_eq!(memory["contacts"][0]["displayName"], "+442079460018");
    let (status, error) = call(
        &app,
        Group::UserAuth,
        Method::Patch,
        "/api/me",
        Some(&token),
        Some(json!({"phoneRegion": "XX"})),
    );
    assert_eq!(status, 400, "{error}");
}

#[test]
fn deleting_a_memory_removes_its_links() {
    let app = app();
    let token = register(&app, "a@example.com");
    let memory = remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"name": "Dana", "role": "sender"}]),
    );
    let dana = memory["contacts"][0]["id"].as_str().unwrap();
    let id = memory["id"].as_str().unwrap();
    ok(
        &app,
        Method::Delete,
        &format!("/api/memories/{id}"),
        &token,
        None,
    );
    let contact = ok(
        &app,
        Method::Get,
        &format!("/api/contacts/{dana}"),
        &token,
        None,
    );
    assert_eq!(contact["memoryCount"], 0);
    let rows = block_on(
        app.db
            .query("SELECT count(*) AS n FROM memory_entities", &[]),
    )
    .unwrap();
    assert_eq!(rows[0].integer("n").unwrap(), 0);
}

#[test]
fn suggestions_page_with_cursor() {
    let app = app();
    let token = register(&app, "a@example.com");
    for (n, name) in ["Sherlock Holmes", "S. Holmes", "Holmes"]
        .iter()
        .enumerate()
    {
        let metadata = json!({ "conversationId": format!("c{n}") });
        remember(
            &app,
            &token,
            &format!("memory {n}"),
            metadata,
            json!([{"name": name, "role": "sender"}]),
        );
    }
    let first = ok(
        &app,
        Method::Get,
        "/api/contacts/suggestions?limit=2",
        &token,
        None,
    );
    assert_eq!(first["total"], 3);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["nextCursor"], "2");
    let rest = ok(
        &app,
        Method::Get,
        "/api/contacts/suggestions?limit=2&cursor=2",
        &token,
        None,
    );
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["nextCursor"], Value::Null);
}

#[test]
fn people_alias_ignores_unknown_fields() {
    let app = app();
    let token = register(&app, "a@example.com");
    let dana = json!([{"name": "Dana", "role": "sender"}]);
    remember(&app, &token, "one", json!({}), dana);
    let body = Some(json!({"query": "dana", "fields": ["name"]}));
    let post = |path: &str, body: Option<Value>| send(&app, Method::Post, path, &token, body);

    let (status, found) = post("/api/people/search", body.clone());
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["items"][0]["displayName"], "Dana");

    let (status, error) = post("/api/contacts/search", body);
    assert_eq!(status, 400);
    assert!(
        error["error"].as_str().unwrap().contains("fields"),
        "{error}"
    );

    let (status, error) = post("/api/people/search", Some(json!({"query": 5})));
    assert_eq!(status, 400, "{error}");
}

#[test]
fn phone_search_ignores_spacing() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"name": "Dana", "phone": "+1 415 555 0123", "role": "sender"}]),
    );
    for query in ["+1 415 555", "415-555-0123", "(415) 555"] {
        let found = search_contacts_ok(&app, &token, json!(query));
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{query}");
    }
}

#[test]
fn empty_contact_filter_matches_nothing() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember(
        &app,
        &token,
        "The lease renewal is due",
        json!({}),
        json!([]),
    );
    let body = json!({"query": "lease", "filters": {"contactIds": []}});
    let found = ok(
        &app,
        Method::Post,
        "/api/memories/search",
        &token,
        Some(body),
    );
    assert_eq!(found["items"], json!([]));
}

#[test]
fn contact_search_handles_long_and_invisible_queries() {
    let app = app();
    let token = register(&app, "a@example.com");
    let address = "firstname.lastname.department@subdivision.example.org";
    remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"name": "Dana", "email": address, "role": "sender"}]),
    );
    remember(
        &app,
        &token,
        "two",
        json!({"conversationId": "secret-chat"}),
        json!([{"name": "Bo", "role": "sender"}]),
    );
    let found = search_contacts_ok(&app, &token, json!(address));
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    for query in ["secret", "conversation", "manual"] {
        let found = search_contacts_ok(&app, &token, json!(query));
        assert_eq!(found["items"], json!([]), "{query} matched a name's scope");
    }
    let (status, error) = send(
        &app,
        Method::Post,
        "/api/contacts/search",
        &token,
        Some(json!({"query": "\u{200b}"})),
    );
    assert_eq!(status, 400, "{error}");
}

#[test]
fn resolution_keeps_namesakes_apart() {
    let app = app();
    let token = register(&app, "a@example.com");
    let participants = json!([
        {"name": "Pat Smith", "email": "pat1@x.com", "role": "sender"},
        {"name": "Pat Smith", "email": "pat2@x.com", "role": "recipient"},
    ]);
    let memory = remember(&app, &token, "hello Pat", json!({}), participants);
    assert_eq!(memory["contacts"].as_array().unwrap().len(), 2, "{memory}");
    assert_eq!(contacts(&app, &token).len(), 2);
}

#[test]
fn phone_entities_count_once_in_e164() {
    let app = app();
    let token = register(&app, "a@example.com");
    let first = remember(
        &app,
        &token,
        "Call 415-555-0100 please",
        json!({}),
        json!([]),
    );
    let second = remember(&app, &token, "Or try +1 415 555 0100", json!({}), json!([]));
    for memory in [&first, &second] {
        assert_eq!(
            memory["entities"],
            json!([{"type": "phone", "value": "+14155550100"}]),
            "{memory}"
        );
    }
    assert_eq!(
        contacts(&app, &token).len(),
        1,
        "both mentions are one contact"
    );
}

/// Returns the id of the user whose access token is `token`.
fn user_id_of(app: &App, token: &str) -> String {
    let (_, me) = call(
        app,
        Group::UserAuth,
        Method::Get,
        "/api/me",
        Some(token),
        None,
    );
    me["id"].as_str().unwrap().to_owned()
}

#[test]
fn merge_into_a_removed_contact_changes_nothing() {
    use crate::store::contacts as store;
    let app = app();
    let token = register(&app, "a@example.com");
    let user = user_id_of(&app, &token);
    let a = remember(
        &app,
        &token,
        "one",
        json!({}),
        json!([{"email": "a@x.com", "role": "sender"}]),
    );
    let b = remember(
        &app,
        &token,
        "two",
        json!({}),
        json!([{"email": "b@x.com", "role": "sender"}]),
    );
    let (a, b) = (
        a["contacts"][0]["id"].as_str().unwrap(),
        b["contacts"][0]["id"].as_str().unwrap(),
    );

    // B into A wins; the racing A into B finds its target gone and must not delete A's data.
    assert!(block_on(store::merge_contacts(&app, &user, a, b)).unwrap());
    assert!(!block_on(store::merge_contacts(&app, &user, b, a)).unwrap());
    let listed = contacts(&app, &token);
    assert_eq!(listed.len(), 1);
    assert_eq!(values(&listed[0]), ["email:a@x.com", "email:b@x.com"]);
    assert_eq!(listed[0]["memoryCount"], 2);

    // Linking to the merged-away contact writes nothing and reports it.
    let identifier = crate::contacts::participants::Identifier::email("new@x.com").unwrap();
    let link = store::MemoryLink {
        memory_id: "mem_x",
        role: crate::contacts::participants::Role::Sender,
    };
    let linked = block_on(store::link_existing_contact(
        &app,
        &user,
        b,
        None,
        &[&identifier],
        &[],
        link,
    ));
    assert!(!linked.unwrap());
    let rows = block_on(app.db.query(
        "SELECT count(*) AS n FROM contact_identifiers WHERE contact_id = ?1",
        &[b.into()],
    ))
    .unwrap();
    assert_eq!(rows[0].integer("n").unwrap(), 0);
}
