//! `GET /api/memories/graph`: the newest memories as a graph. Memories link to their contacts
//! and entities, to the memory before and after them in the same thread or conversation, and
//! to the memories whose vectors are most similar to theirs.
//!
//! The work of one request is bounded: at most [`MAX_MEMORIES`] memories, [`MAX_QUERIES`]
//! reads of the database and vector index, and one vector comparison per pair of memories,
//! which is 124,750 comparisons at 500 memories.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::api::memories::{bank_scope, check_filter};
use crate::app::App;
use crate::auth::Principal;
use crate::entities::extract::EntityKind;
use crate::error::ApiResult;
use crate::http::{query_integer, Request, Response};
use crate::search::exact_index::normalize;
use crate::store::contacts;
use crate::store::entities;
use crate::store::memories::graph::{newest_memories, GraphMemory};
use crate::store::memories::MemoryFilter;

/// Memories in a graph when the request gives no `limit`.
pub const DEFAULT_MEMORIES: i64 = 100;

/// Maximum memories in one graph.
pub const MAX_MEMORIES: i64 = 500;

/// Maximum reads of the database and vector index for one graph: the memories, their
/// contacts, their entities and their vectors. Authentication and the check of
/// `memoryBankId` come on top.
pub const MAX_QUERIES: u32 = 4;

/// Minimum cosine similarity of a "similar" edge. With the built-in embedder, on the 500
/// newest turns of three LoCoMo conversations, half of all pairs scored 0.77 or more, so a
/// lower threshold links memories that share little more than a chatty tone. At 0.9, 0.4% of
/// the pairs qualified and 136 of the 500 memories got an edge.
// NOTE: measured with the built-in embedder only. Models that spread similarities lower,
// such as OpenAI's, give fewer edges at the same threshold.
pub const SIMILARITY_THRESHOLD: f32 = 0.9;

/// Maximum "similar" edges at one memory.
pub const MAX_SIMILAR_PER_MEMORY: usize = 3;

/// Maximum characters of a memory node's label, before the ellipsis.
const LABEL_CHARS: usize = 80;

