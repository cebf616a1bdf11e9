//! The graph's pure steps on hand-made input, then `GET /api/memories/graph` through the
//! router on in-process SQLite with the real migrations and the hashing test embedder.

use serde_json::{json, Value};

use super::*;
use crate::testing::{
    block_on, call, create_api_key, create_bank, create_memory, register, test_app, HashingEmbedder,
};
use crate::{App, Group, Method};

fn graph_memory(id: &str, event_time: &str, seq: i64) -> GraphMemory {
    GraphMemory {
        seq,
        id: id.to_owned(),
        memory_bank_id: "bank_1".to_owned(),
        text_start: format!("text of {id}"),
        source_type: "note".to_owned(),
        event_time: event_time.to_owned(),
        thread_id: None,
        conversation_id: None,
    }
}

/// Returns `(source, target)` of each edge of `kind`, in order.
fn pairs(edges: &[Edge], kind: EdgeKind) -> Vec<(String, String)> {
    edges
        .iter()
        .filter(|edge| edge.kind == kind)
        .map(|edge| (edge.source.clone(), edge.target.clone()))
        .collect()
}

fn pair(source: &str, target: &str) -> (String, String) {
    (source.to_owned(), target.to_owned())
}

#[test]
fn label_keeps_short_text_on_one_line() {
    assert_eq!(label_for("  Buy\n oat   milk "), "Buy oat milk");
}

#[test]
fn label_cuts_long_text_with_ellipsis() {
    let text = "word ".repeat(40);

    let label = label_for(&text);

    assert!(label.ends_with("word…"), "{label}");
    assert!(label.chars().count() <= LABEL_CHARS + 1, "{label}");
}

#[test]
fn thread_edges_follow_time_order() {
    let mut first = graph_memory("m1", "2024-01-01T10:00:00.000Z", 3);
    let mut second = graph_memory("m2", "2024-01-01T11:00:00.000Z", 1);
    let mut third = graph_memory("m3", "2024-01-01T11:00:00.000Z", 2);
    let mut elsewhere = graph_memory("m4", "2024-01-01T10:30:00.000Z", 4);
    for memory in [&mut first, &mut second, &mut third] {
        memory.conversation_id = Some(json!("c1"));
    }
    elsewhere.conversation_id = Some(json!("c2"));
    let memories = [third, elsewhere, second, first];

    let edges = thread_edges(&memories);

    assert_eq!(
        pairs(&edges, EdgeKind::Thread),
        [pair("m1", "m2"), pair("m2", "m3")]
    );
    assert!(edges.iter().all(|edge| edge.weight == 1.0));
}

#[test]
fn thread_edges_link_pair_once_for_both_ids() {
    let mut first = graph_memory("m1", "2024-01-01T10:00:00.000Z", 1);
    let mut second = graph_memory("m2", "2024-01-01T11:00:00.000Z", 2);
    for memory in [&mut first, &mut second] {
        memory.thread_id = Some(json!("t1"));
        memory.conversation_id = Some(json!("c1"));
    }

    let edges = thread_edges(&[second, first]);

    assert_eq!(pairs(&edges, EdgeKind::Thread), [pair("m1", "m2")]);
}

#[test]
fn thread_ids_of_different_json_types_differ() {
    let mut text_id = graph_memory("m1", "2024-01-01T10:00:00.000Z", 1);
    let mut number_id = graph_memory("m2", "2024-01-01T11:00:00.000Z", 2);
    text_id.thread_id = Some(json!("7"));
    number_id.thread_id = Some(json!(7));

    assert!(thread_edges(&[text_id, number_id]).is_empty());
}

#[test]
fn similar_edges_respect_threshold() {
    let memories = [
        graph_memory("a", "2024-01-03T00:00:00.000Z", 3),
        graph_memory("b", "2024-01-02T00:00:00.000Z", 2),
        graph_memory("c", "2024-01-01T00:00:00.000Z", 1),
    ];
    // cos(a, b) is 0.95, and c is orthogonal to both.
    let vectors = HashMap::from([
        ("a".to_owned(), vec![1.0, 0.0, 0.0]),
        ("b".to_owned(), vec![0.95, 0.312_25, 0.0]),
        ("c".to_owned(), vec![0.0, 0.0, 2.0]),
    ]);

    let (edges, comparisons) = similar_edges(&memories, vectors);

    assert_eq!(comparisons, 3);
    assert_eq!(pairs(&edges, EdgeKind::Similar), [pair("a", "b")]);
    assert!((edges[0].weight - 0.95).abs() < 1e-3, "{edges:?}");
}

