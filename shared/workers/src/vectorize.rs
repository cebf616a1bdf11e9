//! The core's [`VectorIndex`] over a Vectorize index bound as `VECTORS`.
//!
//! Each user's vectors live in the namespace named by the user id, so a query never leaves
//! the user's vectors. The embedder's model id is stored in the metadata field `model`, and
//! every query filters on it, so vectors of different models are never compared. `getByIds`
//! takes no namespace or filter, so the adapter drops each vector it returns from another
//! namespace or model.
//!
//! The deployed index must match these assumptions, and its configuration cannot change
//! after creation. Create it with the cosine metric, because the core reads each match's
//! score as a cosine similarity, and with the embedder's output dimensions (384 for
//! `@cf/baai/bge-small-en-v1.5`). Create the metadata index on `model` before the first
//! vector is inserted, because Vectorize only filters vectors written after it exists:
//!
//! ```sh
//! npx wrangler vectorize create botmem-memories --dimensions=384 --metric=cosine
//! npx wrangler vectorize create-metadata-index botmem-memories --property-name=model --type=string
//! ```
//!
//! Vectorize applies writes asynchronously: an upserted vector becomes searchable, and a
//! deleted one stops matching, a few seconds later. Searches stay correct meanwhile,
//! because the core loads every match from D1 and drops ids it no longer stores.
//!
//! NOTE: an index contains at most 50,000 namespaces on Workers Paid and 1,000 on Free
//! (Vectorize limits page), so one index serves at most that many users. A string metadata
//! index covers the first 64 bytes of a value, so model ids must differ within 64 bytes.
//!
//! workers-rs 0.8.7 has no Vectorize type, so the binding's methods are declared below.
//! They are called by name, so a service binding to a Worker entrypoint with the same
//! methods (the test fake) works in its place.

use std::collections::HashMap;
use std::rc::Rc;

use async_trait::async_trait;
use botmem_core::ports::{Database, VectorIndex, VectorMatch, VectorRecord};
use botmem_core::search::exact_index::{ExactIndex, VectorCache};
use botmem_core::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Promise, Reflect};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

/// The name of the Vectorize binding in the Worker's configuration.
pub const BINDING: &str = "VECTORS";

/// The maximum `topK` of one query. Vectorize caps `topK` at 20 when a query returns values
/// or metadata, and at 100 when it returns neither (Vectorize limits page,
/// developers.cloudflare.com/vectorize/platform/limits/). Queries here return ids only,
/// because the core loads each memory from D1, so the higher cap applies. Search asks for 100
/// candidates, and fewer lowered its quality in measurements.
pub const MAX_TOP_K: usize = 100;

/// The maximum number of ids in one `deleteByIds` call. Vectorize documents 1,000 vectors
/// per upsert batch from a Worker.
// NOTE: the limits page gives no cap for `deleteByIds`, so the upsert cap is assumed.
const MAX_DELETE_BATCH: usize = 1000;

/// The maximum number of ids in one `getByIds` call, whose results carry values and
/// metadata. Vectorize caps a query that returns values or metadata at 20 results.
// NOTE: the limits page gives no cap for `getByIds`, so the cap of queries that return values
// is assumed. 500 ids take 25 calls.
const MAX_GET_BATCH: usize = 20;

#[wasm_bindgen]
extern "C" {
    /// The `VECTORS` binding: a Vectorize index, or an object with the same methods.
    #[derive(Debug, Clone)]
    pub type VectorizeBinding;

    #[wasm_bindgen(method, catch)]
    fn upsert(this: &VectorizeBinding, vectors: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn query(
        this: &VectorizeBinding,
        vector: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = deleteByIds)]
    fn delete_by_ids(this: &VectorizeBinding, ids: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getByIds)]
    fn get_by_ids(this: &VectorizeBinding, ids: &JsValue) -> Result<JsValue, JsValue>;
}

/// One vector as `upsert` takes it.
#[derive(Debug, Serialize)]
struct VectorizeVector<'a> {
    id: &'a str,
    values: &'a [f32],
    namespace: &'a str,
    metadata: ModelMetadata<'a>,
}

/// The metadata stored with each vector, and the equality filter of each query.
#[derive(Debug, Serialize)]
struct ModelMetadata<'a> {
    model: &'a str,
}

/// The options of `query`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryOptions<'a> {
    top_k: usize,
    namespace: &'a str,
    return_values: bool,
    return_metadata: &'static str,
    filter: ModelMetadata<'a>,
}

/// The result of `query`: matches ordered by score, most similar first.
#[derive(Debug, Deserialize)]
struct QueryResult {
    matches: Vec<QueryMatch>,
}