/// A node of the graph, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "lowercase",
    rename_all_fields = "camelCase"
)]
enum Node {
    Memory {
        id: String,
        label: String,
        event_time: String,
        source_type: String,
        memory_bank_id: String,
    },
    Contact {
        id: String,
        label: String,
        display_name: String,
    },
    Entity {
        id: String,
        label: String,
        #[serde(rename = "type")]
        entity_type: EntityKind,
        value: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum EdgeKind {
    /// From a memory to a contact it names, with the contact's role.
    Contact,
    /// From a memory to an entity found in its text.
    Entity,
    /// From a memory to the next one, in time order, with the same thread or conversation id.
    Thread,
    /// Between two memories with similar vectors. Its weight is the cosine similarity.
    Similar,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Edge {
    source: String,
    target: String,
    kind: EdgeKind,
    weight: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
}

impl Edge {
    fn new(source: &str, target: &str, kind: EdgeKind, weight: f32) -> Edge {
        Edge {
            source: source.to_owned(),
            target: target.to_owned(),
            kind,
            weight,
            role: None,
        }
    }
}

/// The bounds of one graph request, and the work it did within them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphLimits {
    /// The requested number of memories.
    memories: i64,
    max_memories: i64,
    queries: u32,
    max_queries: u32,
    pairwise_comparisons: u64,
    /// The comparisons that `memories` memories with vectors would need.
    max_pairwise_comparisons: u64,
    similarity_threshold: f32,
    max_similar_edges_per_memory: usize,
}

#[derive(Debug, Serialize)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    limits: GraphLimits,
}

/// Returns the number of unordered pairs of `count` items.
fn pair_count(count: u64) -> u64 {
    count * count.saturating_sub(1) / 2
}

/// Serves `GET /api/memories/graph`.
pub async fn graph(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", DEFAULT_MEMORIES, 1, MAX_MEMORIES)?;
    let requested_bank = request.query_param("memoryBankId");
    let filter = MemoryFilter {
        bank_ids: bank_scope(principal, requested_bank.map(str::to_owned))?,
        ..MemoryFilter::default()
    };
    check_filter(app, &principal.user_id, requested_bank, &filter).await?;
    let graph = build_graph(app, &principal.user_id, &filter, limit).await?;
    Response::ok(&graph)
}

async fn build_graph(
    app: &App,
    user_id: &str,
    filter: &MemoryFilter,
    limit: i64,
) -> ApiResult<Graph> {
    let mut limits = GraphLimits {
        memories: limit,
        max_memories: MAX_MEMORIES,
        queries: 0,
        max_queries: MAX_QUERIES,
        pairwise_comparisons: 0,
        max_pairwise_comparisons: pair_count(limit as u64),
        similarity_threshold: SIMILARITY_THRESHOLD,
        max_similar_edges_per_memory: MAX_SIMILAR_PER_MEMORY,
    };
    let memories = newest_memories(app, user_id, filter, limit).await?;
    limits.queries += 1;
    let mut nodes: Vec<Node> = memories.iter().map(memory_node).collect();
    let mut edges = Vec::new();
    if memories.is_empty() {
        return Ok(Graph {
            nodes,
            edges,
            limits,
        });
    }

    let ids: Vec<String> = memories.iter().map(|m| m.id.clone()).collect();
    let mut contacts = contacts::contacts_for_memories(app, user_id, &ids).await?;
    limits.queries += 1;
    let mut seen_contacts = HashSet::new();
    for memory in &memories {
        for contact in contacts.remove(&memory.id).unwrap_or_default() {
            if seen_contacts.insert(contact.id.clone()) {
                nodes.push(Node::Contact {
                    id: contact.id.clone(),
                    label: contact.display_name.clone(),
                    display_name: contact.display_name,
                });
            }
            let mut edge = Edge::new(&memory.id, &contact.id, EdgeKind::Contact, 1.0);
            edge.role = Some(contact.role);
            edges.push(edge);
        }
    }

    let links = entities::entity_links(app, user_id, &ids).await?;
    limits.queries += 1;
    let (entity_nodes, entity_edges) = entity_graph(&memories, links);
    nodes.extend(entity_nodes);
    edges.extend(entity_edges);

    edges.extend(thread_edges(&memories));

    if let Some(embedder) = app.embedder.as_deref() {
        let vectors = app
            .vectors
            .vectors_by_ids(user_id, embedder.model_id(), &ids)
            .await?;
        limits.queries += 1;
        let (similar, comparisons) = similar_edges(&memories, vectors);
        limits.pairwise_comparisons = comparisons;
        edges.extend(similar);
    }
    Ok(Graph {
        nodes,
        edges,
        limits,
    })
}

fn memory_node(memory: &GraphMemory) -> Node {
    Node::Memory {
        id: memory.id.clone(),
        label: label_for(&memory.text_start),
        event_time: memory.event_time.clone(),
        source_type: memory.source_type.clone(),
        memory_bank_id: memory.memory_bank_id.clone(),
    }
}

/// Returns the start of a text on one line: whitespace runs become one space, and a text
/// longer than [`LABEL_CHARS`] is cut there and ends with an ellipsis.
fn label_for(text: &str) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() <= LABEL_CHARS {
        return words;
    }
    let mut label: String = words.chars().take(LABEL_CHARS).collect();
    label.truncate(label.trim_end().len());
    label.push('…');
    label
}

/// Returns the node id of an entity, stable across requests: `entity:<type>:<value_key>`.
fn entity_node_id(kind: EntityKind, value_key: &str) -> String {
    format!("entity:{}:{value_key}", kind.as_str())
}