#[test]
fn similar_edges_cap_each_memory() {
    let ids = ["m0", "m1", "m2", "m3", "m4", "m5"];
    let memories: Vec<GraphMemory> = ids
        .iter()
        .enumerate()
        .map(|(seq, id)| graph_memory(id, "2024-01-01T00:00:00.000Z", seq as i64))
        .collect();
    let vectors: HashMap<String, Vec<f32>> = ids
        .iter()
        .map(|id| ((*id).to_owned(), vec![1.0, 0.5]))
        .collect();

    let (edges, comparisons) = similar_edges(&memories, vectors);

    assert_eq!(comparisons, 15);
    assert!(!edges.is_empty());
    for id in ids {
        let degree = edges
            .iter()
            .filter(|edge| edge.source == id || edge.target == id)
            .count();
        assert!(degree <= MAX_SIMILAR_PER_MEMORY, "{id} has {degree} edges");
    }
}

#[test]
fn similar_edges_keep_best_pairs_first() {
    let memories = [
        graph_memory("a", "2024-01-01T00:00:00.000Z", 1),
        graph_memory("b", "2024-01-01T00:00:00.000Z", 2),
        graph_memory("c", "2024-01-01T00:00:00.000Z", 3),
        graph_memory("d", "2024-01-01T00:00:00.000Z", 4),
        graph_memory("e", "2024-01-01T00:00:00.000Z", 5),
    ];
    // "a" is close to all four others; its best three are kept, the weakest is dropped.
    let vectors = HashMap::from([
        ("a".to_owned(), vec![1.0, 0.0, 0.0, 0.0, 0.0]),
        ("b".to_owned(), vec![1.0, 0.1, 0.0, 0.0, 0.0]),
        ("c".to_owned(), vec![1.0, 0.0, 0.2, 0.0, 0.0]),
        ("d".to_owned(), vec![1.0, 0.0, 0.0, 0.3, 0.0]),
        ("e".to_owned(), vec![1.0, 0.0, 0.0, 0.0, 0.4]),
    ]);

    let (edges, _) = similar_edges(&memories, vectors);

    let at_a: Vec<&str> = edges
        .iter()
        .filter(|edge| edge.source == "a")
        .map(|edge| edge.target.as_str())
        .collect();
    assert_eq!(at_a, ["b", "c", "d"]);
    let weights: Vec<f32> = edges.iter().map(|edge| edge.weight).collect();
    let mut sorted = weights.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(weights, sorted, "edges are listed best first");
}

#[test]
fn similar_edges_skip_missing_and_mismatched_vectors() {
    let memories = [
        graph_memory("a", "2024-01-01T00:00:00.000Z", 1),
        graph_memory("b", "2024-01-01T00:00:00.000Z", 2),
        graph_memory("c", "2024-01-01T00:00:00.000Z", 3),
    ];
    let vectors = HashMap::from([
        ("a".to_owned(), vec![1.0, 0.0]),
        ("b".to_owned(), vec![1.0, 0.0, 0.0]),
        ("stranger".to_owned(), vec![1.0, 0.0]),
    ]);

    let (edges, comparisons) = similar_edges(&memories, vectors);

    assert_eq!(comparisons, 0);
    assert!(edges.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Through the router

fn app() -> App {
    test_app(Some(Box::new(HashingEmbedder::default())))
}

fn remember_at(app: &App, token: &str, text: &str, event_time: &str) -> String {
    create_memory(app, token, json!({ "text": text, "eventTime": event_time }))
}

fn get_graph(app: &App, token: &str, query: &str) -> (u16, Value) {
    let path = format!("/api/memories/graph{query}");
    call(app, Group::Memories, Method::Get, &path, Some(token), None)
}

fn graph_of(app: &App, token: &str, query: &str) -> Value {
    let (status, graph) = get_graph(app, token, query);
    assert_eq!(status, 200, "{query}: {graph}");
    graph
}

fn nodes_of_kind<'a>(graph: &'a Value, kind: &str) -> Vec<&'a Value> {
    let nodes = graph["nodes"].as_array().expect("nodes");
    nodes.iter().filter(|node| node["kind"] == kind).collect()
}

fn edges_of_kind<'a>(graph: &'a Value, kind: &str) -> Vec<&'a Value> {
    let edges = graph["edges"].as_array().expect("edges");
    edges.iter().filter(|edge| edge["kind"] == kind).collect()
}

