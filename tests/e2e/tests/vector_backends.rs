//! Storing, searching and deleting memories, and building the memory graph, through the
//! production vector backends: the Vectorize adapter and a remote embedder (an
//! OpenAI-compatible endpoint or Workers AI), each replaced by a test fake because neither
//! runs locally.
//!
//! These tests need the alternate stack that `tests/fakes/run-alt-stack.sh` starts. The
//! script sets `BOTMEM_BASE_URL`, `BOTMEM_FAKE_SERVER_URL` (the fake server, which mirrors
//! the fake Vectorize index) and `BOTMEM_EXPECTED_MODEL` (the model id stored with each
//! vector). The tests are ignored in a plain `cargo test`, which runs against the default
//! stack, and the script runs them with `--ignored`.

use std::time::Duration;

use botmem_e2e::{register_test_user, ApiResponse, Client, TestUser};
use serde_json::{json, Value};

/// Returns the value of a setting that `run-alt-stack.sh` exports.
fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests with tests/fakes/run-alt-stack.sh")
    })
}

/// Sends `GET path` to the fake server and returns its JSON body.
fn fake_server_get(path: &str) -> Value {
    let base_url = setting("BOTMEM_FAKE_SERVER_URL");
    assert!(
        base_url.starts_with("http://127.0.0.1:"),
        "BOTMEM_FAKE_SERVER_URL {base_url:?} is not a loopback address"
    );
    let url = format!("{base_url}{path}");
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    let response = agent
        .get(&url)
        .call()
        .unwrap_or_else(|error| panic!("GET {url} failed: {error}"));
    let body = response
        .into_string()
        .unwrap_or_else(|error| panic!("GET {url}: failed to read the body: {error}"));
    serde_json::from_str(&body)
        .unwrap_or_else(|error| panic!("GET {url} returned invalid JSON: {error}: {body}"))
}

/// Returns the fake Vectorize index's entry for `memory_id`: `{id, namespace, metadata}`.
fn indexed_vector(memory_id: &str) -> Option<Value> {
    let snapshot = fake_server_get("/vectorize/snapshot");
    let vectors = snapshot["vectors"].as_array().cloned().unwrap_or_default();
    vectors.into_iter().find(|vector| vector["id"] == memory_id)
}

/// Stores a note and returns it, asserting that its vector was stored (status `ready`).
fn create_indexed_note(client: &Client, text: &str) -> Value {
    let response = client.post_json("/api/memories", &json!({ "text": text }));
    assert_eq!(response.status, 201, "creating a memory failed: {response}");
    let memory = response.json;
    assert_eq!(
        memory["status"], "ready",
        "the memory was not embedded: {memory}"
    );
    memory
}

/// Returns the `id` field of a resource.
fn id_of(resource: &Value) -> String {
    match resource["id"].as_str() {
        Some(id) => id.to_owned(),
        None => panic!("no id in {resource}"),
    }
}

/// Sends a search request and returns the response, whatever its status.
fn search(client: &Client, body: &Value) -> ApiResponse {
    client.post_json("/api/memories/search", body)
}

/// Returns the `id` of each item of a search response, in order.
fn item_ids(response: &ApiResponse) -> Vec<String> {
    let items = response.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items.iter().map(id_of).collect()
}

/// Returns the item with `id` from a search response.
fn find_item<'a>(response: &'a ApiResponse, id: &str) -> Option<&'a Value> {
    response.json["items"]
        .as_array()?
        .iter()
        .find(|item| item["id"] == id)
}

