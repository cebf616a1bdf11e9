//! `/api/contacts`: how the people a memory names become contacts, the contact endpoints
//! (list, get, update, delete, memories, search, suggestions, dismiss, merge, normalize), the
//! `contacts` of memory responses, and what API keys and other users may reach, over HTTP.

mod common;

use botmem_e2e::{register_test_user, ApiResponse, Client};
use common::{
    assert_error, assert_error_mentions, bank_key_client, create_bank, create_memory, find_item,
    id_of, item_ids, key_client, search,
};
use serde_json::{json, Value};

/// Stores a memory with `text` naming `participants` and returns it.
fn remember(client: &Client, text: &str, participants: Value) -> Value {
    create_memory(
        client,
        &json!({ "text": text, "participants": participants }),
    )
}

/// Stores a memory with `text` whose one participant is `participant`, and returns the id of
/// the contact it resolved to.
fn contact_from(client: &Client, text: &str, participant: Value) -> String {
    contact_at(&remember(client, text, json!([participant])), 0)
}

/// Returns the id of the contact at `index` in a memory's `contacts`.
fn contact_at(memory: &Value, index: usize) -> String {
    match memory["contacts"][index]["id"].as_str() {
        Some(id) => id.to_owned(),
        None => panic!("no contact at {index} in {memory}"),
    }
}

/// Returns a memory's contacts as (display name, role) pairs, sorted.
fn names_and_roles(memory: &Value) -> Vec<(String, String)> {
    let contacts = memory["contacts"].as_array().cloned().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = contacts
        .iter()
        .map(|contact| {
            let text = |field: &str| contact[field].as_str().unwrap_or_default().to_owned();
            (text("displayName"), text("role"))
        })
        .collect();
    pairs.sort();
    pairs
}

