//! `GET /api/memories/graph` over HTTP: memory, contact and entity nodes, the four kinds of
//! edges, the stated limits, bank scopes, isolation between users and bad input.

mod common;

use botmem_e2e::{register_test_user, ApiResponse, Client};
use common::{
    assert_error, assert_error_mentions, bank_key_client, create_bank, create_memory,
    default_bank_id, id_of,
};
use serde_json::{json, Value};

fn get_graph(client: &Client, query: &str) -> ApiResponse {
    client.get(&format!("/api/memories/graph{query}"))
}

/// Returns the body of a graph request that must succeed.
fn graph_of(client: &Client, query: &str) -> Value {
    let response = get_graph(client, query);
    assert_eq!(response.status, 200, "{response}");
    response.json
}

fn nodes_of_kind<'a>(graph: &'a Value, kind: &str) -> Vec<&'a Value> {
    let nodes = graph["nodes"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    nodes.iter().filter(|node| node["kind"] == kind).collect()
}

fn edges_of_kind<'a>(graph: &'a Value, kind: &str) -> Vec<&'a Value> {
    let edges = graph["edges"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    edges.iter().filter(|edge| edge["kind"] == kind).collect()
}

fn node_ids(nodes: &[&Value]) -> Vec<String> {
    nodes.iter().map(|node| id_of(node)).collect()
}

