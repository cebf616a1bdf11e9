//! Chooses the embedder a route-group Worker hands to the core.

use botmem_core::ports::Embedder;
use botmem_core::{ApiResult, Config};
use worker::Env;

/// Builds the embedder that `config.embedder` names, for Workers built with an embedder.
/// Other embedder choices (Workers AI, an OpenAI-compatible endpoint) plug in here.
///
/// Workers built without the `builtin-embedder` feature never embed text and get `None`.
#[cfg(feature = "builtin-embedder")]
pub fn embedder_for(config: &Config, _env: &Env) -> ApiResult<Option<Box<dyn Embedder>>> {
    use botmem_core::EmbedderConfig;

    match &config.embedder {
        EmbedderConfig::Builtin => botmem_core::embed::builtin_embedder().map(Some),
        // TODO: wire Workers AI (the `AI` binding) and the OpenAI-compatible client. Until
        // then routes that embed fail with "no embedder configured" and log it as a 500.
        EmbedderConfig::WorkersAi { .. } | EmbedderConfig::OpenAiCompatible { .. } => {
            tracing::warn!(embedder = ?config.embedder, "embedder is not available on Workers yet");
            Ok(None)
        }
    }
}

/// Builds no embedder: this Worker was compiled without one.
#[cfg(not(feature = "builtin-embedder"))]
pub fn embedder_for(_config: &Config, _env: &Env) -> ApiResult<Option<Box<dyn Embedder>>> {
    Ok(None)
}