#[derive(Debug, Deserialize)]
struct QueryMatch {
    id: String,
    score: f32,
}

/// One vector as `getByIds` returns it. Vectorize omits `namespace` for a vector stored
/// outside any namespace.
#[derive(Debug, Deserialize)]
struct StoredVector {
    id: String,
    values: Vec<f32>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    metadata: Option<StoredMetadata>,
}

#[derive(Debug, Deserialize)]
struct StoredMetadata {
    #[serde(default)]
    model: Option<String>,
}

/// Returns the Vectorize index when the Worker binds [`BINDING`], else the exact index over
/// the database's `memory_vectors` table.
pub fn vector_index_for(
    env: &Env,
    db: Rc<dyn Database>,
    cache: Rc<VectorCache>,
) -> Box<dyn VectorIndex> {
    match VectorizeIndex::from_env(env) {
        Some(index) => Box::new(index),
        None => Box::new(ExactIndex::new(db, cache)),
    }
}

/// Nearest-neighbour search over a Vectorize index, one namespace per user.
#[derive(Debug)]
pub struct VectorizeIndex {
    binding: VectorizeBinding,
}

impl VectorizeIndex {
    /// Returns the index bound as [`BINDING`], or `None` when the Worker has no such binding.
    pub fn from_env(env: &Env) -> Option<VectorizeIndex> {
        let binding = Reflect::get(env.as_ref(), &JsValue::from_str(BINDING)).ok()?;
        if binding.is_undefined() || binding.is_null() {
            return None;
        }
        Some(VectorizeIndex {
            binding: binding.unchecked_into(),
        })
    }
}

#[async_trait(?Send)]
impl VectorIndex for VectorizeIndex {
    async fn upsert(&self, record: &VectorRecord) -> ApiResult<()> {
        let vectors = [VectorizeVector {
            id: &record.memory_id,
            values: &record.values,
            namespace: &record.user_id,
            metadata: ModelMetadata {
                model: &record.model,
            },
        }];
        let vectors = to_js(&vectors)?;
        settle("upsert", self.binding.upsert(&vectors)).await?;
        Ok(())
    }

    /// Deletes by id. Vectorize ids are unique across namespaces, and memory ids are derived
    /// from the user id, so `user_id` is not needed to find them. The core checks that the
    /// memories belong to the user before it calls this.
    async fn delete(&self, _user_id: &str, memory_ids: &[String]) -> ApiResult<()> {
        for batch in memory_ids.chunks(MAX_DELETE_BATCH) {
            let ids = to_js(batch)?;
            settle("deleteByIds", self.binding.delete_by_ids(&ids)).await?;
        }
        Ok(())
    }

    /// Returns at most [`MAX_TOP_K`] matches, however large `top_k` is.
    async fn query(
        &self,
        user_id: &str,
        model: &str,
        vector: &[f32],
        top_k: usize,
    ) -> ApiResult<Vec<VectorMatch>> {
        let top_k = top_k.min(MAX_TOP_K);
        if top_k == 0 || vector.is_empty() {
            return Ok(Vec::new());
        }
        let options = query_options(user_id, model, top_k);
        let result = settle(
            "query",
            self.binding.query(&to_js(vector)?, &to_js(&options)?),
        )
        .await?;
        let result: QueryResult = serde_wasm_bindgen::from_value(result)
            .map_err(|error| ApiError::internal(format!("Vectorize query result: {error}")))?;
        Ok(to_matches(result))
    }

    /// Calls `getByIds` once per [`MAX_GET_BATCH`] ids, one call after another.
    async fn vectors_by_ids(
        &self,
        user_id: &str,
        model: &str,
        memory_ids: &[String],
    ) -> ApiResult<HashMap<String, Vec<f32>>> {
        let mut found = HashMap::new();
        for batch in memory_ids.chunks(MAX_GET_BATCH) {
            let result = settle("getByIds", self.binding.get_by_ids(&to_js(batch)?)).await?;
            let stored: Vec<StoredVector> =
                serde_wasm_bindgen::from_value(result).map_err(|error| {
                    ApiError::internal(format!("Vectorize getByIds result: {error}"))
                })?;
            found.extend(own_vectors(user_id, model, stored));
        }
        Ok(found)
    }
}

/// Keeps the vectors of `getByIds` that lie in the user's namespace and carry `model`.
/// `getByIds` looks ids up across every namespace, so this check is what keeps another
/// user's vector out, even for an id the caller made up.
fn own_vectors<'a>(
    user_id: &'a str,
    model: &'a str,
    stored: Vec<StoredVector>,
) -> impl Iterator<Item = (String, Vec<f32>)> + 'a {
    stored.into_iter().filter_map(move |vector| {
        let in_namespace = vector.namespace.as_deref() == Some(user_id);
        let stored_model = vector.metadata.as_ref().and_then(|m| m.model.as_deref());
        (in_namespace && stored_model == Some(model)).then_some((vector.id, vector.values))
    })
}