/// Returns a contact's identifiers as sorted `type:value` strings.
fn identifier_values(contact: &Value) -> Vec<String> {
    let identifiers = contact["identifiers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut values: Vec<String> = identifiers
        .iter()
        .map(|identifier| {
            let kind = identifier["type"].as_str().unwrap_or_default();
            let value = identifier["value"].as_str().unwrap_or_default();
            format!("{kind}:{value}")
        })
        .collect();
    values.sort();
    values
}

/// Returns the `displayName` of each item of a list or search response, in order.
fn display_names(response: &ApiResponse) -> Vec<String> {
    let items = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|item| item["displayName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Returns the contact `id` as the caller sees it. Panics unless the server returns 200.
fn get_contact(client: &Client, id: &str) -> Value {
    let response = client.get(&format!("/api/contacts/{id}"));
    assert_eq!(
        response.status, 200,
        "reading contact {id} failed: {response}"
    );
    response.json
}

fn search_contacts(client: &Client, query: &str) -> ApiResponse {
    client.post_json("/api/contacts/search", &json!({ "query": query }))
}

fn merge(client: &Client, target: &str, source: &str) -> ApiResponse {
    client.post_json(
        &format!("/api/contacts/{target}/merge"),
        &json!({ "sourceId": source }),
    )
}

fn dismiss(client: &Client, contact_a: &str, contact_b: &str) -> ApiResponse {
    let body = json!({ "contactAId": contact_a, "contactBId": contact_b });
    client.post_json("/api/contacts/suggestions/dismiss", &body)
}

/// Returns the (contactA id, contactB id) pair of each suggestion, each pair sorted.
fn suggested_pairs(response: &ApiResponse) -> Vec<(String, String)> {
    let items = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let a = id_of(&item["contactA"]);
            let b = id_of(&item["contactB"]);
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Makes two contacts that one participant showed to be one person: "John" in a conversation
/// and "John Smith" by email, paired when "John" writes from that email in the conversation.
/// Returns the ids of "John" and "John Smith".
fn make_high_suggestion(client: &Client) -> (String, String) {
    let body = json!({
        "text": "John confirmed the ferry booking.",
        "metadata": { "conversationId": "ferry-chat" },
        "participants": [{ "name": "John", "role": "sender" }],
    });
    let john = contact_at(&create_memory(client, &body), 0);
    let john_smith = contact_from(
        client,
        "Invoice for the ferry tickets.",
        json!({ "name": "John Smith", "email": "john@example.com", "role": "sender" }),
    );
    let joined = json!({
        "text": "Sent the ferry receipt from my work address.",
        "metadata": { "conversationId": "ferry-chat" },
        "participants": [{ "name": "John", "email": "john@example.com", "role": "sender" }],
    });
    let linked = contact_at(&create_memory(client, &joined), 0);
    assert_eq!(linked, john_smith, "the email did not win over the name");
    (john, john_smith)
}

/// Makes two contacts named "Mary Jones" with different emails, which suggestions pair only
/// with low confidence. Returns their ids.
fn make_low_suggestion(client: &Client) -> (String, String) {
    let first = contact_from(
        client,
        "Mary Jones sent the tax forms.",
        json!({ "name": "Mary Jones", "email": "mary@one.example", "role": "sender" }),
    );
    let second = contact_from(
        client,
        "Mary Jones booked the plumber.",
        json!({ "name": "Mary Jones", "email": "mary@two.example", "role": "sender" }),
    );
    (first, second)
}

/// Returns every request that changes contacts, under `prefix` (`/api/contacts` or
/// `/api/people`): rename, delete and merge into `target`, with `other` as the merge source
/// and the second contact of the dismissed pair, then normalize.
fn change_requests(prefix: &str, target: &str, other: &str) -> Vec<(&'static str, String, Value)> {
    vec![
        (
            "PATCH",
            format!("{prefix}/{target}"),
            json!({ "displayName": "Mallory" }),
        ),
        ("DELETE", format!("{prefix}/{target}"), json!({})),
        (
            "POST",
            format!("{prefix}/{target}/merge"),
            json!({ "sourceId": other }),
        ),
        ("POST", format!("{prefix}/normalize"), json!({})),
        (
            "POST",
            format!("{prefix}/suggestions/dismiss"),
            json!({ "contactAId": target, "contactBId": other }),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Memories name their contacts

#[test]
fn create_memory_returns_participants_as_contacts() {
    let user = register_test_user();
    let participants = json!([
        { "name": "Dana Whitfield", "email": "dana@example.com", "role": "sender" },
        { "name": "Bo Lind", "phone": "+46 8 123 456 78", "role": "recipient" },
        { "handle": "cy", "role": "participant" },
        { "name": "Eve", "role": "mentioned" },
    ]);

    let memory = remember(&user.client(), "Lease renewal is due.", participants);

    let contacts = memory["contacts"].as_array().cloned().unwrap_or_default();
    assert_eq!(contacts.len(), 4, "{memory}");
    for contact in &contacts {
        let id = contact["id"].as_str().unwrap_or_default();
        assert!(id.starts_with("con_"), "{memory}");
        let fields: Vec<&String> = contact.as_object().map(|o| o.keys().collect()).unwrap();
        assert_eq!(fields.len(), 3, "expected id, displayName, role: {contact}");
    }
    assert_eq!(
        names_and_roles(&memory),
        [
            ("Bo Lind".to_owned(), "recipient".to_owned()),
            ("Dana Whitfield".to_owned(), "sender".to_owned()),
            ("Eve".to_owned(), "mentioned".to_owned()),
            ("cy".to_owned(), "participant".to_owned()),
        ],
        "{memory}"
    );
}

#[test]
fn memory_contacts_appear_on_get_list_and_search() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "The harpsichord tuner visits on Thursday.",
        json!([{ "name": "Dana Whitfield", "email": "dana@example.com", "role": "sender" }]),
    );
    let id = id_of(&memory);
    let expected = memory["contacts"].clone();
    assert_eq!(expected.as_array().map(Vec::len), Some(1), "{memory}");

    let got = client.get(&format!("/api/memories/{id}"));
    let listed = client.get("/api/memories");
    let found = search(&client, &json!({ "query": "harpsichord tuner" }));

    assert_eq!(got.json["contacts"], expected, "{got}");
    let in_list = find_item(&listed, &id).cloned().unwrap_or_default();
    assert_eq!(in_list["contacts"], expected, "{listed}");
    let in_search = find_item(&found, &id).cloned().unwrap_or_default();
    assert_eq!(in_search["contacts"], expected, "{found}");
}

#[test]
fn metadata_people_become_contacts_with_roles() {
    let user = register_test_user();
    let body = json!({
        "text": "Minutes of the residents' meeting.",
        "sourceType": "email",
        "metadata": {
            "from": "\"Dana Smith\" <Dana@Example.com>",
            "to": ["bo@example.com"],
            "cc": [{ "name": "Cy Young", "email": "cy@example.com" }],
            "participants": ["Eve Moss"],
        },
    });

    let memory = create_memory(&user.client(), &body);

    assert_eq!(
        names_and_roles(&memory),
        [
            ("Cy Young".to_owned(), "recipient".to_owned()),
            ("Dana Smith".to_owned(), "sender".to_owned()),
            ("Eve Moss".to_owned(), "participant".to_owned()),
            ("bo@example.com".to_owned(), "recipient".to_owned()),
        ],
        "{memory}"
    );
}

#[test]
fn invalid_metadata_address_is_skipped() {
    let user = register_test_user();
    let body = json!({
        "text": "Forwarded without a usable sender.",
        "metadata": { "from": 42, "to": "x@" },
    });

    let response = user.client().post_json("/api/memories", &body);

    assert_eq!(response.status, 201, "{response}");
    assert_eq!(response.json["contacts"], json!([]), "{response}");
}

#[test]
fn address_in_text_becomes_mentioned_contact() {
    let user = register_test_user();

    let memory = remember(
        &user.client(),
        "For repairs, write to landlord@example.com.",
        json!([]),
    );

    assert_eq!(
        names_and_roles(&memory),
        [("landlord@example.com".to_owned(), "mentioned".to_owned())],
        "{memory}"
    );
}

#[test]
fn sender_mentioned_in_text_is_linked_once() {
    let user = register_test_user();

    let memory = remember(
        &user.client(),
        "Reply to dana@example.com about the garage.",
        json!([{ "name": "Dana", "email": "Dana@Example.com", "role": "sender" }]),
    );

    assert_eq!(
        names_and_roles(&memory),
        [("Dana".to_owned(), "sender".to_owned())],
        "{memory}"
    );
}

#[test]
fn equivalent_emails_resolve_to_one_contact() {
    let cases = [
        ("case and spaces", "Dana@Example.com", " dana@example.com "),
        ("plus tag", "dana@example.com", "dana+lease@EXAMPLE.com"),
        ("gmail dots", "jo.ann@gmail.com", "joann+x@googlemail.com"),
    ];
    for (case, first, second) in cases {
        let user = register_test_user();
        let client = user.client();

        let a = contact_from(
            &client,
            "First letter.",
            json!({ "email": first, "role": "sender" }),
        );
        let b = contact_from(
            &client,
            "Second letter.",
            json!({ "email": second, "role": "sender" }),
        );

        assert_eq!(a, b, "{case}: {first:?} and {second:?} made two contacts");
        let listed = client.get("/api/contacts");
        assert_eq!(listed.json["total"], 1, "{case}: {listed}");
    }
}

#[test]
fn phone_written_two_ways_is_one_contact() {
    let user = register_test_user();
    let client = user.client();

    let a = contact_from(
        &client,
        "Missed call.",
        json!({ "phone": "(415) 555-0100", "role": "sender" }),
    );
    let b = contact_from(
        &client,
        "Voicemail.",
        json!({ "phone": "+1 415 555 0100", "role": "sender" }),
    );

    assert_eq!(a, b);
    let contact = get_contact(&client, &a);
    assert_eq!(contact["displayName"], "+14155550100", "{contact}");
    assert_eq!(
        identifier_values(&contact),
        ["phone:+14155550100"],
        "{contact}"
    );
}

#[test]
fn name_matches_only_in_its_conversation() {
    let user = register_test_user();
    let client = user.client();
    let in_conversation = |text: &str, conversation: &str, name: &str| {
        let body = json!({
            "text": text,
            "metadata": { "conversationId": conversation },
            "participants": [{ "name": name, "role": "sender" }],
        });
        contact_at(&create_memory(&client, &body), 0)
    };

    let first = in_conversation("See you at noon.", "c1", "John");
    let same_chat = in_conversation("Running late.", "c1", "john");
    let other_chat = in_conversation("Happy birthday!", "c2", "John");
    let no_chat = contact_from(
        &client,
        "John fixed the fence.",
        json!({ "name": "John", "role": "sender" }),
    );
    let no_chat_again = contact_from(
        &client,
        "John painted the fence.",
        json!({ "name": "John", "role": "sender" }),
    );

    assert_eq!(same_chat, first, "the same name in one conversation");
    assert_ne!(other_chat, first, "the same name in another conversation");
    assert_ne!(no_chat, first, "the same name without a conversation");
    assert_ne!(no_chat, other_chat, "the same name without a conversation");
    assert_eq!(no_chat_again, no_chat, "typed-in memories are one source");
}

#[test]
fn same_name_with_other_email_is_new_contact() {
    let user = register_test_user();
    let client = user.client();
    let in_chat = |text: &str, participant: Value| {
        let body = json!({
            "text": text,
            "metadata": { "conversationId": "book-club" },
            "participants": [participant],
        });
        contact_at(&create_memory(&client, &body), 0)
    };

    let first = in_chat(
        "Ann picked the next novel.",
        json!({ "name": "Ann", "email": "ann@one.example", "role": "sender" }),
    );
    let other = in_chat(
        "Ann hosts in May.",
        json!({ "name": "Ann", "email": "ann@two.example", "role": "sender" }),
    );
    let by_name = in_chat(
        "Ann brought cake.",
        json!({ "name": "Ann", "role": "sender" }),
    );

    assert_ne!(other, first, "a name matched despite another email");
    assert_eq!(by_name, first, "a bare name in the conversation");
}

#[test]
fn unnamed_contact_takes_first_real_name() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Newsletter signup.",
        json!({ "email": "kim@example.com", "role": "sender" }),
    );
    assert_eq!(get_contact(&client, &id)["displayName"], "kim@example.com");

    let named = contact_from(
        &client,
        "Kim sent the agenda.",
        json!({ "name": "Kim Park", "email": "kim@example.com", "role": "sender" }),
    );
    let renamed_again = contact_from(
        &client,
        "Kim sent the minutes.",
        json!({ "name": "K. Park", "email": "kim@example.com", "role": "sender" }),
    );

    assert_eq!(named, id);
    assert_eq!(renamed_again, id);
    let contact = get_contact(&client, &id);
    assert_eq!(contact["displayName"], "Kim Park", "{contact}");
}

#[test]
fn invalid_participants_return_400_and_store_nothing() {
    let cases = [
        (
            json!([{ "email": "not-an-address", "role": "sender" }]),
            "participants[0]: invalid email",
        ),
        (
            json!([{ "name": "Ok", "role": "sender" }, { "phone": "12", "role": "sender" }]),
            "participants[1]: invalid phone number \"12\"",
        ),
        (
            json!([{ "name": "A", "role": "boss" }]),
            "invalid role \"boss\"",
        ),
        (json!([{ "role": "sender" }]), "at least one of"),
        (json!([{ "name": "A", "role": "sender", "age": 3 }]), "age"),
        (json!([{ "name": "A" }]), "role"),
        (
            json!([{ "name": "x".repeat(201), "role": "sender" }]),
            "participants[0]: invalid name",
        ),
    ];
    let user = register_test_user();
    let client = user.client();
    for (participants, expected) in cases {
        let body = json!({ "text": "A memory with bad people.", "participants": participants });

        let response = client.post_json("/api/memories", &body);

        assert_error_mentions(&response, 400, expected);
    }
    let memories = client.get("/api/memories");
    assert_eq!(memories.json["total"], 0, "{memories}");
    let contacts = client.get("/api/contacts");
    assert_eq!(contacts.json["total"], 0, "{contacts}");
}

#[test]
fn more_than_100_participants_returns_400() {
    let user = register_test_user();
    let participants: Vec<Value> = (0..101)
        .map(|n| json!({ "email": format!("p{n}@example.com"), "role": "recipient" }))
        .collect();
    let body = json!({ "text": "Mailing list post.", "participants": participants });

    let response = user.client().post_json("/api/memories", &body);

    assert_error_mentions(&response, 400, "at most 100");
}

#[test]
fn phone_region_reads_national_numbers() {
    let user = register_test_user();
    let client = user.client();
    let london = json!({ "phone": "020 7946 0018", "role": "sender" });
    let as_us = client.post_json(
        "/api/memories",
        &json!({ "text": "Call from London.", "participants": [london] }),
    );
    assert_error_mentions(&as_us, 400, "020 7946 0018");

    let patched = client.patch_json("/api/me", &json!({ "phoneRegion": "gb" }));
    let id = contact_from(&client, "Call from London.", london);

    assert_eq!(patched.status, 200, "{patched}");
    assert_eq!(patched.json["phoneRegion"], "GB", "{patched}");
    assert_eq!(client.get("/api/me").json["phoneRegion"], "GB");
    let contact = get_contact(&client, &id);
    assert_eq!(contact["displayName"], "+442079460018", "{contact}");
}

#[test]
fn phone_region_defaults_to_us() {
    let user = register_test_user();

    let me = user.client().get("/api/me");

    assert_eq!(me.json["phoneRegion"], "US", "{me}");
}

#[test]
fn unknown_phone_region_returns_400() {
    let user = register_test_user();
    let client = user.client();

    let response = client.patch_json("/api/me", &json!({ "phoneRegion": "XX" }));

    assert_error_mentions(&response, 400, "XX");
    assert_eq!(client.get("/api/me").json["phoneRegion"], "US");
}

#[test]
fn profile_counts_contacts() {
    let user = register_test_user();
    let client = user.client();
    remember(
        &client,
        "Dinner with friends.",
        json!([
            { "name": "Dana", "role": "participant" },
            { "name": "Eve", "role": "participant" },
        ]),
    );

    let me = client.get("/api/me");

    assert_eq!(me.json["stats"]["contacts"], 2, "{me}");
}

#[test]
fn list_memories_filters_by_contact_id() {
    let user = register_test_user();
    let client = user.client();
    let dana = json!({ "name": "Dana", "role": "sender" });
    let eve = json!({ "name": "Eve", "role": "sender" });
    let older = create_memory(
        &client,
        &json!({ "text": "Dana lent me a ladder.", "eventTime": "2023-01-01T00:00:00Z",
                 "participants": [dana] }),
    );
    remember(&client, "Eve returned the drill.", json!([eve]));
    let newer = create_memory(
        &client,
        &json!({ "text": "Dana wants the ladder back.", "eventTime": "2024-01-01T00:00:00Z",
                 "participants": [dana] }),
    );
    let dana_id = contact_at(&older, 0);

    let response = client.get(&format!("/api/memories?contactId={dana_id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        item_ids(&response),
        [id_of(&newer), id_of(&older)],
        "{response}"
    );
    assert_eq!(response.json["total"], 2, "{response}");
}

#[test]
fn search_filter_finds_only_contacts_memories() {
    let user = register_test_user();
    let client = user.client();
    let lease = remember(
        &client,
        "The lease renewal is due in June.",
        json!([{ "name": "Dana", "role": "sender" }]),
    );
    let other = remember(
        &client,
        "The lease for the garage is due in June.",
        json!([{ "name": "Eve", "role": "sender" }]),
    );
    let dana = contact_at(&lease, 0);

    let unfiltered = search(&client, &json!({ "query": "lease due June" }));
    let filtered = search(
        &client,
        &json!({ "query": "lease due June", "filters": { "contactIds": [dana] } }),
    );

    assert!(
        item_ids(&unfiltered).contains(&id_of(&other)),
        "{unfiltered}"
    );
    assert_eq!(filtered.status, 200, "{filtered}");
    assert_eq!(item_ids(&filtered), [id_of(&lease)], "{filtered}");
}

#[test]
fn search_names_contacts_of_the_query() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Dana Whitfield asked about the boiler.",
        json!([
            { "name": "Dana Whitfield", "role": "sender" },
            { "name": "Eve Moss", "role": "recipient" },
            { "email": "boiler@service.example", "role": "mentioned" },
        ]),
    );
    let dana = contact_at(&memory, 0);

    let response = search(&client, &json!({ "query": "what did dana whitfield say" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json["parsed"]["contacts"],
        json!([{ "id": dana, "displayName": "Dana Whitfield" }]),
        "{response}"
    );
}

// ---------------------------------------------------------------------------------------------
// GET /api/contacts

#[test]
fn list_contacts_sort_ignores_case_and_accents() {
    let user = register_test_user();
    let client = user.client();
    remember(
        &client,
        "Dinner party guests.",
        json!([
            { "name": "Émile", "role": "participant" },
            { "name": "bob", "role": "participant" },
            { "name": "Alice", "role": "participant" },
        ]),
    );

    let response = client.get("/api/contacts");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        display_names(&response),
        ["Alice", "bob", "Émile"],
        "{response}"
    );
    assert_eq!(response.json["total"], 3, "{response}");
    assert_eq!(response.json["nextCursor"], Value::Null, "{response}");
}

#[test]
fn list_contacts_of_new_user_is_empty() {
    let user = register_test_user();

    let response = user.client().get("/api/contacts");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json,
        json!({ "items": [], "total": 0, "nextCursor": null }),
        "{response}"
    );
}

#[test]
fn list_contacts_pages_with_cursor() {
    let user = register_test_user();
    let client = user.client();
    remember(
        &client,
        "Choir rehearsal.",
        json!([
            { "name": "Ava", "role": "participant" },
            { "name": "Ben", "role": "participant" },
            { "name": "Cleo", "role": "participant" },
        ]),
    );

    let first = client.get("/api/contacts?limit=2");
    let cursor = first.json["nextCursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = client.get(&format!("/api/contacts?limit=2&cursor={cursor}"));

    assert_eq!(display_names(&first), ["Ava", "Ben"], "{first}");
    assert_eq!(first.json["total"], 3, "{first}");
    assert!(!cursor.is_empty(), "no nextCursor: {first}");
    assert_eq!(display_names(&second), ["Cleo"], "{second}");
    assert_eq!(second.json["total"], 3, "{second}");
    assert_eq!(second.json["nextCursor"], Value::Null, "{second}");
}

#[test]
fn list_contacts_cursor_past_end_is_empty() {
    let user = register_test_user();
    let client = user.client();
    contact_from(
        &client,
        "Only one person here.",
        json!({ "name": "Solo", "role": "sender" }),
    );

    let response = client.get("/api/contacts?cursor=5");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["items"], json!([]), "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
    assert_eq!(response.json["nextCursor"], Value::Null, "{response}");
}

#[test]
fn list_contacts_with_bad_limit_returns_400() {
    let user = register_test_user();
    let client = user.client();
    for limit in ["0", "201", "ten", "-1"] {
        let response = client.get(&format!("/api/contacts?limit={limit}"));

        assert_error_mentions(&response, 400, "limit");
    }
}

#[test]
fn list_contacts_with_bad_cursor_returns_400() {
    let user = register_test_user();
    let client = user.client();
    for cursor in ["-1", "abc", "1.5", "9223372036854775807"] {
        let response = client.get(&format!("/api/contacts?cursor={cursor}"));

        assert_error_mentions(&response, 400, "cursor");
    }
}

#[test]
fn head_on_contacts_returns_200_without_body() {
    let user = register_test_user();

    let response = user.client().send("HEAD", "/api/contacts", None);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.body, "", "{response}");
}

#[test]
fn contacts_need_credentials() {
    let response = Client::new().get("/api/contacts");

    assert_error(&response, 401);
}

// ---------------------------------------------------------------------------------------------
// GET, PATCH and DELETE /api/contacts/:id

#[test]
fn get_contact_returns_identifiers_and_memory_count() {
    let user = register_test_user();
    let client = user.client();
    let participant =
        json!({ "name": "Dana Whitfield", "email": "Dana@Example.com", "role": "sender" });
    let id = contact_from(&client, "Lease renewal.", participant.clone());
    contact_from(&client, "Lease signed.", participant);

    let contact = get_contact(&client, &id);

    assert_eq!(contact["id"], id.as_str(), "{contact}");
    assert_eq!(contact["displayName"], "Dana Whitfield", "{contact}");
    assert_eq!(contact["kind"], "person", "{contact}");
    assert_eq!(contact["memoryCount"], 2, "{contact}");
    assert_eq!(
        identifier_values(&contact),
        ["email:dana@example.com", "name:Dana Whitfield"],
        "{contact}"
    );
    let identifiers = contact["identifiers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for identifier in &identifiers {
        assert!(identifier["id"].is_string(), "{contact}");
        let fields = identifier.as_object().map(|o| o.len());
        assert_eq!(
            fields,
            Some(4),
            "expected id, type, value, connectorType: {contact}"
        );
    }
    let name = identifiers.iter().find(|i| i["type"] == "name");
    let connector = name.map(|i| i["connectorType"].clone());
    assert_eq!(connector, Some(json!("manual")), "{contact}");
    assert!(contact["createdAt"].is_string(), "{contact}");
    assert!(contact["updatedAt"].is_string(), "{contact}");
}

#[test]
fn get_unknown_contact_returns_404() {
    let user = register_test_user();

    let response = user.client().get("/api/contacts/con_doesnotexist");

    assert_error_mentions(&response, 404, "con_doesnotexist");
}

#[test]
fn patch_contact_changes_name_and_kind() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Quote for the roof.",
        json!([{ "email": "office@roofers.example", "role": "sender" }]),
    );
    let id = contact_at(&memory, 0);

    let response = client.patch_json(
        &format!("/api/contacts/{id}"),
        &json!({ "displayName": "  Acme   Roofers \u{200B}", "kind": "organization" }),
    );

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["displayName"], "Acme Roofers", "{response}");
    assert_eq!(response.json["kind"], "organization", "{response}");
    let contact = get_contact(&client, &id);
    assert_eq!(contact["displayName"], "Acme Roofers", "{contact}");
    assert_eq!(contact["kind"], "organization", "{contact}");
    let memory = client.get(&format!("/api/memories/{}", id_of(&memory)));
    assert_eq!(
        memory.json["contacts"][0]["displayName"], "Acme Roofers",
        "{memory}"
    );
    let found = search_contacts(&client, "acme");
    assert_eq!(item_ids(&found), [id], "{found}");
}

