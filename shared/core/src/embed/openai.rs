//! A client for OpenAI-compatible embeddings endpoints (`POST {base}/v1/embeddings`), such as
//! OpenAI itself or a local Ollama.

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::ports::{Embedder, HttpClient};

/// Maximum number of texts sent in one request, because providers cap batch sizes (OpenAI
/// documents 2,048 inputs per request).
const MAX_BATCH: usize = 256;

pub struct OpenAiEmbedder {
    http: Box<dyn HttpClient>,
    url: String,
    model: String,
    model_id: String,
    api_key: Option<String>,
}

impl std::fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenAiEmbedder({}, {})", self.url, self.model)
    }
}

impl OpenAiEmbedder {
    /// `base_url` may end in `/v1` or not; the path `/v1/embeddings` is added once.
    pub fn new(
        http: Box<dyn HttpClient>,
        base_url: &str,
        model: &str,
        api_key: Option<String>,
    ) -> OpenAiEmbedder {
        let base = base_url.trim_end_matches('/').trim_end_matches("/v1");
        OpenAiEmbedder {
            http,
            url: format!("{base}/v1/embeddings"),
            model: model.to_owned(),
            model_id: format!("openai:{model}"),
            api_key,
        }
    }

    async fn embed_batch(&self, texts: &[String]) -> ApiResult<Vec<Vec<f32>>> {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(key) = &self.api_key {
            headers.push(("authorization".to_owned(), format!("Bearer {key}")));
        }
        let body = json!({ "model": self.model, "input": texts });
        let (status, response) = self.http.post_json(&self.url, &headers, &body).await?;
        if status != 200 {
            return Err(ApiError::internal(format!(
                "embeddings endpoint returned {status}"
            )));
        }
        parse_embeddings(&response, texts.len())
    }
}

/// Reads `data[].embedding` in `data[].index` order and checks one vector came per text.
fn parse_embeddings(response: &Value, expected: usize) -> ApiResult<Vec<Vec<f32>>> {
    let bad = || ApiError::internal("embeddings endpoint returned an unexpected body");
    let data = response
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    let mut vectors: Vec<Option<Vec<f32>>> = vec![None; expected];
    for (position, item) in data.iter().enumerate() {
        let index = item
            .get("index")
            .and_then(Value::as_u64)
            .map_or(position, |i| i as usize);
        let values = item
            .get("embedding")
            .and_then(Value::as_array)
            .ok_or_else(bad)?;
        let vector: Option<Vec<f32>> = values
            .iter()
            .map(|v| v.as_f64().map(|f| f as f32))
            .collect();
        *vectors.get_mut(index).ok_or_else(bad)? = Some(vector.ok_or_else(bad)?);
    }
    vectors.into_iter().map(|v| v.ok_or_else(bad)).collect()
}

#[async_trait(?Send)]
impl Embedder for OpenAiEmbedder {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Each request the fake server received: URL, headers and body.
    type RequestLog = Rc<RefCell<Vec<(String, Vec<(String, String)>, Value)>>>;

    /// Replies as an OpenAI-compatible server would, with the items in reverse order.
    struct FakeServer {
        requests: RequestLog,
    }

    #[async_trait(?Send)]
    impl HttpClient for FakeServer {
        async fn post_json(
            &self,
            url: &str,
            headers: &[(String, String)],
            body: &Value,
        ) -> ApiResult<(u16, Value)> {
            self.requests
                .borrow_mut()
                .push((url.to_owned(), headers.to_vec(), body.clone()));
            let inputs = body["input"].as_array().cloned().unwrap_or_default();
            let data: Vec<Value> = inputs
                .iter()
                .enumerate()
                .rev()
                .map(|(i, _)| json!({ "object": "embedding", "index": i, "embedding": [i as f64, 1.0] }))
                .collect();
            Ok((
                200,
                json!({ "object": "list", "data": data, "model": body["model"] }),
            ))
        }
    }

    fn embedder_with_log() -> (OpenAiEmbedder, RequestLog) {
        let requests = Rc::new(RefCell::new(Vec::new()));
        let server = FakeServer {
            requests: requests.clone(),
        };
        let embedder = OpenAiEmbedder::new(
            Box::new(server),
            "http://127.0.0.1:11434/v1/",
            "nomic-embed-text",
            Some("k".into()),
        );
        (embedder, requests)
    }

    #[test]
    fn openai_embedder_orders_vectors_by_index() {
        let (embedder, _) = embedder_with_log();
        let texts = ["a", "b", "c"].map(String::from);
        let vectors = block_on(embedder.embed(&texts)).unwrap();
        assert_eq!(
            vectors,
            vec![vec![0.0, 1.0], vec![1.0, 1.0], vec![2.0, 1.0]]
        );
    }

    #[test]
    fn openai_embedder_posts_to_v1_embeddings_once() {
        let (embedder, requests) = embedder_with_log();
        block_on(embedder.embed(&["a".to_owned()])).unwrap();
        assert_eq!(
            requests.borrow()[0].0,
            "http://127.0.0.1:11434/v1/embeddings"
        );
    }

    #[test]
    fn openai_embedder_sends_bearer_key() {
        let (embedder, requests) = embedder_with_log();
        block_on(embedder.embed(&["a".to_owned()])).unwrap();
        let headers = &requests.borrow()[0].1;
        assert!(headers.contains(&("authorization".to_owned(), "Bearer k".to_owned())));
    }

    #[test]
    fn parse_embeddings_rejects_missing_vector() {
        let response = json!({ "data": [{ "index": 0, "embedding": [1.0] }] });
        assert!(parse_embeddings(&response, 2).is_err());
    }
}
