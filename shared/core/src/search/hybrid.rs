//! Hybrid search: BM25 matches from the text index and nearest neighbours from the vector
//! index, fused by weighted reciprocal rank, then adjusted for memories written by a person
//! the query names, and by recency, importance and trust.
//!
//! The weights were chosen on LoCoMo conversations (`search::locomo_eval`): with the built-in
//! static embedder, vector matches are weaker than BM25 on their own, so they get less weight.

use std::collections::HashMap;

use serde::Serialize;

use crate::app::App;
use crate::error::ApiResult;
use crate::ports::VectorMatch;
use crate::search::authors::author_named_in;
use crate::search::query::{fts_expression, query_terms};
use crate::store::memories::{self, Memory, MemoryFilter, TextMatch};
use crate::util::parse_time;

/// Candidates taken from each index before fusion.
const CANDIDATES_PER_INDEX: usize = 100;

/// Reciprocal rank fusion constant: a candidate at rank r contributes weight / (K + r).
const RRF_K: f64 = 60.0;
const LEXICAL_WEIGHT: f64 = 1.0;
const SEMANTIC_WEIGHT: f64 = 0.3;

/// Score multiplier for a memory whose author the query names: 1.3 lifts such a memory over
/// close candidates by others without outranking clearly better matches.
const AUTHOR_BOOST: f64 = 1.3;

/// A vector match below this cosine similarity is dropped, so a query about nothing in the
/// store returns nothing instead of its least distant neighbours.
const MIN_SEMANTIC_SIMILARITY: f32 = 0.3;

/// Days for the recency score to halve.
const RECENCY_HALF_LIFE_DAYS: f64 = 180.0;
const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// A search request: the query text, the number of results and the filters.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    pub limit: usize,
    pub filter: MemoryFilter,
}

/// The parts of the ranking, each in 0..=1 (lexical is relative to the best match).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub semantic: f64,
    pub lexical: f64,
    pub recency: f64,
    pub importance: f64,
    pub trust: f64,
    /// 1 when the query names the memory's author, else 0.
    pub author: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoredMemory {
    #[serde(flatten)]
    pub memory: Memory,
    pub score: f64,
    pub scores: Scores,
}

/// Signals each candidate collected from the two indexes.
#[derive(Debug, Default, Clone)]
struct Candidate {
    lexical_rank: Option<usize>,
    lexical_score: f64,
    semantic_rank: Option<usize>,
    similarity: f64,
}

/// Runs a hybrid search over the user's memories and returns the best `query.limit`.
pub async fn search(app: &App, user_id: &str, query: &SearchQuery) -> ApiResult<Vec<ScoredMemory>> {
    let started = app.now();
    let terms = query_terms(&query.text);
    // A query of only stop words, punctuation or symbols names no topic, and its vector
    // would match memories at random.
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    // The two indexes are independent I/O, so they are queried concurrently.
    let (lexical, semantic) = futures::future::join(
        lexical_matches(app, user_id, &terms, &query.filter),
        semantic_matches(app, user_id, &query.text),
    )
    .await;
    let (lexical, semantic) = (lexical?, semantic?);
    let matched = app.now();

    let candidates = collect_candidates(&lexical, &semantic);
    let ids: Vec<String> = candidates.keys().cloned().collect();
    let found = memories::memories_by_ids(app, user_id, &ids, &query.filter).await?;
    let best_lexical = lexical.first().map_or(0.0, |m| m.score);

    let now = app.now();
    let mut scored: Vec<ScoredMemory> = found
        .into_iter()
        .filter_map(|memory| {
            let candidate = candidates.get(&memory.id)?;
            let author_named = author_named_in(&memory, &terms);
            Some(score_memory(
                memory,
                candidate,
                best_lexical,
                author_named,
                now,
            ))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.memory.id.cmp(&b.memory.id))
    });
    scored.truncate(query.limit);
    memories::attach_links(app, user_id, scored.iter_mut().map(|s| &mut s.memory)).await?;
    tracing::info!(
        user.id = %user_id,
        search.lexical_matches = lexical.len(),
        search.semantic_matches = semantic.len(),
        search.results = scored.len(),
        search.match_ms = matched - started,
        search.hydrate_ms = app.now() - matched,
        "search"
    );
    Ok(scored)
}