/// Returns `(source, target)` of each edge, in order.
fn endpoints(edges: &[&Value]) -> Vec<(String, String)> {
    edges
        .iter()
        .map(|edge| {
            (
                edge["source"].as_str().unwrap_or_default().to_owned(),
                edge["target"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Stores a memory with `text` at `event_time` and returns its id.
fn store_at(client: &Client, text: &str, event_time: &str) -> String {
    id_of(&create_memory(
        client,
        &json!({ "text": text, "eventTime": event_time }),
    ))
}

#[test]
fn graph_shows_newest_memories_first() {
    let user = register_test_user();
    let client = user.client();
    let older = store_at(&client, "Planted basil.", "2024-01-01T09:00:00Z");
    let newer = store_at(&client, "Watered tomatoes.", "2024-01-02T09:00:00Z");

    let graph = graph_of(&client, "");

    let memories = nodes_of_kind(&graph, "memory");
    assert_eq!(node_ids(&memories), [newer, older], "{graph}");
    assert_eq!(memories[0]["label"], "Watered tomatoes.", "{graph}");
    assert_eq!(
        memories[0]["eventTime"], "2024-01-02T09:00:00.000Z",
        "{graph}"
    );
    assert_eq!(memories[0]["sourceType"], "note", "{graph}");
    assert_eq!(
        memories[0]["memoryBankId"],
        default_bank_id(&client).as_str(),
        "{graph}"
    );
}

#[test]
fn graph_links_memories_to_shared_entity() {
    let user = register_test_user();
    let client = user.client();
    let first = store_at(
        &client,
        "Acme Corp sent the invoice.",
        "2024-01-01T09:00:00Z",
    );
    let second = store_at(
        &client,
        "Signed the contract with ACME Corp.",
        "2024-01-02T09:00:00Z",
    );

    let graph = graph_of(&client, "");

    let acme_id = "entity:organization:acme corp";
    let acme: Vec<&Value> = nodes_of_kind(&graph, "entity")
        .into_iter()
        .filter(|node| node["id"] == acme_id)
        .collect();
    assert_eq!(acme.len(), 1, "{graph}");
    assert_eq!(acme[0]["type"], "organization", "{graph}");
    assert_eq!(acme[0]["value"], "ACME Corp", "{graph}");
    let to_acme: Vec<(String, String)> = endpoints(&edges_of_kind(&graph, "entity"))
        .into_iter()
        .filter(|(_, target)| target == acme_id)
        .collect();
    assert_eq!(
        to_acme,
        [(second, acme_id.to_owned()), (first, acme_id.to_owned())],
        "{graph}"
    );
}

#[test]
fn graph_links_participants_as_contacts() {
    let user = register_test_user();
    let client = user.client();
    let memory = create_memory(
        &client,
        &json!({
            "text": "Quarterly report attached.",
            "sourceType": "email",
            "participants": [
                { "name": "Ada Lovelace", "email": "ada@example.com", "role": "sender" },
                { "email": "grace@example.com", "role": "recipient" },
            ],
        }),
    );
    let memory_id = id_of(&memory);

    let graph = graph_of(&client, "");

    let contacts = nodes_of_kind(&graph, "contact");
    assert_eq!(contacts.len(), 2, "{graph}");
    let ada = contacts
        .iter()
        .find(|node| node["displayName"] == "Ada Lovelace")
        .unwrap_or_else(|| panic!("no contact Ada Lovelace: {graph}"));
    assert_eq!(ada["label"], "Ada Lovelace", "{graph}");
    assert!(
        ada.get("role").is_none(),
        "contact nodes carry no role: {graph}"
    );
    let edges = edges_of_kind(&graph, "contact");
    let roles: Vec<(String, String, String)> = edges
        .iter()
        .map(|edge| {
            (
                edge["source"].as_str().unwrap_or_default().to_owned(),
                edge["target"].as_str().unwrap_or_default().to_owned(),
                edge["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&(memory_id.clone(), id_of(ada), "sender".to_owned())),
        "{graph}"
    );
    assert!(
        roles
            .iter()
            .any(|(source, _, role)| *source == memory_id && role == "recipient"),
        "{graph}"
    );
}

#[test]
fn graph_threads_conversation_in_time_order() {
    let user = register_test_user();
    let client = user.client();
    let turn = |text: &str, time: &str, conversation: &str| {
        id_of(&create_memory(
            &client,
            &json!({
                "text": text,
                "eventTime": time,
                "sourceType": "message",
                "metadata": { "conversationId": conversation },
            }),
        ))
    };
    let first = turn("Are we still on for Friday?", "2024-01-01T09:00:00Z", "c1");
    let other = turn("Package delivered.", "2024-01-01T09:30:00Z", "c2");
    let second = turn("Yes, seven o'clock works.", "2024-01-01T10:00:00Z", "c1");
    let third = turn("Great, I'll book a table.", "2024-01-01T11:00:00Z", "c1");

    let graph = graph_of(&client, "");

    let threads = endpoints(&edges_of_kind(&graph, "thread"));
    assert_eq!(
        threads,
        [(first, second.clone()), (second, third)],
        "{graph}"
    );
    assert!(
        !threads.iter().any(|(s, t)| *s == other || *t == other),
        "{graph}"
    );
}

#[test]
fn graph_links_similar_memories() {
    let user = register_test_user();
    let client = user.client();
    let first = store_at(&client, "Lisbon flight booked.", "2024-01-01T09:00:00Z");
    let second = store_at(&client, "Booked: Lisbon flight!", "2024-01-02T09:00:00Z");
    store_at(
        &client,
        "The cat needs a vet visit on Tuesday.",
        "2024-01-03T09:00:00Z",
    );

    let graph = graph_of(&client, "");

    let similar = edges_of_kind(&graph, "similar");
    assert_eq!(endpoints(&similar), [(second, first)], "{graph}");
    let weight = similar[0]["weight"].as_f64().unwrap_or_default();
    assert!(weight >= 0.9, "{graph}");
    assert_eq!(graph["limits"]["pairwiseComparisons"], 3, "{graph}");
}

#[test]
fn graph_states_its_limits() {
    let user = register_test_user();
    let client = user.client();
    for day in 1..=4 {
        let text = format!("Garden note {day}: the beans are up.");
        store_at(&client, &text, &format!("2024-01-0{day}T09:00:00Z"));
    }

    let graph = graph_of(&client, "?limit=3");

    assert_eq!(nodes_of_kind(&graph, "memory").len(), 3, "{graph}");
    let limits = &graph["limits"];
    assert_eq!(limits["memories"], 3, "{limits}");
    assert_eq!(limits["maxMemories"], 500, "{limits}");
    assert_eq!(limits["queries"], 4, "{limits}");
    assert_eq!(limits["maxQueries"], 4, "{limits}");
    assert_eq!(limits["pairwiseComparisons"], 3, "{limits}");
    assert_eq!(limits["maxPairwiseComparisons"], 3, "{limits}");
    assert_eq!(limits["maxSimilarEdgesPerMemory"], 3, "{limits}");
    assert!(limits["similarityThreshold"].is_number(), "{limits}");

    let default_graph = graph_of(&client, "");
    assert_eq!(default_graph["limits"]["memories"], 100, "{default_graph}");
}

#[test]
fn graph_never_shows_other_users_data() {
    let alice = register_test_user();
    let bob = register_test_user();
    let alices = id_of(&create_memory(
        &alice.client(),
        &json!({
            "text": "Acme Corp board meeting.",
            "metadata": { "conversationId": "c1" },
            "participants": [{ "name": "Ada Lovelace", "email": "ada@example.com",
                               "role": "participant" }],
        }),
    ));
    let bobs = id_of(&create_memory(
        &bob.client(),
        &json!({ "text": "Acme Corp board meeting!", "metadata": { "conversationId": "c1" } }),
    ));

    let graph = graph_of(&bob.client(), "");

    assert_eq!(
        node_ids(&nodes_of_kind(&graph, "memory")),
        [bobs],
        "{graph}"
    );
    assert!(nodes_of_kind(&graph, "contact").is_empty(), "{graph}");
    assert!(edges_of_kind(&graph, "thread").is_empty(), "{graph}");
    assert!(edges_of_kind(&graph, "similar").is_empty(), "{graph}");
    assert!(!graph.to_string().contains(&alices), "{graph}");
}

#[test]
fn bank_key_sees_only_its_banks() {
    let user = register_test_user();
    let client = user.client();
    let work = create_bank(&client, "Work");
    let personal = store_at(&client, "Dentist on Friday.", "2024-01-01T09:00:00Z");
    let at_work = id_of(&create_memory(
        &client,
        &json!({ "text": "Standup moved to 9:30.", "memoryBankId": work }),
    ));
    let work_key = bank_key_client(&user, &[&work]);

    let by_key = graph_of(&work_key, "");
    let narrowed = graph_of(&client, &format!("?memoryBankId={work}"));
    let everything = graph_of(&client, "");

    assert_eq!(
        node_ids(&nodes_of_kind(&by_key, "memory")),
        std::slice::from_ref(&at_work)
    );
    assert_eq!(node_ids(&nodes_of_kind(&narrowed, "memory")), [at_work]);
    assert!(node_ids(&nodes_of_kind(&everything, "memory")).contains(&personal));
}

#[test]
fn unknown_or_forbidden_bank_is_rejected() {
    let user = register_test_user();
    let client = user.client();
    let work = create_bank(&client, "Work");
    let work_key = bank_key_client(&user, &[&work]);
    let default_bank = default_bank_id(&client);

    assert_error(&get_graph(&client, "?memoryBankId=bank_doesnotexist"), 404);
    assert_error(
        &get_graph(&work_key, &format!("?memoryBankId={default_bank}")),
        403,
    );
}

#[test]
fn bad_parameters_return_400() {
    let user = register_test_user();
    let client = user.client();
    for query in ["?limit=0", "?limit=501", "?limit=all"] {
        assert_error_mentions(&get_graph(&client, query), 400, "limit");
    }
    assert_error_mentions(&get_graph(&client, "?memoryBankId="), 400, "memoryBankId");
}

#[test]
fn graph_route_rules() {
    let user = register_test_user();
    let client = user.client();

    let anonymous = Client::new().get("/api/memories/graph");
    let post = client.post_json("/api/memories/graph", &json!({}));
    let empty = get_graph(&client, "");

    assert_error(&anonymous, 401);
    assert_error(&post, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"), "{post}");
    assert_eq!(empty.status, 200, "{empty}");
    assert_eq!(empty.json["nodes"], json!([]), "{empty}");
    assert_eq!(empty.json["edges"], json!([]), "{empty}");
    assert_eq!(empty.json["limits"]["queries"], 1, "{empty}");
}