#[test]
fn patch_contact_keeps_fields_left_out() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Band practice.",
        json!({ "name": "The Quiet Ones", "role": "participant" }),
    );
    let path = format!("/api/contacts/{id}");
    let kind = client.patch_json(&path, &json!({ "kind": "group" }));
    assert_eq!(kind.status, 200, "{kind}");

    let response = client.patch_json(&path, &json!({ "displayName": "Quiet Ones" }));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["displayName"], "Quiet Ones", "{response}");
    assert_eq!(response.json["kind"], "group", "{response}");
}

#[test]
fn patch_contact_with_invalid_body_returns_400() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Coffee with Dana.",
        json!({ "name": "Dana", "role": "participant" }),
    );
    let path = format!("/api/contacts/{id}");
    let cases = [
        (json!({ "kind": "robot" }), "robot"),
        (json!({ "nickname": "D" }), "nickname"),
        (json!({ "displayName": " \u{200B} " }), "displayName"),
        (json!({ "displayName": "x".repeat(201) }), "displayName"),
        (json!({ "displayName": 7 }), "invalid type"),
    ];
    for (body, expected) in cases {
        let response = client.patch_json(&path, &body);

        assert_error_mentions(&response, 400, expected);
    }
    let contact = get_contact(&client, &id);
    assert_eq!(contact["displayName"], "Dana", "{contact}");
    assert_eq!(contact["kind"], "person", "{contact}");
}

