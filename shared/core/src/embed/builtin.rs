//! The built-in embedder: a static token-embedding table distilled from all-MiniLM-L6-v2
//! (256 dimensions, int8), compiled into the binary. It needs no network and no key, runs in
//! about 12 µs per text in V8, and needs about 23 MB of memory once loaded.

use std::cell::OnceCell;
use std::rc::Rc;

use async_trait::async_trait;
use model2vec_rs::model::StaticModel;

use crate::error::{ApiError, ApiResult};
use crate::ports::Embedder;

/// Model id stored with every vector this embedder makes. Change it whenever the table changes.
pub const BUILTIN_MODEL_ID: &str = "builtin:minilm-static-256-v1";

macro_rules! model_file {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/embedder/minilm-static-256/",
            $name
        ))
    };
}

static TOKENIZER: &[u8] = model_file!("tokenizer.json");
static TABLE: &[u8] = model_file!("model.safetensors");
static MODEL_CONFIG: &[u8] = model_file!("config.json");

thread_local! {
    /// Loaded once per thread (a Worker isolate has one), because parsing costs about 25 ms.
    static MODEL: OnceCell<Rc<StaticModel>> = const { OnceCell::new() };
}

/// The built-in static model.
pub struct BuiltinEmbedder {
    model: Rc<StaticModel>,
}

impl std::fmt::Debug for BuiltinEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuiltinEmbedder({BUILTIN_MODEL_ID})")
    }
}

fn load_model() -> ApiResult<Rc<StaticModel>> {
    let model = StaticModel::from_bytes(TOKENIZER, TABLE, MODEL_CONFIG, Some(true))
        .map_err(|error| ApiError::internal(format!("loading the built-in model: {error}")))?;
    Ok(Rc::new(model))
}

/// Returns the built-in embedder, loading the model on first use in this thread.
pub fn builtin_embedder() -> ApiResult<Box<dyn Embedder>> {
    let model = MODEL.with(|cell| match cell.get() {
        Some(model) => Ok(model.clone()),
        None => {
            let model = load_model()?;
            Ok::<_, ApiError>(cell.get_or_init(|| model).clone())
        }
    })?;
    Ok(Box::new(BuiltinEmbedder { model }))
}

#[async_trait(?Send)]
impl Embedder for BuiltinEmbedder {
    fn model_id(&self) -> &str {
        BUILTIN_MODEL_ID
    }

    async fn embed(&self, texts: &[String]) -> ApiResult<Vec<Vec<f32>>> {
        Ok(texts
            .iter()
            .map(|text| self.model.encode_single(text))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::exact_index::normalize;
    use crate::testing::block_on;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        normalize(&mut a);
        normalize(&mut b);
        a.iter().zip(&b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn builtin_embedder_makes_256_dimensions() {
        let embedder = builtin_embedder().unwrap();
        let vectors = block_on(embedder.embed(&["hello world".to_owned()])).unwrap();
        assert_eq!(vectors[0].len(), 256);
    }

    #[test]
    fn builtin_embedder_ranks_paraphrase_above_unrelated() {
        let embedder = builtin_embedder().unwrap();
        let texts = [
            "What repairs does her automobile need?",
            "The mechanic said the brakes will need replacing soon.",
            "She grows basil and tomatoes on her balcony.",
        ]
        .map(String::from);
        let v = block_on(embedder.embed(&texts)).unwrap();
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
    }
}
