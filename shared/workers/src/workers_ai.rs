//! The core's [`Embedder`] over Workers AI, through the `AI` binding.
//!
//! A text embedding model takes `{text: [..]}` and returns `{shape: [n, dims], data: [[..]]}`
//! with one vector per text, in input order. The binding is declared here rather than taken
//! from `worker::Ai`, because `Env::ai` accepts only a binding whose constructor is `Ai`.
//! This way a service binding to a Worker entrypoint with a `run` method (the test fake)
//! works too.

use async_trait::async_trait;
use botmem_core::ports::Embedder;
use botmem_core::{ApiError, ApiResult};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Promise, Reflect};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

use crate::vectorize::js_error_message;

/// The name of the Workers AI binding in the Worker's configuration.
pub const BINDING: &str = "AI";

/// The maximum number of texts in one `run` call. The input schema of the BGE embedding models
/// (`@cf/baai/bge-small-en-v1.5`, `-base-`, `-large-`) gives the `text` array
/// `"maxItems": 100` (Workers AI model pages, developers.cloudflare.com/workers-ai/models/).
const MAX_BATCH: usize = 100;

#[wasm_bindgen]
extern "C" {
    /// The `AI` binding, or an object with the same `run` method.
    #[derive(Debug, Clone)]
    pub type AiBinding;

    #[wasm_bindgen(method, catch)]
    fn run(this: &AiBinding, model: &str, inputs: &JsValue) -> Result<JsValue, JsValue>;
}

/// The input of a text embedding model.
#[derive(Debug, Serialize)]
struct EmbeddingInput<'a> {
    text: &'a [String],
}

/// Embeds text with a Workers AI model, such as `@cf/baai/bge-small-en-v1.5`.
#[derive(Debug)]
pub struct WorkersAiEmbedder {
    binding: AiBinding,
    model: String,
    model_id: String,
}

impl WorkersAiEmbedder {
    /// Builds the embedder for `model` over the binding named [`BINDING`]. A missing binding
    /// is an error that names the configuration line to add.
    pub fn from_env(env: &Env, model: &str) -> ApiResult<WorkersAiEmbedder> {
        let binding = Reflect::get(env.as_ref(), &JsValue::from_str(BINDING))
            .ok()
            .filter(|binding| !binding.is_undefined() && !binding.is_null())
            .ok_or_else(|| {
                ApiError::internal(
                    "EMBEDDER is workers-ai but the Worker has no AI binding: \
                     add `[ai] binding = \"AI\"` to its wrangler configuration",
                )
            })?;
        Ok(WorkersAiEmbedder {
            binding: binding.unchecked_into(),
            model: model.to_owned(),
            model_id: format!("workers-ai:{model}"),
        })
    }

    async fn embed_batch(&self, texts: &[String]) -> ApiResult<Vec<Vec<f32>>> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let input = EmbeddingInput { text: texts }
            .serialize(&serializer)
            .map_err(|error| ApiError::internal(format!("Workers AI input: {error}")))?;
        let pending = self
            .binding
            .run(&self.model, &input)
            .map_err(|e| self.run_error(&e))?;
        // A service binding returns a thenable rather than a `Promise`.
        let output = JsFuture::from(Promise::resolve(&pending))
            .await
            .map_err(|error| self.run_error(&error))?;
        let output: Value = serde_wasm_bindgen::from_value(output)
            .map_err(|error| ApiError::internal(format!("Workers AI output: {error}")))?;
        parse_embeddings(&output, texts.len())
    }

    fn run_error(&self, error: &JsValue) -> ApiError {
        let message = js_error_message(error);
        ApiError::internal(format!("Workers AI model {} failed: {message}", self.model))
    }
}

#[async_trait(?Send)]
impl Embedder for WorkersAiEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    async fn embed(&self, texts: &[String]) -> ApiResult<Vec<Vec<f32>>> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(MAX_BATCH) {
            vectors.extend(self.embed_batch(batch).await?);
        }
        Ok(vectors)
    }
}

/// Reads `data` from a text embedding model's output and checks that it contains `expected`
/// vectors of one length, matching `shape` when the output has one.
fn parse_embeddings(output: &Value, expected: usize) -> ApiResult<Vec<Vec<f32>>> {
    let invalid = |what: &str| ApiError::internal(format!("Workers AI output is invalid: {what}"));
    let data = output
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no data"))?;
    let vectors = data
        .iter()
        .map(|row| {
            let row = row.as_array()?;
            row.iter()
                .map(|v| v.as_f64().map(|v| v as f32))
                .collect::<Option<Vec<f32>>>()
        })
        .collect::<Option<Vec<Vec<f32>>>>()
        .ok_or_else(|| invalid("data is not an array of number arrays"))?;

    if vectors.len() != expected {
        return Err(invalid(&format!(
            "{} vectors for {expected} texts",
            vectors.len()
        )));
    }
    let dims = vectors.first().map_or(0, Vec::len);
    if vectors.iter().any(|v| v.len() != dims || v.is_empty()) {
        return Err(invalid("vectors are empty or differ in length"));
    }
    if let Some(shape) = output.get("shape") {
        let sizes: Option<Vec<f64>> = shape
            .as_array()
            .and_then(|sizes| sizes.iter().map(Value::as_f64).collect());
        if sizes != Some(vec![expected as f64, dims as f64]) {
            return Err(invalid(&format!("shape {shape} does not match data")));
        }
    }
    Ok(vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_embeddings_reads_data_in_order() {
        let output = json!({ "shape": [2, 3], "data": [[1.0, 0.0, 0.5], [0.0, 1.0, -0.5]] });
        let vectors = parse_embeddings(&output, 2).unwrap();
        assert_eq!(vectors, vec![vec![1.0, 0.0, 0.5], vec![0.0, 1.0, -0.5]]);
    }

    #[test]
    fn parse_embeddings_accepts_output_without_shape() {
        let output = json!({ "data": [[0.25, 0.75]] });
        assert_eq!(
            parse_embeddings(&output, 1).unwrap(),
            vec![vec![0.25, 0.75]]
        );
    }

    #[test]
    fn parse_embeddings_rejects_body_without_data() {
        let error = parse_embeddings(&json!({ "error": "model not found" }), 1).unwrap_err();
        assert!(error.to_string().contains("no data"), "{error}");
    }

    #[test]
    fn parse_embeddings_rejects_non_numbers() {
        let output = json!({ "shape": [1, 2], "data": [[0.5, "x"]] });
        assert!(parse_embeddings(&output, 1).is_err());
    }

    #[test]
    fn parse_embeddings_rejects_missing_vector() {
        let output = json!({ "shape": [1, 2], "data": [[0.5, 0.5]] });
        let error = parse_embeddings(&output, 2).unwrap_err();
        assert!(
            error.to_string().contains("1 vectors for 2 texts"),
            "{error}"
        );
    }

    #[test]
    fn parse_embeddings_rejects_ragged_vectors() {
        let output = json!({ "data": [[0.5, 0.5], [0.5]] });
        assert!(parse_embeddings(&output, 2).is_err());
    }

    #[test]
    fn parse_embeddings_rejects_wrong_shape() {
        let output = json!({ "shape": [1, 384], "data": [[0.5, 0.5]] });
        let error = parse_embeddings(&output, 1).unwrap_err();
        assert!(error.to_string().contains("shape"), "{error}");
    }
}