fn ids(nodes: &[&Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|node| node["id"].as_str().expect("id").to_owned())
        .collect()
}

fn user_id_of(app: &App, memory_id: &str) -> String {
    let rows = block_on(app.db.query(
        "SELECT user_id FROM memories WHERE id = ?1",
        &[memory_id.into()],
    ))
    .expect("query");
    rows[0].text("user_id").expect("user_id")
}

/// Links a memory to a new contact with SQL, as ingest does for participants.
fn link_contact(app: &App, memory_id: &str, contact_id: &str, name: &str, role: &str) {
    let user_id = user_id_of(app, memory_id);
    let contact = "INSERT OR IGNORE INTO contacts
                       (id, user_id, display_name, name_key, created_at, updated_at)
                   VALUES (?1, ?2, ?3, lower(?3), '2024-01-01T00:00:00.000Z',
                           '2024-01-01T00:00:00.000Z')";
    let params = [contact_id.into(), user_id.as_str().into(), name.into()];
    block_on(app.db.execute(contact, &params)).expect("insert contact");
    let link = "INSERT INTO memory_contacts (user_id, memory_id, contact_id, role)
                VALUES (?1, ?2, ?3, ?4)";
    let params = [
        user_id.as_str().into(),
        memory_id.into(),
        contact_id.into(),
        role.into(),
    ];
    block_on(app.db.execute(link, &params)).expect("insert memory contact");
}

#[test]
fn graph_shows_memories_newest_first() {
    let app = app();
    let token = register(&app, "a@example.com");
    let older = remember_at(&app, &token, "Planted basil.", "2024-01-01T09:00:00Z");
    let newer = remember_at(&app, &token, "Watered tomatoes.", "2024-01-02T09:00:00Z");

    let graph = graph_of(&app, &token, "");

    let memories = nodes_of_kind(&graph, "memory");
    assert_eq!(ids(&memories), [newer, older]);
    assert_eq!(memories[0]["label"], "Watered tomatoes.");
    assert_eq!(memories[0]["eventTime"], "2024-01-02T09:00:00.000Z");
    assert_eq!(memories[0]["sourceType"], "note");
    assert!(memories[0]["memoryBankId"].is_string(), "{graph}");
}

#[test]
fn graph_links_memories_to_shared_entity() {
    let app = app();
    let token = register(&app, "a@example.com");
    let first = remember_at(
        &app,
        &token,
        "Acme Corp sent the invoice.",
        "2024-01-01T09:00:00Z",
    );
    let second = remember_at(
        &app,
        &token,
        "Signed the contract with ACME Corp.",
        "2024-01-02T09:00:00Z",
    );

    let graph = graph_of(&app, &token, "");

    let entities = nodes_of_kind(&graph, "entity");
    let acme: Vec<&&Value> = entities
        .iter()
        .filter(|node| node["id"] == "entity:organization:acme corp")
        .collect();
    assert_eq!(acme.len(), 1, "{graph}");
    assert_eq!(acme[0]["type"], "organization");
    assert_eq!(acme[0]["value"], "ACME Corp");
    assert_eq!(acme[0]["label"], "ACME Corp");
    let to_acme: Vec<&str> = edges_of_kind(&graph, "entity")
        .into_iter()
        .filter(|edge| edge["target"] == "entity:organization:acme corp")
        .map(|edge| edge["source"].as_str().expect("source"))
        .collect();
    assert_eq!(to_acme, [second.as_str(), first.as_str()]);
}

#[test]
fn graph_links_contacts_with_roles() {
    let app = app();
    let token = register(&app, "a@example.com");
    let mail = remember_at(
        &app,
        &token,
        "Quarterly report attached.",
        "2024-01-01T09:00:00Z",
    );
    let chat = remember_at(&app, &token, "See you at the gym.", "2024-01-02T09:00:00Z");
    link_contact(&app, &mail, "ct_ada", "Ada Lovelace", "sender");
    link_contact(&app, &chat, "ct_ada", "Ada Lovelace", "participant");
    link_contact(&app, &chat, "ct_bob", "Bob Stone", "participant");

    let graph = graph_of(&app, &token, "");

    let contacts = nodes_of_kind(&graph, "contact");
    assert_eq!(ids(&contacts), ["ct_ada", "ct_bob"]);
    assert_eq!(contacts[0]["label"], "Ada Lovelace");
    assert_eq!(contacts[0]["displayName"], "Ada Lovelace");
    assert!(contacts[0].get("role").is_none(), "{graph}");
    let edges: Vec<(String, String, String)> = edges_of_kind(&graph, "contact")
        .into_iter()
        .map(|edge| {
            (
                edge["source"].as_str().expect("source").to_owned(),
                edge["target"].as_str().expect("target").to_owned(),
                edge["role"].as_str().expect("role").to_owned(),
            )
        })
        .collect();
    assert!(edges.contains(&(mail.clone(), "ct_ada".into(), "sender".into())));
    assert!(edges.contains(&(chat.clone(), "ct_ada".into(), "participant".into())));
    assert!(edges.contains(&(chat.clone(), "ct_bob".into(), "participant".into())));
    assert_eq!(edges.len(), 3);
}