async fn lexical_matches(
    app: &App,
    user_id: &str,
    terms: &[String],
    filter: &MemoryFilter,
) -> ApiResult<Vec<TextMatch>> {
    match fts_expression(terms) {
        Some(expression) => {
            let limit = CANDIDATES_PER_INDEX as i64;
            memories::text_matches(app, user_id, &expression, filter, limit).await
        }
        None => Ok(Vec::new()),
    }
}

/// Embeds the query and returns its nearest neighbours above the similarity floor. A failing
/// embedder degrades the search to text matching instead of failing it.
async fn semantic_matches(app: &App, user_id: &str, text: &str) -> ApiResult<Vec<VectorMatch>> {
    let embedder = app.embedder()?;
    let vectors = match embedder.embed(&[text.to_owned()]).await {
        Ok(vectors) => vectors,
        Err(error) => {
            tracing::warn!(user.id = %user_id, error = %error, "query embedding failed");
            return Ok(Vec::new());
        }
    };
    let Some(vector) = vectors.first() else {
        return Ok(Vec::new());
    };
    let model = embedder.model_id();
    let mut matches = app
        .vectors
        .query(user_id, model, vector, CANDIDATES_PER_INDEX)
        .await?;
    matches.retain(|m| m.similarity >= MIN_SEMANTIC_SIMILARITY);
    Ok(matches)
}

fn collect_candidates(
    lexical: &[TextMatch],
    semantic: &[VectorMatch],
) -> HashMap<String, Candidate> {
    let mut candidates: HashMap<String, Candidate> = HashMap::new();
    for (rank, m) in lexical.iter().enumerate() {
        let candidate = candidates.entry(m.memory_id.clone()).or_default();
        candidate.lexical_rank = Some(rank);
        candidate.lexical_score = m.score;
    }
    for (rank, m) in semantic.iter().enumerate() {
        let candidate = candidates.entry(m.memory_id.clone()).or_default();
        candidate.semantic_rank = Some(rank);
        candidate.similarity = f64::from(m.similarity);
    }
    candidates
}

fn reciprocal_rank(weight: f64, rank: Option<usize>) -> f64 {
    rank.map_or(0.0, |r| weight / (RRF_K + r as f64 + 1.0))
}

fn recency(event_time: &str, now_millis: i64) -> f64 {
    let Ok(event) = parse_time("eventTime", event_time) else {
        return 0.0;
    };
    let age_days = ((now_millis - event) as f64 / MILLIS_PER_DAY).max(0.0);
    0.5f64.powf(age_days / RECENCY_HALF_LIFE_DAYS)
}

fn score_memory(
    memory: Memory,
    candidate: &Candidate,
    best_lexical: f64,
    author_named: bool,
    now: i64,
) -> ScoredMemory {
    let fused = reciprocal_rank(LEXICAL_WEIGHT, candidate.lexical_rank)
        + reciprocal_rank(SEMANTIC_WEIGHT, candidate.semantic_rank);
    let best_fused = (LEXICAL_WEIGHT + SEMANTIC_WEIGHT) / (RRF_K + 1.0);
    let scores = Scores {
        semantic: candidate.similarity.max(0.0),
        lexical: if best_lexical > 0.0 {
            candidate.lexical_score / best_lexical
        } else {
            0.0
        },
        recency: recency(&memory.event_time, now),
        importance: memory.importance,
        trust: memory.trust,
        author: if author_named { 1.0 } else { 0.0 },
    };
    // Recency, importance and trust adjust the fused rank by at most a few tenths, so they
    // order close candidates without overriding relevance.
    let adjustment = (0.9 + 0.1 * scores.recency)
        * (0.8 + 0.4 * scores.importance)
        * (0.5 + 0.5 * scores.trust)
        * if author_named { AUTHOR_BOOST } else { 1.0 };
    ScoredMemory {
        score: fused / best_fused * adjustment,
        memory,
        scores,
    }
}