#[test]
fn patch_unknown_contact_returns_404() {
    let user = register_test_user();

    let response = user.client().patch_json(
        "/api/contacts/con_doesnotexist",
        &json!({ "displayName": "Nobody" }),
    );

    assert_error(&response, 404);
}

#[test]
fn delete_contact_keeps_its_memories() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Dana recommended a dentist.",
        json!([{ "name": "Dana", "email": "dana@example.com", "role": "sender" }]),
    );
    let memory_id = id_of(&memory);
    let id = contact_at(&memory, 0);

    let response = client.delete(&format!("/api/contacts/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "deleted": true }), "{response}");
    assert_error(&client.get(&format!("/api/contacts/{id}")), 404);
    let kept = client.get(&format!("/api/memories/{memory_id}"));
    assert_eq!(kept.status, 200, "{kept}");
    assert_eq!(kept.json["contacts"], json!([]), "{kept}");
    let listed = client.get("/api/contacts");
    assert_eq!(listed.json["total"], 0, "{listed}");
}

#[test]
fn deleted_contact_delete_again_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Met Dana at the market.",
        json!({ "name": "Dana", "role": "participant" }),
    );
    let deleted = client.delete(&format!("/api/contacts/{id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let response = client.delete(&format!("/api/contacts/{id}"));

    assert_error(&response, 404);
}

#[test]
fn deleted_contacts_email_makes_new_contact() {
    let user = register_test_user();
    let client = user.client();
    let participant = json!({ "email": "dana@example.com", "role": "sender" });
    let id = contact_from(&client, "First note from Dana.", participant.clone());
    let deleted = client.delete(&format!("/api/contacts/{id}"));
    assert_eq!(deleted.status, 200, "{deleted}");

    let again = contact_from(&client, "Second note from Dana.", participant);

    assert_ne!(again, id);
    let contact = get_contact(&client, &again);
    assert_eq!(contact["memoryCount"], 1, "{contact}");
}

#[test]
fn deleted_memory_leaves_contact_count() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Dana's spare key is in the shed.",
        json!([{ "name": "Dana", "role": "sender" }]),
    );
    let id = contact_at(&memory, 0);
    let deleted = client.delete(&format!("/api/memories/{}", id_of(&memory)));
    assert_eq!(deleted.status, 200, "{deleted}");

    let contact = get_contact(&client, &id);
    let memories = client.get(&format!("/api/contacts/{id}/memories"));

    assert_eq!(contact["memoryCount"], 0, "{contact}");
    assert_eq!(memories.json["items"], json!([]), "{memories}");
}

// ---------------------------------------------------------------------------------------------
// GET /api/contacts/:id/memories

/// Stores three memories naming Dana, in 2022, 2024 and 2023, and one naming Eve. Returns
/// Dana's contact id and her memory ids, newest first.
fn make_dana_history(client: &Client) -> (String, Vec<String>) {
    let dana = json!({ "name": "Dana", "email": "dana@example.com", "role": "sender" });
    let at = |text: &str, time: &str, participant: &Value| {
        create_memory(
            client,
            &json!({ "text": text, "eventTime": time, "participants": [participant] }),
        )
    };
    let oldest = at("Dana moved in.", "2022-03-01T00:00:00Z", &dana);
    let newest = at("Dana moved out.", "2024-03-01T00:00:00Z", &dana);
    let middle = at("Dana renewed the lease.", "2023-03-01T00:00:00Z", &dana);
    let eve = json!({ "name": "Eve", "role": "sender" });
    at("Eve moved in next door.", "2023-06-01T00:00:00Z", &eve);
    let ids = vec![id_of(&newest), id_of(&middle), id_of(&oldest)];
    (contact_at(&oldest, 0), ids)
}

#[test]
fn contact_memories_list_newest_first() {
    let user = register_test_user();
    let client = user.client();
    let (dana, expected) = make_dana_history(&client);

    let response = client.get(&format!("/api/contacts/{dana}/memories"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(item_ids(&response), expected, "{response}");
    assert_eq!(response.json["total"], 3, "{response}");
    assert_eq!(response.json["nextCursor"], Value::Null, "{response}");
    let first = &response.json["items"][0];
    assert_eq!(first["contacts"][0]["id"], dana.as_str(), "{response}");
    assert_eq!(first["contacts"][0]["role"], "sender", "{response}");
}

#[test]
fn contact_memories_page_with_cursor() {
    let user = register_test_user();
    let client = user.client();
    let (dana, expected) = make_dana_history(&client);

    let first = client.get(&format!("/api/contacts/{dana}/memories?limit=2"));
    let cursor = first.json["nextCursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = client.get(&format!(
        "/api/contacts/{dana}/memories?limit=2&cursor={cursor}"
    ));

    assert_eq!(item_ids(&first), expected[..2], "{first}");
    assert!(!cursor.is_empty(), "no nextCursor: {first}");
    assert_eq!(item_ids(&second), expected[2..], "{second}");
    assert_eq!(second.json["nextCursor"], Value::Null, "{second}");
}

#[test]
fn contact_memories_with_bad_limit_returns_400() {
    let user = register_test_user();
    let client = user.client();
    let (dana, _) = make_dana_history(&client);

    let response = client.get(&format!("/api/contacts/{dana}/memories?limit=0"));

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn memories_of_unknown_contact_return_404() {
    let user = register_test_user();

    let response = user.client().get("/api/contacts/con_doesnotexist/memories");

    assert_error(&response, 404);
}

// ---------------------------------------------------------------------------------------------
// POST /api/contacts/search

#[test]
fn search_contacts_ignores_case_and_accents() {
    let user = register_test_user();
    let client = user.client();
    let zoe = contact_from(
        &client,
        "Zoë sent the photos.",
        json!({ "name": "Zoë Ångström", "email": "zoe@example.com", "role": "sender" }),
    );
    contact_from(
        &client,
        "Bob sent the map.",
        json!({ "name": "Bob", "role": "sender" }),
    );
    for query in ["zoe", "ANGSTROM", "Zoë", "ångström", "zoe@example"] {
        let response = search_contacts(&client, query);

        assert_eq!(response.status, 200, "{response}");
        assert_eq!(
            item_ids(&response),
            [zoe.as_str()],
            "query {query:?}: {response}"
        );
    }
}

#[test]
fn search_contacts_matches_identifiers() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Contact sheet for the trip.",
        json!([
            { "name": "Pat", "email": "pat.lee@travel.example", "role": "participant" },
            { "name": "Rui", "phone": "+1 415 555 0123", "role": "participant" },
            { "name": "Sam", "handle": "sammy_k", "role": "participant" },
        ]),
    );
    let id_named = |name: &str| {
        let contacts = memory["contacts"].as_array().cloned().unwrap_or_default();
        match contacts.iter().find(|c| c["displayName"] == name) {
            Some(contact) => id_of(contact),
            None => panic!("no {name} in {memory}"),
        }
    };
    let cases = [
        ("travel.example", id_named("Pat")),
        ("4155550123", id_named("Rui")),
        ("SAMMY_K", id_named("Sam")),
    ];
    for (query, expected) in cases {
        let response = search_contacts(&client, query);

        assert_eq!(
            item_ids(&response),
            [expected],
            "query {query:?}: {response}"
        );
    }
}

#[test]
fn search_contacts_lists_name_prefix_first() {
    let user = register_test_user();
    let client = user.client();
    remember(
        &client,
        "Ski trip group.",
        json!([
            { "name": "Hanna Lund", "role": "participant" },
            { "name": "Lunden", "role": "participant" },
            { "name": "Ola Berg", "role": "participant" },
        ]),
    );

    let response = search_contacts(&client, "lund");

    assert_eq!(
        display_names(&response),
        ["Lunden", "Hanna Lund"],
        "{response}"
    );
}

#[test]
fn search_contacts_respects_limit() {
    let user = register_test_user();
    let client = user.client();
    remember(
        &client,
        "The Berg family reunion.",
        json!([
            { "name": "Ada Berg", "role": "participant" },
            { "name": "Bo Berg", "role": "participant" },
            { "name": "Cy Berg", "role": "participant" },
        ]),
    );

    let response = client.post_json(
        "/api/contacts/search",
        &json!({ "query": "berg", "limit": 2 }),
    );

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        display_names(&response),
        ["Ada Berg", "Bo Berg"],
        "{response}"
    );
}

#[test]
fn search_contacts_treats_wildcards_literally() {
    let user = register_test_user();
    let client = user.client();
    contact_from(
        &client,
        "Lunch with Dana.",
        json!({ "name": "Dana", "email": "dana@example.com", "role": "sender" }),
    );
    for query in ["%", "_", "d%a"] {
        let response = search_contacts(&client, query);

        assert_eq!(response.status, 200, "{response}");
        assert_eq!(
            response.json["items"],
            json!([]),
            "query {query:?}: {response}"
        );
    }
}