#[test]
fn graph_threads_conversation_in_time_order() {
    let app = app();
    let token = register(&app, "a@example.com");
    let turn = |text: &str, time: &str, conversation: &str| {
        create_memory(
            &app,
            &token,
            json!({
                "text": text,
                "eventTime": time,
                "sourceType": "message",
                "metadata": { "conversationId": conversation },
            }),
        )
    };
    let first = turn("Are we still on for Friday?", "2024-01-01T09:00:00Z", "c1");
    let other = turn("Package delivered.", "2024-01-01T09:30:00Z", "c2");
    let second = turn("Yes, seven o'clock works.", "2024-01-01T10:00:00Z", "c1");
    let third = turn("Great, I'll book a table.", "2024-01-01T11:00:00Z", "c1");

    let graph = graph_of(&app, &token, "");

    let threads: Vec<(&str, &str)> = edges_of_kind(&graph, "thread")
        .into_iter()
        .map(|edge| {
            (
                edge["source"].as_str().expect("source"),
                edge["target"].as_str().expect("target"),
            )
        })
        .collect();
    assert_eq!(
        threads,
        [
            (first.as_str(), second.as_str()),
            (second.as_str(), third.as_str())
        ]
    );
    assert!(!threads.iter().any(|(s, t)| *s == other || *t == other));
}

#[test]
fn graph_links_similar_memories() {
    let app = app();
    let token = register(&app, "a@example.com");
    let first = remember_at(
        &app,
        &token,
        "Lisbon flight booked.",
        "2024-01-01T09:00:00Z",
    );
    let second = remember_at(
        &app,
        &token,
        "Booked: Lisbon flight!",
        "2024-01-02T09:00:00Z",
    );
    remember_at(
        &app,
        &token,
        "The cat needs a vet visit.",
        "2024-01-03T09:00:00Z",
    );

    let graph = graph_of(&app, &token, "");

    let similar = edges_of_kind(&graph, "similar");
    assert_eq!(similar.len(), 1, "{graph}");
    assert_eq!(similar[0]["source"], second.as_str());
    assert_eq!(similar[0]["target"], first.as_str());
    assert_eq!(similar[0]["weight"], 1.0);
    assert_eq!(graph["limits"]["pairwiseComparisons"], 3);
}

#[test]
fn graph_ignores_vectors_of_other_model() {
    let app = app();
    let token = register(&app, "a@example.com");
    remember_at(
        &app,
        &token,
        "Lisbon flight booked.",
        "2024-01-01T09:00:00Z",
    );
    remember_at(
        &app,
        &token,
        "Booked: Lisbon flight!",
        "2024-01-02T09:00:00Z",
    );
    block_on(
        app.db
            .execute("UPDATE memory_vectors SET model = 'retired-model'", &[]),
    )
    .expect("update");

    let graph = graph_of(&app, &token, "");

    assert!(edges_of_kind(&graph, "similar").is_empty(), "{graph}");
    assert_eq!(graph["limits"]["pairwiseComparisons"], 0);
}

#[test]
fn graph_states_its_limits() {
    let app = app();
    let token = register(&app, "a@example.com");
    for day in 1..=4 {
        let text = format!("Note number {day} about the garden.");
        remember_at(&app, &token, &text, &format!("2024-01-0{day}T09:00:00Z"));
    }

    let graph = graph_of(&app, &token, "?limit=3");

    assert_eq!(nodes_of_kind(&graph, "memory").len(), 3);
    let limits = &graph["limits"];
    assert_eq!(limits["memories"], 3);
    assert_eq!(limits["maxMemories"], 500);
    assert_eq!(limits["queries"], 4);
    assert_eq!(limits["maxQueries"], 4);
    assert_eq!(limits["pairwiseComparisons"], 3);
    assert_eq!(limits["maxPairwiseComparisons"], 3);
    assert_eq!(limits["maxSimilarEdgesPerMemory"], 3);
    let threshold = limits["similarityThreshold"].as_f64().expect("threshold");
    assert!((threshold - 0.9).abs() < 1e-6, "{limits}");

    let default_graph = graph_of(&app, &token, "");
    assert_eq!(default_graph["limits"]["memories"], 100);
    assert_eq!(default_graph["limits"]["maxPairwiseComparisons"], 4950);
}