/// Builds one node per entity key, labelled with its smallest spelling among these
/// memories, and one edge per memory and entity. Nodes follow the memories' order.
fn entity_graph(
    memories: &[GraphMemory],
    links: Vec<entities::EntityLink>,
) -> (Vec<Node>, Vec<Edge>) {
    let mut by_memory: HashMap<String, Vec<entities::EntityLink>> = HashMap::new();
    let mut spellings: HashMap<String, String> = HashMap::new();
    for link in links {
        let node_id = entity_node_id(link.kind, &link.value_key);
        let spelling = spellings
            .entry(node_id)
            .or_insert_with(|| link.value.clone());
        if link.value < *spelling {
            spelling.clone_from(&link.value);
        }
        by_memory
            .entry(link.memory_id.clone())
            .or_default()
            .push(link);
    }

    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut seen = HashSet::new();
    for memory in memories {
        for link in by_memory.remove(&memory.id).unwrap_or_default() {
            let node_id = entity_node_id(link.kind, &link.value_key);
            if seen.insert(node_id.clone()) {
                let value = spellings.get(&node_id).cloned().unwrap_or(link.value);
                nodes.push(Node::Entity {
                    id: node_id.clone(),
                    label: value.clone(),
                    entity_type: link.kind,
                    value,
                });
            }
            edges.push(Edge::new(&memory.id, &node_id, EdgeKind::Entity, 1.0));
        }
    }
    (nodes, edges)
}

/// Links each memory to the next one in time order that has the same `threadId`, and
/// likewise for `conversationId`. A pair linked by both ids gets one edge. Edges point from
/// the earlier memory to the later one.
fn thread_edges(memories: &[GraphMemory]) -> Vec<Edge> {
    let mut in_time_order: Vec<&GraphMemory> = memories.iter().collect();
    in_time_order.sort_by(|a, b| a.event_time.cmp(&b.event_time).then(a.seq.cmp(&b.seq)));

    // The ids are JSON, so the string "7" and the number 7 are different threads.
    let mut groups: BTreeMap<(&str, String), Vec<&GraphMemory>> = BTreeMap::new();
    for memory in in_time_order {
        if let Some(id) = &memory.thread_id {
            groups
                .entry(("threadId", id.to_string()))
                .or_default()
                .push(memory);
        }
        if let Some(id) = &memory.conversation_id {
            groups
                .entry(("conversationId", id.to_string()))
                .or_default()
                .push(memory);
        }
    }

    let mut linked = HashSet::new();
    let mut edges = Vec::new();
    for group in groups.values() {
        for pair in group.windows(2) {
            let (earlier, later) = (&pair[0].id, &pair[1].id);
            if linked.insert((earlier.clone(), later.clone())) {
                edges.push(Edge::new(earlier, later, EdgeKind::Thread, 1.0));
            }
        }
    }
    edges
}

/// Compares the vectors of every pair of memories and keeps the most similar pairs at or
/// above [`SIMILARITY_THRESHOLD`], best first, while both memories have fewer than
/// [`MAX_SIMILAR_PER_MEMORY`] such edges. Returns the edges and the comparisons made.
fn similar_edges(
    memories: &[GraphMemory],
    mut vectors: HashMap<String, Vec<f32>>,
) -> (Vec<Edge>, u64) {
    let mut with_vectors: Vec<(&str, Vec<f32>)> = Vec::new();
    for memory in memories {
        if let Some(mut vector) = vectors.remove(&memory.id) {
            normalize(&mut vector);
            with_vectors.push((&memory.id, vector));
        }
    }

    let mut comparisons = 0u64;
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, (_, a)) in with_vectors.iter().enumerate() {
        for (j, (_, b)) in with_vectors.iter().enumerate().skip(i + 1) {
            if a.len() != b.len() {
                continue;
            }
            comparisons += 1;
            let similarity: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            if similarity >= SIMILARITY_THRESHOLD {
                candidates.push((similarity, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));

    let mut degree = vec![0usize; with_vectors.len()];
    let mut edges = Vec::new();
    for (similarity, i, j) in candidates {
        if degree[i] >= MAX_SIMILAR_PER_MEMORY || degree[j] >= MAX_SIMILAR_PER_MEMORY {
            continue;
        }
        degree[i] += 1;
        degree[j] += 1;
        let weight = (similarity.min(1.0) * 10_000.0).round() / 10_000.0;
        edges.push(Edge::new(
            with_vectors[i].0,
            with_vectors[j].0,
            EdgeKind::Similar,
            weight,
        ));
    }
    (edges, comparisons)
}

#[cfg(test)]
mod tests;