#[test]
fn search_contacts_accepts_queries_up_to_the_limit() {
    let user = register_test_user();
    let client = user.client();
    let address = "firstname.lastname.department@subdivision.example.org";
    contact_from(
        &client,
        "Lunch with Dana.",
        json!({ "name": "Dana", "email": address, "role": "sender" }),
    );
    let found = search_contacts(&client, address);
    let longest = search_contacts(&client, &"日".repeat(200));

    assert_eq!(found.status, 200, "{found}");
    assert_eq!(item_ids(&found).len(), 1, "{found}");
    assert_eq!(longest.status, 200, "{longest}");
    assert_eq!(longest.json["items"], json!([]), "{longest}");
}

#[test]
fn search_contacts_with_invalid_body_returns_400() {
    let user = register_test_user();
    let client = user.client();
    let cases = [
        (json!({ "query": "  " }), "query"),
        (json!({ "query": "x".repeat(201) }), "query"),
        (json!({}), "query"),
        (json!({ "query": "dana", "limit": 0 }), "limit"),
        (json!({ "query": "dana", "limit": 101 }), "limit"),
        (json!({ "query": "dana", "fuzzy": true }), "fuzzy"),
    ];
    for (body, expected) in cases {
        let response = client.post_json("/api/contacts/search", &body);

        assert_error_mentions(&response, 400, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Suggestions and dismissals

#[test]
fn shared_email_makes_high_suggestion() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);

    let response = client.get("/api/contacts/suggestions");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        suggested_pairs(&response),
        [pair(&john, &john_smith)],
        "{response}"
    );
    let suggestion = &response.json["items"][0];
    assert_eq!(suggestion["confidence"], "high", "{response}");
    let reason = suggestion["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("john@example.com"), "{response}");
    let id = suggestion["id"].as_str().unwrap_or_default();
    assert!(id.starts_with("sug_"), "{response}");
    assert_eq!(response.json["total"], 1, "{response}");
    let listed = client.get("/api/contacts");
    assert_eq!(listed.json["total"], 2, "a suggestion merged: {listed}");
}

#[test]
fn same_name_with_other_emails_makes_low_suggestion() {
    let user = register_test_user();
    let client = user.client();
    let (first, second) = make_low_suggestion(&client);

    let response = client.get("/api/contacts/suggestions");

    assert_eq!(
        suggested_pairs(&response),
        [pair(&first, &second)],
        "{response}"
    );
    assert_eq!(response.json["items"][0]["confidence"], "low", "{response}");
    let reason = response.json["items"][0]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("Mary Jones"), "{response}");
}

#[test]
fn name_variants_make_low_suggestions() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Case notes from Baker Street.",
        json!([
            { "name": "Sherlock Holmes", "role": "participant" },
            { "name": "S. Holmes", "role": "participant" },
            { "name": "John Watson", "role": "participant" },
        ]),
    );
    let sherlock = contact_at(&memory, 0);
    let initial = contact_at(&memory, 1);

    let response = client.get("/api/contacts/suggestions");

    assert_eq!(
        suggested_pairs(&response),
        [pair(&sherlock, &initial)],
        "{response}"
    );
    assert_eq!(response.json["items"][0]["confidence"], "low", "{response}");
}

#[test]
fn suggestions_list_high_before_low() {
    let user = register_test_user();
    let client = user.client();
    let (low_a, low_b) = make_low_suggestion(&client);
    let (high_a, high_b) = make_high_suggestion(&client);

    let response = client.get("/api/contacts/suggestions");
    let limited = client.get("/api/contacts/suggestions?limit=1");

    assert_eq!(
        suggested_pairs(&response),
        [pair(&high_a, &high_b), pair(&low_a, &low_b)],
        "{response}"
    );
    assert_eq!(
        suggested_pairs(&limited),
        [pair(&high_a, &high_b)],
        "{limited}"
    );
    assert_eq!(limited.json["total"], 2, "{limited}");
    assert_eq!(limited.json["nextCursor"], "1", "{limited}");
    let next = client.get("/api/contacts/suggestions?limit=1&cursor=1");
    assert_eq!(suggested_pairs(&next), [pair(&low_a, &low_b)], "{next}");
    assert_eq!(next.json["nextCursor"], Value::Null, "{next}");
}

#[test]
fn people_alias_ignores_unknown_body_fields() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana dropped by.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let body = json!({ "displayName": "Dana W", "nickname": "D" });

    let strict = client.send_json("PATCH", &format!("/api/contacts/{id}"), &body);
    let lenient = client.send_json("PATCH", &format!("/api/people/{id}"), &body);

    assert_error_mentions(&strict, 400, "nickname");
    assert_eq!(lenient.status, 200, "{lenient}");
    assert_eq!(lenient.json["displayName"], "Dana W", "{lenient}");
}

#[test]
fn suggestions_with_bad_limit_return_400() {
    let user = register_test_user();

    let response = user.client().get("/api/contacts/suggestions?limit=0");

    assert_error_mentions(&response, 400, "limit");
}

#[test]
fn dismissed_suggestion_never_returns() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);

    // The ids go in the reverse of the order that the suggestion lists them in.
    let response = dismiss(&client, &john_smith, &john);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "dismissed": true }), "{response}");
    let after = client.get("/api/contacts/suggestions");
    assert_eq!(after.json["items"], json!([]), "{after}");
    // The same evidence seen again does not bring the pair back.
    let again = json!({
        "text": "Another ferry receipt from my work address.",
        "metadata": { "conversationId": "ferry-chat" },
        "participants": [{ "name": "John", "email": "john@example.com", "role": "sender" }],
    });
    create_memory(&client, &again);
    let later = client.get("/api/contacts/suggestions");
    assert_eq!(later.json["items"], json!([]), "{later}");
    let repeated = dismiss(&client, &john, &john_smith);
    assert_eq!(repeated.status, 200, "{repeated}");
}

#[test]
fn dismissing_one_pair_keeps_others() {
    let user = register_test_user();
    let client = user.client();
    let (low_a, low_b) = make_low_suggestion(&client);
    let (high_a, high_b) = make_high_suggestion(&client);

    let response = dismiss(&client, &low_a, &low_b);

    assert_eq!(response.status, 200, "{response}");
    let after = client.get("/api/contacts/suggestions");
    assert_eq!(suggested_pairs(&after), [pair(&high_a, &high_b)], "{after}");
}

#[test]
fn dismiss_self_pair_returns_422() {
    let user = register_test_user();
    let client = user.client();
    let (john, _) = make_high_suggestion(&client);

    let response = dismiss(&client, &john, &john);

    assert_error_mentions(&response, 422, &john);
}

#[test]
fn dismiss_unknown_contact_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let (john, _) = make_high_suggestion(&client);

    let response = dismiss(&client, &john, "con_doesnotexist");

    assert_error_mentions(&response, 404, "con_doesnotexist");
}

#[test]
fn dismiss_with_invalid_body_returns_400() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);
    let cases = [
        (json!({ "contactAId": john }), "contactBId"),
        (
            json!({ "contactAId": john, "contactBId": john_smith, "reason": "no" }),
            "reason",
        ),
    ];
    for (body, expected) in cases {
        let response = client.post_json("/api/contacts/suggestions/dismiss", &body);

        assert_error_mentions(&response, 400, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/contacts/:id/merge

#[test]
fn merge_moves_identifiers_and_links_with_roles() {
    let user = register_test_user();
    let client = user.client();
    let first = create_memory(
        &client,
        &json!({ "text": "Dana sent the lease.", "eventTime": "2024-01-01T00:00:00Z",
                 "participants": [{ "name": "Dana", "email": "dana@example.com",
                                    "role": "sender" }] }),
    );
    let second = create_memory(
        &client,
        &json!({ "text": "Texted the landlord.", "eventTime": "2024-02-01T00:00:00Z",
                 "participants": [{ "phone": "+14155550100", "handle": "dana.w",
                                    "role": "recipient" }] }),
    );
    let target = contact_at(&first, 0);
    let source = contact_at(&second, 0);

    let response = merge(&client, &target, &source);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], target.as_str(), "{response}");
    assert_eq!(response.json["displayName"], "Dana", "{response}");
    assert_eq!(response.json["memoryCount"], 2, "{response}");
    assert_eq!(
        identifier_values(&response.json),
        [
            "email:dana@example.com",
            "handle:dana.w",
            "name:Dana",
            "phone:+14155550100"
        ],
        "{response}"
    );
    assert_error(&client.get(&format!("/api/contacts/{source}")), 404);
    let memories = client.get(&format!("/api/contacts/{target}/memories"));
    assert_eq!(
        item_ids(&memories),
        [id_of(&second), id_of(&first)],
        "{memories}"
    );
    let moved = client.get(&format!("/api/memories/{}", id_of(&second)));
    assert_eq!(
        moved.json["contacts"],
        json!([{ "id": target, "displayName": "Dana", "role": "recipient" }]),
        "{moved}"
    );
    let listed = client.get("/api/contacts");
    assert_eq!(item_ids(&listed), [target], "{listed}");
}