#[test]
fn empty_graph_makes_one_query() {
    let app = app();
    let token = register(&app, "a@example.com");

    let graph = graph_of(&app, &token, "");

    assert_eq!(graph["nodes"], json!([]));
    assert_eq!(graph["edges"], json!([]));
    assert_eq!(graph["limits"]["queries"], 1);
}

#[test]
fn graph_never_shows_other_users_data() {
    let app = app();
    let alice = register(&app, "alice@example.com");
    let bob = register(&app, "bob@example.com");
    let alices = create_memory(
        &app,
        &alice,
        json!({ "text": "Acme Corp board meeting.", "metadata": { "conversationId": "c1" } }),
    );
    link_contact(&app, &alices, "ct_ada", "Ada Lovelace", "participant");
    let bobs = create_memory(
        &app,
        &bob,
        json!({ "text": "Acme Corp board meeting!", "metadata": { "conversationId": "c1" } }),
    );

    let graph = graph_of(&app, &bob, "");

    assert_eq!(ids(&nodes_of_kind(&graph, "memory")), [bobs]);
    assert!(nodes_of_kind(&graph, "contact").is_empty(), "{graph}");
    assert!(edges_of_kind(&graph, "thread").is_empty(), "{graph}");
    assert!(edges_of_kind(&graph, "similar").is_empty(), "{graph}");
    let text = graph.to_string();
    assert!(!text.contains(&alices), "{text}");
}

#[test]
fn graph_respects_bank_scope() {
    let app = app();
    let token = register(&app, "a@example.com");
    let work = create_bank(&app, &token, "work");
    let personal = remember_at(&app, &token, "Dentist on Friday.", "2024-01-01T09:00:00Z");
    let at_work = create_memory(
        &app,
        &token,
        json!({ "text": "Standup moved to 9:30.", "memoryBankId": work }),
    );
    let key = create_api_key(
        &app,
        &token,
        json!({ "name": "work", "scopes": ["read"], "memoryBankIds": [work] }),
    );

    let by_key = graph_of(&app, &key, "");
    assert_eq!(
        ids(&nodes_of_kind(&by_key, "memory")),
        std::slice::from_ref(&at_work)
    );

    let narrowed = graph_of(&app, &token, &format!("?memoryBankId={work}"));
    assert_eq!(ids(&nodes_of_kind(&narrowed, "memory")), [at_work]);

    let whole = graph_of(&app, &token, "");
    assert!(ids(&nodes_of_kind(&whole, "memory")).contains(&personal));

    assert_eq!(get_graph(&app, &token, "?memoryBankId=bank_unknown").0, 404);
    let default_bank = nodes_of_kind(&whole, "memory")
        .into_iter()
        .find(|node| node["id"] == personal.as_str())
        .map(|node| node["memoryBankId"].as_str().expect("bank").to_owned())
        .expect("personal memory");
    assert_eq!(
        get_graph(&app, &key, &format!("?memoryBankId={default_bank}")).0,
        403
    );
}

#[test]
fn graph_rejects_bad_input() {
    let app = app();
    let token = register(&app, "a@example.com");
    for query in ["?limit=0", "?limit=501", "?limit=many", "?memoryBankId="] {
        let (status, body) = get_graph(&app, &token, query);
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["error"].as_str().expect("error message");
        let expected = if query.contains("limit") {
            "limit"
        } else {
            "memoryBankId"
        };
        assert!(message.contains(expected), "{query}: {message}");
    }

    let (status, _) = call(
        &app,
        Group::Memories,
        Method::Post,
        "/api/memories/graph",
        Some(&token),
        None,
    );
    assert_eq!(status, 405);

    let (status, _) = call(
        &app,
        Group::Memories,
        Method::Get,
        "/api/memories/graph",
        None,
        None,
    );
    assert_eq!(status, 401);
}