/// Builds the options of a query: ids and scores only, in the user's namespace, of one model.
fn query_options<'a>(user_id: &'a str, model: &'a str, top_k: usize) -> QueryOptions<'a> {
    QueryOptions {
        top_k,
        namespace: user_id,
        return_values: false,
        return_metadata: "none",
        filter: ModelMetadata { model },
    }
}

/// Converts Vectorize matches to the core's. With the cosine metric, Vectorize's score is
/// the cosine similarity, from -1 (opposite) to 1 (identical).
fn to_matches(result: QueryResult) -> Vec<VectorMatch> {
    result
        .matches
        .into_iter()
        .map(|m| VectorMatch {
            memory_id: m.id,
            similarity: m.score,
        })
        .collect()
}

/// Converts a value to JavaScript with maps as plain objects, which RPC and Vectorize need.
fn to_js<T: Serialize + ?Sized>(value: &T) -> ApiResult<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| ApiError::internal(format!("Vectorize argument: {error}")))
}

/// Awaits the result of a binding call. A service binding returns a thenable rather than a
/// `Promise`, so the result goes through `Promise.resolve` first.
async fn settle(operation: &str, call: Result<JsValue, JsValue>) -> ApiResult<JsValue> {
    let pending = call.map_err(|error| binding_error(operation, &error))?;
    JsFuture::from(Promise::resolve(&pending))
        .await
        .map_err(|error| binding_error(operation, &error))
}

fn binding_error(operation: &str, error: &JsValue) -> ApiError {
    ApiError::internal(format!(
        "Vectorize {operation} failed: {}",
        js_error_message(error)
    ))
}

/// Returns the message of a thrown JavaScript value.
pub(crate) fn js_error_message(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<worker::js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_options_ask_for_ids_in_user_namespace() {
        let options = serde_json::to_value(query_options("usr_a", "openai:m", 50)).unwrap();
        let expected = json!({
            "topK": 50,
            "namespace": "usr_a",
            "returnValues": false,
            "returnMetadata": "none",
            "filter": { "model": "openai:m" },
        });
        assert_eq!(options, expected);
    }

    #[test]
    fn upserted_vector_carries_namespace_and_model() {
        let vector = VectorizeVector {
            id: "mem_1",
            values: &[0.5, 0.25],
            namespace: "usr_a",
            metadata: ModelMetadata {
                model: "workers-ai:@cf/baai/bge-small-en-v1.5",
            },
        };
        let expected = json!({
            "id": "mem_1",
            "values": [0.5, 0.25],
            "namespace": "usr_a",
            "metadata": { "model": "workers-ai:@cf/baai/bge-small-en-v1.5" },
        });
        assert_eq!(serde_json::to_value(vector).unwrap(), expected);
    }

    #[test]
    fn query_result_keeps_order_and_scores() {
        let body = json!({
            "count": 2,
            "matches": [{ "id": "mem_b", "score": 0.9 }, { "id": "mem_a", "score": -0.25 }],
        });
        let matches = to_matches(serde_json::from_value(body).unwrap());
        let ids: Vec<&str> = matches.iter().map(|m| m.memory_id.as_str()).collect();
        assert_eq!(ids, ["mem_b", "mem_a"]);
        assert_eq!(matches[1].similarity, -0.25);
    }

    #[test]
    fn own_vectors_keep_user_namespace_and_model() {
        let body = json!([
            { "id": "mem_a", "values": [0.5, 0.5], "namespace": "usr_a",
              "metadata": { "model": "m1" } },
            { "id": "mem_b", "values": [0.1, 0.2], "namespace": "usr_b",
              "metadata": { "model": "m1" } },
            { "id": "mem_c", "values": [0.3, 0.4], "namespace": "usr_a",
              "metadata": { "model": "m0" } },
            { "id": "mem_d", "values": [0.3, 0.4], "metadata": { "model": "m1" } },
            { "id": "mem_e", "values": [0.3, 0.4], "namespace": "usr_a" },
        ]);
        let stored: Vec<StoredVector> = serde_json::from_value(body).unwrap();

        let kept: Vec<(String, Vec<f32>)> = own_vectors("usr_a", "m1", stored).collect();

        assert_eq!(kept, [("mem_a".to_owned(), vec![0.5, 0.5])]);
    }

    #[test]
    fn query_result_without_matches_is_rejected() {
        let parsed = serde_json::from_value::<QueryResult>(json!({ "count": 0 }));
        assert!(parsed.is_err());
    }
}