#[test]
fn merged_identifiers_resolve_to_target() {
    let user = register_test_user();
    let client = user.client();
    let target = contact_from(
        &client,
        "Dana sent the lease.",
        json!({ "name": "Dana", "email": "dana@example.com", "role": "sender" }),
    );
    let source = contact_from(
        &client,
        "Missed call from the landlord.",
        json!({ "phone": "+14155550100", "role": "sender" }),
    );
    let merged = merge(&client, &target, &source);
    assert_eq!(merged.status, 200, "{merged}");

    let later = contact_from(
        &client,
        "Another missed call.",
        json!({ "phone": "(415) 555-0100", "role": "sender" }),
    );

    assert_eq!(later, target);
    assert_eq!(get_contact(&client, &target)["memoryCount"], 3);
}

#[test]
fn merge_keeps_both_roles_in_one_memory() {
    let user = register_test_user();
    let client = user.client();
    let memory = remember(
        &client,
        "Dana forwarded her own text message.",
        json!([
            { "name": "Dana", "email": "dana@example.com", "role": "sender" },
            { "phone": "+14155550100", "role": "recipient" },
        ]),
    );
    let target = contact_at(&memory, 0);
    let source = contact_at(&memory, 1);

    let response = merge(&client, &target, &source);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["memoryCount"], 1, "{response}");
    let merged = client.get(&format!("/api/memories/{}", id_of(&memory)));
    assert_eq!(
        names_and_roles(&merged.json),
        [
            ("Dana".to_owned(), "recipient".to_owned()),
            ("Dana".to_owned(), "sender".to_owned()),
        ],
        "{merged}"
    );
    let contacts = merged.json["contacts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        contacts.iter().all(|c| c["id"] == target.as_str()),
        "{merged}"
    );
}

#[test]
fn merge_into_unnamed_contact_takes_source_name() {
    let user = register_test_user();
    let client = user.client();
    let target = contact_from(
        &client,
        "Receipt from the bike shop.",
        json!({ "email": "shop@bikes.example", "role": "sender" }),
    );
    let source = contact_from(
        &client,
        "Pia fixed the gears.",
        json!({ "name": "Pia", "role": "sender" }),
    );

    let response = merge(&client, &target, &source);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["displayName"], "Pia", "{response}");
}

#[test]
fn merge_removes_suggestion_of_the_pair() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);

    let response = merge(&client, &john_smith, &john);

    assert_eq!(response.status, 200, "{response}");
    let after = client.get("/api/contacts/suggestions");
    assert_eq!(after.json["items"], json!([]), "{after}");
}

#[test]
fn racing_opposite_merges_keep_one_contact_with_everything() {
    let user = register_test_user();
    let client = user.client();
    let a = contact_from(
        &client,
        "Alpha wrote.",
        json!({ "name": "Alpha", "email": "alpha@example.com", "role": "sender" }),
    );
    let b = contact_from(
        &client,
        "Beta wrote.",
        json!({ "name": "Beta", "email": "beta@example.com", "role": "sender" }),
    );

    let (into_b, into_a) = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let body = json!({ "sourceId": a });
            user.client()
                .post_json(&format!("/api/contacts/{b}/merge"), &body)
        });
        let second = scope.spawn(|| {
            let body = json!({ "sourceId": b });
            user.client()
                .post_json(&format!("/api/contacts/{a}/merge"), &body)
        });
        (
            first.join().expect("merge thread"),
            second.join().expect("merge thread"),
        )
    });

    let mut statuses = [into_b.status, into_a.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 404], "{into_b} / {into_a}");
    let listed = client.get("/api/contacts");
    assert_eq!(listed.json["total"], 1, "{listed}");
    let survivor = &listed.json["items"][0];
    let values = identifier_values(survivor);
    assert!(
        values.contains(&"email:alpha@example.com".to_owned()),
        "{listed}"
    );
    assert!(
        values.contains(&"email:beta@example.com".to_owned()),
        "{listed}"
    );
    assert_eq!(survivor["memoryCount"], 2, "{listed}");
}

#[test]
fn merge_into_itself_returns_422() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana called.",
        json!({ "name": "Dana", "role": "sender" }),
    );

    let response = merge(&client, &id, &id);

    assert_error_mentions(&response, 422, &id);
    assert_eq!(get_contact(&client, &id)["memoryCount"], 1);
}

#[test]
fn merge_with_missing_source_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana called again.",
        json!({ "name": "Dana", "role": "sender" }),
    );

    let response = merge(&client, &id, "con_doesnotexist");

    assert_error_mentions(&response, 404, "con_doesnotexist");
}

#[test]
fn merge_into_missing_target_returns_404() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana wrote.",
        json!({ "name": "Dana", "role": "sender" }),
    );

    let response = merge(&client, "con_doesnotexist", &id);

    assert_error_mentions(&response, 404, "con_doesnotexist");
    assert_eq!(get_contact(&client, &id)["memoryCount"], 1);
}

#[test]
fn merge_with_invalid_body_returns_400() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana wrote twice.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let path = format!("/api/contacts/{id}/merge");
    let cases = [
        (json!({}), "sourceId"),
        (json!({ "sourceId": 5 }), "invalid type"),
        (json!({ "sourceId": "con_x", "force": true }), "force"),
    ];
    for (body, expected) in cases {
        let response = client.post_json(&path, &body);

        assert_error_mentions(&response, 400, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/contacts/normalize

#[test]
fn normalize_of_clean_contacts_changes_nothing() {
    let user = register_test_user();
    let client = user.client();
    make_low_suggestion(&client);
    contact_from(
        &client,
        "Dana texted.",
        json!({ "phone": "(415) 555-0100", "role": "sender" }),
    );

    let response = client.post_json("/api/contacts/normalize", &json!({}));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json,
        json!({ "normalized": 0, "merged": 0 }),
        "{response}"
    );
    // Two people who share a name stay two.
    let listed = client.get("/api/contacts");
    assert_eq!(listed.json["total"], 3, "{listed}");
}

#[test]
fn normalize_without_contacts_returns_zero_counts() {
    let user = register_test_user();

    let response = user.client().send("POST", "/api/contacts/normalize", None);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        response.json,
        json!({ "normalized": 0, "merged": 0 }),
        "{response}"
    );
}

// ---------------------------------------------------------------------------------------------
// Methods and routes

#[test]
fn wrong_methods_return_405_with_allow() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana visited.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let cases = [
        ("POST", "/api/contacts".to_owned(), "GET, HEAD"),
        ("PUT", "/api/contacts".to_owned(), "GET, HEAD"),
        (
            "DELETE",
            "/api/contacts/suggestions".to_owned(),
            "GET, HEAD",
        ),
        (
            "GET",
            "/api/contacts/suggestions/dismiss".to_owned(),
            "POST",
        ),
        ("GET", "/api/contacts/search".to_owned(), "POST"),
        ("GET", "/api/contacts/normalize".to_owned(), "POST"),
        (
            "POST",
            format!("/api/contacts/{id}"),
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            "PUT",
            format!("/api/contacts/{id}"),
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            "DELETE",
            format!("/api/contacts/{id}/memories"),
            "GET, HEAD",
        ),
        ("GET", format!("/api/contacts/{id}/merge"), "POST"),
    ];
    for (method, path, allow) in cases {
        let response = client.send_json(method, &path, &json!({}));

        assert_error(&response, 405);
        assert_eq!(response.header("allow"), Some(allow), "{response}");
    }
}

#[test]
fn unknown_contact_routes_return_404() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana left a note.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let paths = [
        format!("/api/contacts/{id}/identifiers"),
        format!("/api/contacts/{id}/memories/extra"),
        "/api/contacts/suggestions/accept".to_owned(),
        "/api/contacts/a/b/c".to_owned(),
    ];
    for path in paths {
        let response = client.get(&path);

        assert_error_mentions(&response, 404, "route");
    }
}

#[test]
fn trailing_slash_reaches_same_contact() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana waved.",
        json!({ "name": "Dana", "role": "sender" }),
    );

    let response = client.get(&format!("/api/contacts/{id}/"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], id.as_str(), "{response}");
}

// ---------------------------------------------------------------------------------------------
// API keys

#[test]
fn read_key_can_read_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (john, _) = make_high_suggestion(&client);
    let key = key_client(&user, &["read"]);
    let paths = [
        "/api/contacts".to_owned(),
        format!("/api/contacts/{john}"),
        format!("/api/contacts/{john}/memories"),
        "/api/contacts/suggestions".to_owned(),
    ];
    for path in paths {
        let response = key.get(&path);

        assert_eq!(response.status, 200, "{response}");
        assert_eq!(response.json, client.get(&path).json, "{response}");
    }

    let found = search_contacts(&key, "john");

    assert_eq!(found.status, 200, "{found}");
    assert_eq!(
        found.json["items"].as_array().map(Vec::len),
        Some(2),
        "{found}"
    );
}

#[test]
fn read_key_cannot_change_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);
    let key = key_client(&user, &["read"]);
    for (method, path, body) in change_requests("/api/contacts", &john, &john_smith) {
        let response = key.send_json(method, &path, &body);

        assert_error_mentions(&response, 403, "read scope");
    }
    let contact = get_contact(&client, &john);
    assert_eq!(contact["displayName"], "John", "{contact}");
    let suggestions = client.get("/api/contacts/suggestions");
    assert_eq!(suggestions.json["total"], 1, "{suggestions}");
}