fn user_id(user: &TestUser) -> String {
    id_of(&user.user)
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn stored_vector_is_in_user_namespace() {
    let user = register_test_user();
    let memory = create_indexed_note(&user.client(), "Repainted the garden shed dark green.");

    let vector = indexed_vector(&id_of(&memory));

    let vector = vector.unwrap_or_else(|| panic!("memory {memory} is not in the fake index"));
    assert_eq!(vector["namespace"], user_id(&user), "{vector}");
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn stored_vector_carries_embedder_model() {
    let user = register_test_user();
    let memory = create_indexed_note(&user.client(), "Booked the ferry to the island for May.");

    let vector = indexed_vector(&id_of(&memory));

    let vector = vector.unwrap_or_else(|| panic!("memory {memory} is not in the fake index"));
    assert_eq!(
        vector["metadata"]["model"],
        setting("BOTMEM_EXPECTED_MODEL"),
        "{vector}"
    );
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn embeddings_come_from_configured_embedder() {
    let expected = setting("BOTMEM_EXPECTED_MODEL");
    let user = register_test_user();
    create_indexed_note(&user.client(), "The bakery on the corner sells rye bread.");

    let requests = fake_server_get("/requests");

    let requests = requests["requests"].as_array().cloned().unwrap_or_default();
    match expected.strip_prefix("openai:") {
        Some(model) => assert!(
            requests.iter().any(|request| request["model"] == model),
            "no embeddings request for model {model}: {requests:?}"
        ),
        // Workers AI is reached through the AI binding, never the OpenAI-compatible endpoint.
        None => assert!(
            requests.is_empty(),
            "unexpected embeddings requests: {requests:?}"
        ),
    }
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn search_scores_memory_through_vector_index() {
    let user = register_test_user();
    let client = user.client();
    let memory = create_indexed_note(&client, "Went hiking in the Alps with Sam last summer.");
    create_indexed_note(&client, "The quarterly invoice is due on Monday.");

    let response = search(&client, &json!({ "query": "hiking alps" }));

    assert_eq!(response.status, 200, "{response}");
    let found = find_item(&response, &id_of(&memory)).cloned();
    let found = found.unwrap_or_else(|| panic!("the memory is not in the results: {response}"));
    let semantic = found["scores"]["semantic"].as_f64().unwrap_or_default();
    assert!(
        semantic > 0.0,
        "semantic score {semantic} is not positive: {found}"
    );
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn deleted_memory_leaves_vector_index() {
    let user = register_test_user();
    let client = user.client();
    let id = id_of(&create_indexed_note(
        &client,
        "Lent the ladder to the neighbours.",
    ));
    assert!(
        indexed_vector(&id).is_some(),
        "memory {id} was never in the fake index"
    );

    let response = client.delete(&format!("/api/memories/{id}"));

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(
        indexed_vector(&id),
        None,
        "memory {id} is still in the fake index"
    );
    let response = search(&client, &json!({ "query": "ladder neighbours" }));
    assert_eq!(response.status, 200, "{response}");
    assert!(
        !item_ids(&response).contains(&id),
        "deleted memory returned: {response}"
    );
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn search_never_returns_other_users_memory() {
    let owner = register_test_user();
    let other = register_test_user();
    let text = "The spare key is under the blue flowerpot.";
    let owned = id_of(&create_indexed_note(&owner.client(), text));
    let others = id_of(&create_indexed_note(&other.client(), text));

    let response = search(
        &other.client(),
        &json!({ "query": "spare key blue flowerpot" }),
    );

    assert_eq!(response.status, 200, "{response}");
    let ids = item_ids(&response);
    assert!(
        ids.contains(&others),
        "the caller's own memory is missing: {response}"
    );
    assert!(
        !ids.contains(&owned),
        "another user's memory returned: {response}"
    );
}

/// Returns `(source, target)` of each "similar" edge of a graph response.
fn similar_edges(graph: &ApiResponse) -> Vec<(String, String)> {
    let edges = graph.json["edges"].as_array().cloned().unwrap_or_default();
    edges
        .iter()
        .filter(|edge| edge["kind"] == "similar")
        .map(|edge| {
            (
                edge["source"].as_str().unwrap_or_default().to_owned(),
                edge["target"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn graph_reads_vectors_from_index_in_batches() {
    let user = register_test_user();
    let client = user.client();
    // The adapter requests 20 ids per getByIds call, and the graph lists memories newest
    // first, so the first and last of 22 memories come back from different calls.
    let oldest = id_of(&create_indexed_note(&client, "Lisbon flight booked."));
    for number in 0..20 {
        let text = format!("Unrelated entry {number}: topic{number} detail{number}.");
        create_indexed_note(&client, &text);
    }
    let newest = id_of(&create_indexed_note(&client, "Booked: Lisbon flight!"));

    let graph = client.get("/api/memories/graph");

    assert_eq!(graph.status, 200, "{graph}");
    assert_eq!(similar_edges(&graph), [(newest, oldest)], "{graph}");
    assert_eq!(
        graph.json["limits"]["pairwiseComparisons"],
        22 * 21 / 2,
        "{graph}"
    );
}

#[test]
#[ignore = "needs the alternate stack of tests/fakes/run-alt-stack.sh"]
fn graph_never_links_other_users_vectors() {
    let owner = register_test_user();
    let other = register_test_user();
    let text = "The spare key is under the blue flowerpot.";
    create_indexed_note(&owner.client(), text);
    create_indexed_note(&other.client(), text);

    let graph = other.client().get("/api/memories/graph");

    assert_eq!(graph.status, 200, "{graph}");
    assert!(similar_edges(&graph).is_empty(), "{graph}");
    assert_eq!(graph.json["limits"]["pairwiseComparisons"], 0, "{graph}");
}
