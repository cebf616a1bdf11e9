//! Chooses the embedder a route-group Worker hands to the core.

use botmem_core::ports::Embedder;
use botmem_core::{ApiResult, Config};
use worker::Env;

/// Builds the embedder that `config.embedder` names, for Workers built with an embedder:
/// the built-in model, Workers AI through the `AI` binding, or an OpenAI-compatible
/// endpoint reached with `fetch`.
///
/// Workers built without the `builtin-embedder` feature never embed text and get `None`.
#[cfg(feature = "builtin-embedder")]
pub fn embedder_for(config: &Config, env: &Env) -> ApiResult<Option<Box<dyn Embedder>>> {
    use botmem_core::embed::openai::OpenAiEmbedder;
    use botmem_core::EmbedderConfig;

    use crate::{FetchHttpClient, WorkersAiEmbedder};

    match &config.embedder {
        EmbedderConfig::Builtin => botmem_core::embed::builtin_embedder().map(Some),
        EmbedderConfig::WorkersAi { model } => {
            Ok(Some(Box::new(WorkersAiEmbedder::from_env(env, model)?)))
        }
        EmbedderConfig::OpenAiCompatible {
            base_url,
            model,
            api_key,
        } => {
            let http = Box::new(FetchHttpClient::default());
            let embedder = OpenAiEmbedder::new(http, base_url, model, api_key.clone());
            Ok(Some(Box::new(embedder)))
        }
    }
}

/// Builds no embedder: this Worker was compiled without one.
#[cfg(not(feature = "builtin-embedder"))]
pub fn embedder_for(_config: &Config, _env: &Env) -> ApiResult<Option<Box<dyn Embedder>>> {
    Ok(None)
}