#[test]
fn write_key_can_change_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);
    let key = key_client(&user, &["read", "write"]);

    let renamed = key.patch_json(
        &format!("/api/contacts/{john}"),
        &json!({ "displayName": "Johnny" }),
    );
    let merged = merge(&key, &john_smith, &john);

    assert_eq!(renamed.status, 200, "{renamed}");
    assert_eq!(merged.status, 200, "{merged}");
    assert_eq!(merged.json["memoryCount"], 3, "{merged}");
}

/// Stores a memory in the default bank naming Dana and "Sam Carter" (sam@one.example), and
/// one in a new bank "Assistant" naming Dana, Eve, another "Sam Carter" (sam@two.example),
/// "Sherlock Holmes" and "S. Holmes". Returns the bank id and the memory in "Assistant".
fn make_two_banks(client: &Client) -> (String, Value) {
    let bank = create_bank(client, "Assistant");
    create_memory(
        client,
        &json!({
            "text": "Quarterly budget review.",
            "participants": [
                { "name": "Dana Whitfield", "email": "dana@example.com", "role": "sender" },
                { "name": "Sam Carter", "email": "sam@one.example", "role": "recipient" },
            ],
        }),
    );
    let shared = create_memory(
        client,
        &json!({
            "text": "Plan the assistant's weekly digest.",
            "memoryBankId": bank,
            "participants": [
                { "name": "Dana Whitfield", "email": "dana@example.com", "role": "sender" },
                { "name": "Eve Moss", "email": "eve@example.com", "role": "recipient" },
                { "name": "Sam Carter", "email": "sam@two.example", "role": "recipient" },
                { "name": "Sherlock Holmes", "role": "mentioned" },
                { "name": "S. Holmes", "role": "mentioned" },
            ],
        }),
    );
    (bank, shared)
}

#[test]
fn bank_key_sees_only_contacts_of_its_banks() {
    let user = register_test_user();
    let client = user.client();
    let (bank, shared) = make_two_banks(&client);
    let key = bank_key_client(&user, &[&bank]);

    let mine = client.get("/api/contacts");
    let listed = key.get("/api/contacts");

    assert_eq!(mine.json["total"], 6, "{mine}");
    assert_eq!(
        display_names(&listed),
        [
            "Dana Whitfield",
            "Eve Moss",
            "S. Holmes",
            "Sam Carter",
            "Sherlock Holmes"
        ],
        "{listed}"
    );
    assert_eq!(listed.json["total"], 5, "{listed}");
    let sams: Vec<&Value> = listed.json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|c| c["displayName"] == "Sam Carter")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        identifier_values(sams[0])[0],
        "email:sam@two.example",
        "{listed}"
    );
    let dana = contact_at(&shared, 0);
    let through_key = key.get(&format!("/api/contacts/{dana}"));
    assert_eq!(through_key.json["memoryCount"], 1, "{through_key}");
    assert_eq!(get_contact(&client, &dana)["memoryCount"], 2);
    let memories = key.get(&format!("/api/contacts/{dana}/memories"));
    assert_eq!(item_ids(&memories), [id_of(&shared)], "{memories}");
    let profile = key.get("/api/me");
    assert_eq!(profile.json["stats"]["contacts"], 5, "{profile}");
}

#[test]
fn bank_key_hides_other_banks_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (bank, _) = make_two_banks(&client);
    let key = bank_key_client(&user, &[&bank]);
    let found = search_contacts(&client, "sam@one");
    let outside = item_ids(&found).pop().unwrap_or_default();
    assert!(!outside.is_empty(), "{found}");

    let got = key.get(&format!("/api/contacts/{outside}"));
    let memories = key.get(&format!("/api/contacts/{outside}/memories"));
    let searched = search_contacts(&key, "sam@one");

    assert_error(&got, 404);
    assert_error(&memories, 404);
    assert_eq!(searched.status, 200, "{searched}");
    assert_eq!(searched.json["items"], json!([]), "{searched}");
}

#[test]
fn bank_key_suggestions_need_both_contacts_visible() {
    let user = register_test_user();
    let client = user.client();
    let (bank, _) = make_two_banks(&client);
    let key = bank_key_client(&user, &[&bank]);

    let mine = client.get("/api/contacts/suggestions");
    let through_key = key.get("/api/contacts/suggestions");

    assert_eq!(mine.json["total"], 2, "{mine}");
    assert_eq!(through_key.status, 200, "{through_key}");
    assert_eq!(through_key.json["total"], 1, "{through_key}");
    let names = [
        through_key.json["items"][0]["contactA"]["displayName"].clone(),
        through_key.json["items"][0]["contactB"]["displayName"].clone(),
    ];
    assert!(names.contains(&json!("S. Holmes")), "{through_key}");
    assert!(names.contains(&json!("Sherlock Holmes")), "{through_key}");
}

#[test]
fn bank_key_cannot_change_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (bank, shared) = make_two_banks(&client);
    let key = bank_key_client(&user, &[&bank]);
    let dana = contact_at(&shared, 0);
    let eve = contact_at(&shared, 1);
    for (method, path, body) in change_requests("/api/contacts", &dana, &eve) {
        let response = key.send_json(method, &path, &body);

        assert_error_mentions(&response, 403, "memory banks");
    }
    let contact = get_contact(&client, &dana);
    assert_eq!(contact["displayName"], "Dana Whitfield", "{contact}");
    assert_eq!(get_contact(&client, &eve)["memoryCount"], 1);
}

// ---------------------------------------------------------------------------------------------
// Two users

#[test]
fn other_users_contact_returns_404_everywhere() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = contact_from(
        &alice.client(),
        "Dana's door code.",
        json!({ "name": "Dana", "email": "dana@example.com", "role": "sender" }),
    );
    let bobs = contact_from(
        &bob.client(),
        "Eve's door code.",
        json!({ "name": "Eve", "email": "eve@example.com", "role": "sender" }),
    );
    let cases = [
        ("read", "GET", format!("/api/contacts/{alices}"), json!({})),
        (
            "memories",
            "GET",
            format!("/api/contacts/{alices}/memories"),
            json!({}),
        ),
        (
            "patch",
            "PATCH",
            format!("/api/contacts/{alices}"),
            json!({ "displayName": "Mallory" }),
        ),
        (
            "delete",
            "DELETE",
            format!("/api/contacts/{alices}"),
            json!({}),
        ),
        (
            "merge as source",
            "POST",
            format!("/api/contacts/{bobs}/merge"),
            json!({ "sourceId": alices }),
        ),
        (
            "merge as target",
            "POST",
            format!("/api/contacts/{alices}/merge"),
            json!({ "sourceId": bobs }),
        ),
        (
            "dismiss as first",
            "POST",
            "/api/contacts/suggestions/dismiss".to_owned(),
            json!({ "contactAId": alices, "contactBId": bobs }),
        ),
        (
            "dismiss as second",
            "POST",
            "/api/contacts/suggestions/dismiss".to_owned(),
            json!({ "contactAId": bobs, "contactBId": alices }),
        ),
    ];
    for (case, method, path, body) in cases {
        let response = bob.client().send_json(method, &path, &body);

        assert_eq!(response.status, 404, "{case}: {response}");
        assert_error_mentions(&response, 404, &alices);
    }
    let alices_contact = get_contact(&alice.client(), &alices);
    assert_eq!(alices_contact["displayName"], "Dana", "{alices_contact}");
    assert_eq!(alices_contact["memoryCount"], 1, "{alices_contact}");
    let bobs_contact = get_contact(&bob.client(), &bobs);
    assert_eq!(
        identifier_values(&bobs_contact),
        ["email:eve@example.com", "name:Eve"],
        "{bobs_contact}"
    );
}

#[test]
fn foreign_and_unknown_contact_ids_look_alike() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = contact_from(
        &alice.client(),
        "Dana's locker number.",
        json!({ "name": "Dana", "role": "sender" }),
    );

    let foreign = bob.client().get(&format!("/api/contacts/{alices}"));
    let unknown = bob.client().get("/api/contacts/con_doesnotexist");

    let masked =
        |response: &ApiResponse, id: &str| response.json["error"].to_string().replace(id, "ID");
    assert_eq!(foreign.status, unknown.status, "{foreign} vs {unknown}");
    assert_eq!(
        masked(&foreign, &alices),
        masked(&unknown, "con_doesnotexist"),
        "{foreign} vs {unknown}"
    );
}

#[test]
fn other_users_contacts_never_listed() {
    let alice = register_test_user();
    let bob = register_test_user();
    make_low_suggestion(&alice.client());
    let bobs = contact_from(
        &bob.client(),
        "Mary Jones fixed the sink.",
        json!({ "name": "Mary Jones", "email": "mary@three.example", "role": "sender" }),
    );

    let listed = bob.client().get("/api/contacts");
    let searched = search_contacts(&bob.client(), "mary");
    let by_email = search_contacts(&bob.client(), "mary@one");
    let suggestions = bob.client().get("/api/contacts/suggestions");

    assert_eq!(item_ids(&listed), [bobs.as_str()], "{listed}");
    assert_eq!(listed.json["total"], 1, "{listed}");
    assert_eq!(item_ids(&searched), [bobs], "{searched}");
    assert_eq!(by_email.json["items"], json!([]), "{by_email}");
    // Alice's two Mary Joneses would pair with Bob's if suggestions crossed users.
    assert_eq!(suggestions.json["items"], json!([]), "{suggestions}");
    assert_eq!(bob.client().get("/api/me").json["stats"]["contacts"], 1);
}

#[test]
fn same_email_for_two_users_makes_two_contacts() {
    let alice = register_test_user();
    let bob = register_test_user();
    let participant = json!({ "name": "Dana", "email": "dana@example.com", "role": "sender" });

    let alices = contact_from(&alice.client(), "Dana for Alice.", participant.clone());
    let bobs = contact_from(&bob.client(), "Dana for Bob.", participant);

    assert_ne!(alices, bobs);
    assert_eq!(get_contact(&alice.client(), &alices)["memoryCount"], 1);
    assert_eq!(get_contact(&bob.client(), &bobs)["memoryCount"], 1);
}

#[test]
fn search_filter_with_other_users_contact_finds_nothing() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = contact_from(
        &alice.client(),
        "The allotment gate code changed.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let own = create_memory(
        &bob.client(),
        &json!({ "text": "The allotment gate code is on the shed." }),
    );

    let unfiltered = search(&bob.client(), &json!({ "query": "allotment gate code" }));
    let filtered = search(
        &bob.client(),
        &json!({ "query": "allotment gate code", "filters": { "contactIds": [alices] } }),
    );
    let listed = bob
        .client()
        .get(&format!("/api/memories?contactId={alices}"));

    assert_eq!(item_ids(&unfiltered), [id_of(&own)], "{unfiltered}");
    let named = search(&bob.client(), &json!({ "query": "what did dana write" }));
    assert_eq!(named.json["parsed"]["contacts"], json!([]), "{named}");
    assert_eq!(filtered.status, 200, "{filtered}");
    assert_eq!(filtered.json["items"], json!([]), "{filtered}");
    assert_eq!(listed.json["items"], json!([]), "{listed}");
    assert_eq!(listed.json["total"], 0, "{listed}");
}

// ---------------------------------------------------------------------------------------------
// The /api/people alias, which shipped Botmem clients call

#[test]
fn people_reads_match_contacts_reads() {
    let user = register_test_user();
    let client = user.client();
    let (john, _) = make_high_suggestion(&client);
    let reads = [
        ("GET", String::new(), Value::Null),
        ("GET", "?limit=1".to_owned(), Value::Null),
        ("GET", format!("/{john}"), Value::Null),
        ("GET", format!("/{john}/memories"), Value::Null),
        ("GET", "/suggestions".to_owned(), Value::Null),
        ("POST", "/search".to_owned(), json!({ "query": "john" })),
    ];
    for (method, suffix, body) in reads {
        let contacts = client.send_json(method, &format!("/api/contacts{suffix}"), &body);

        let people = client.send_json(method, &format!("/api/people{suffix}"), &body);

        assert_eq!(contacts.status, 200, "{contacts}");
        assert_eq!(people.status, 200, "{people}");
        assert_eq!(people.json, contacts.json, "{people} vs {contacts}");
    }
}

#[test]
fn people_changes_reach_contacts() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);
    let other = contact_from(
        &client,
        "Pia fixed the gears.",
        json!({ "name": "Pia", "role": "sender" }),
    );

    let renamed = client.patch_json(
        &format!("/api/people/{john}"),
        &json!({ "displayName": "Johnny", "kind": "person" }),
    );
    let dismissed = client.post_json(
        "/api/people/suggestions/dismiss",
        &json!({ "contactAId": john, "contactBId": john_smith }),
    );
    let merged = client.post_json(
        &format!("/api/people/{john_smith}/merge"),
        &json!({ "sourceId": john }),
    );
    let normalized = client.post_json("/api/people/normalize", &json!({}));
    let deleted = client.delete(&format!("/api/people/{other}"));

    assert_eq!(renamed.status, 200, "{renamed}");
    assert_eq!(renamed.json["displayName"], "Johnny", "{renamed}");
    assert_eq!(dismissed.json, json!({ "dismissed": true }), "{dismissed}");
    assert_eq!(merged.status, 200, "{merged}");
    assert_eq!(merged.json["memoryCount"], 3, "{merged}");
    assert_eq!(
        normalized.json,
        json!({ "normalized": 0, "merged": 0 }),
        "{normalized}"
    );
    assert_eq!(deleted.json, json!({ "deleted": true }), "{deleted}");
    let listed = client.get("/api/contacts");
    assert_eq!(item_ids(&listed), [john_smith], "{listed}");
}

#[test]
fn people_errors_match_contacts_errors() {
    let user = register_test_user();
    let client = user.client();
    let id = contact_from(
        &client,
        "Dana dropped by.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let cases = [
        ("GET", "?limit=0".to_owned(), json!({}), 400),
        ("GET", "?cursor=abc".to_owned(), json!({}), 400),
        ("GET", "/con_doesnotexist".to_owned(), json!({}), 404),
        ("GET", format!("/{id}/identifiers"), json!({}), 404),
        ("PATCH", format!("/{id}"), json!({ "kind": "robot" }), 400),
        ("POST", "/search".to_owned(), json!({ "query": " " }), 400),
        (
            "POST",
            format!("/{id}/merge"),
            json!({ "sourceId": id }),
            422,
        ),
        (
            "POST",
            "/suggestions/dismiss".to_owned(),
            json!({ "contactAId": id, "contactBId": id }),
            422,
        ),
        ("PUT", String::new(), json!({}), 405),
        ("POST", format!("/{id}"), json!({}), 405),
        ("GET", "/normalize".to_owned(), json!({}), 405),
    ];
    for (method, suffix, body, status) in cases {
        let contacts = client.send_json(method, &format!("/api/contacts{suffix}"), &body);

        let people = client.send_json(method, &format!("/api/people{suffix}"), &body);

        assert_error(&people, status);
        assert_eq!(people.error(), contacts.error(), "{people} vs {contacts}");
        assert_eq!(
            people.header("allow"),
            contacts.header("allow"),
            "{people} vs {contacts}"
        );
    }
    let contact = get_contact(&client, &id);
    assert_eq!(contact["displayName"], "Dana", "{contact}");
}

#[test]
fn read_key_on_people_only_reads() {
    let user = register_test_user();
    let client = user.client();
    let (john, john_smith) = make_high_suggestion(&client);
    let key = key_client(&user, &["read"]);
    let allowed = [
        ("GET", format!("/api/people/{john}"), json!({})),
        ("GET", "/api/people/suggestions".to_owned(), json!({})),
        (
            "POST",
            "/api/people/search".to_owned(),
            json!({ "query": "john" }),
        ),
    ];
    for (method, path, body) in allowed {
        let response = key.send_json(method, &path, &body);

        assert_eq!(response.status, 200, "{response}");
    }
    for (method, path, body) in change_requests("/api/people", &john, &john_smith) {
        let response = key.send_json(method, &path, &body);

        assert_error_mentions(&response, 403, "read scope");
    }
    let contact = get_contact(&client, &john);
    assert_eq!(contact["displayName"], "John", "{contact}");
}

#[test]
fn bank_key_on_people_sees_only_its_banks() {
    let user = register_test_user();
    let client = user.client();
    let (bank, shared) = make_two_banks(&client);
    let key = bank_key_client(&user, &[&bank]);
    let dana = contact_at(&shared, 0);
    let eve = contact_at(&shared, 1);

    let listed = key.get("/api/people");

    assert_eq!(listed.json["total"], 5, "{listed}");
    for (method, path, body) in change_requests("/api/people", &dana, &eve) {
        let response = key.send_json(method, &path, &body);

        assert_error_mentions(&response, 403, "memory banks");
    }
    let contact = get_contact(&client, &dana);
    assert_eq!(contact["displayName"], "Dana Whitfield", "{contact}");
}

#[test]
fn other_users_contact_through_people_returns_404() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = contact_from(
        &alice.client(),
        "Dana's bike lock code.",
        json!({ "name": "Dana", "role": "sender" }),
    );
    let bobs = contact_from(
        &bob.client(),
        "Eve's bike lock code.",
        json!({ "name": "Eve", "role": "sender" }),
    );
    let cases = [
        ("GET", format!("/api/people/{alices}"), json!({})),
        ("GET", format!("/api/people/{alices}/memories"), json!({})),
        (
            "PATCH",
            format!("/api/people/{alices}"),
            json!({ "displayName": "Mallory" }),
        ),
        ("DELETE", format!("/api/people/{alices}"), json!({})),
        (
            "POST",
            format!("/api/people/{bobs}/merge"),
            json!({ "sourceId": alices }),
        ),
        (
            "POST",
            "/api/people/suggestions/dismiss".to_owned(),
            json!({ "contactAId": bobs, "contactBId": alices }),
        ),
    ];
    for (method, path, body) in cases {
        let response = bob.client().send_json(method, &path, &body);

        assert_error_mentions(&response, 404, &alices);
    }
    let searched = bob
        .client()
        .post_json("/api/people/search", &json!({ "query": "dana" }));
    assert_eq!(searched.json["items"], json!([]), "{searched}");
    assert_eq!(get_contact(&alice.client(), &alices)["displayName"], "Dana");
}
