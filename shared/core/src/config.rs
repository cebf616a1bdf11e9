//! Configuration, read once by each platform's entry point into a typed struct. The core never
//! reads the environment itself.

use std::fmt;

use crate::error::{ApiError, ApiResult};

/// The embedder that turns text into vectors.
#[derive(Clone, PartialEq, Eq)]
pub enum EmbedderConfig {
    /// The static model compiled into the function; needs no network and no key.
    Builtin,
    /// Workers AI through the `AI` binding, with a model name such as `@cf/baai/bge-small-en-v1.5`.
    WorkersAi { model: String },
    /// Any OpenAI-compatible `/v1/embeddings` endpoint, such as Ollama.
    OpenAiCompatible {
        base_url: String,
        model: String,
        api_key: Option<String>,
    },
}

impl fmt::Debug for EmbedderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmbedderConfig::Builtin => write!(f, "Builtin"),
            EmbedderConfig::WorkersAi { model } => write!(f, "WorkersAi({model})"),
            EmbedderConfig::OpenAiCompatible {
                base_url,
                model,
                api_key,
            } => {
                let key = if api_key.is_some() {
                    "<redacted>"
                } else {
                    "none"
                };
                write!(f, "OpenAiCompatible({base_url}, {model}, key: {key})")
            }
        }
    }
}

/// Settings shared by every route group.
#[derive(Clone)]
pub struct Config {
    /// HMAC key for access tokens (HS256). At least 32 bytes.
    pub jwt_secret: Vec<u8>,
    pub embedder: EmbedderConfig,
    /// Whether the refresh cookie carries `Secure`. Off only for plain-HTTP local development.
    pub secure_cookies: bool,
    pub version: String,
    pub commit: String,
    pub platform: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("jwt_secret", &"<redacted>")
            .field("embedder", &self.embedder)
            .field("secure_cookies", &self.secure_cookies)
            .field("version", &self.version)
            .field("commit", &self.commit)
            .field("platform", &self.platform)
            .finish()
    }
}

/// The smallest accepted `JWT_SECRET`, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Config {
    /// Builds the configuration from named settings (environment variables, Worker vars and
    /// secrets). A missing or invalid required setting is an error that names it.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        platform: &str,
    ) -> ApiResult<Config> {
        let jwt_secret = lookup("JWT_SECRET")
            .ok_or_else(|| ApiError::internal("missing setting JWT_SECRET"))?
            .into_bytes();
        if jwt_secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(ApiError::internal(format!(
                "setting JWT_SECRET is too short: use at least {MIN_JWT_SECRET_BYTES} bytes"
            )));
        }
        Ok(Config {
            jwt_secret,
            embedder: embedder_from_lookup(&lookup)?,
            secure_cookies: lookup("SECURE_COOKIES").as_deref() != Some("false"),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: lookup("GIT_COMMIT").unwrap_or_else(|| "unknown".to_owned()),
            platform: platform.to_owned(),
        })
    }
}

/// Reads `EMBEDDER` (`builtin`, `workers-ai` or `openai`) and the settings each choice needs.
fn embedder_from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> ApiResult<EmbedderConfig> {
    let choice = lookup("EMBEDDER").unwrap_or_else(|| "builtin".to_owned());
    match choice.as_str() {
        "builtin" => Ok(EmbedderConfig::Builtin),
        "workers-ai" => Ok(EmbedderConfig::WorkersAi {
            model: lookup("EMBEDDING_MODEL")
                .unwrap_or_else(|| "@cf/baai/bge-small-en-v1.5".to_owned()),
        }),
        "openai" => Ok(EmbedderConfig::OpenAiCompatible {
            base_url: lookup("EMBEDDING_BASE_URL")
                .ok_or_else(|| ApiError::internal("missing setting EMBEDDING_BASE_URL"))?,
            model: lookup("EMBEDDING_MODEL")
                .ok_or_else(|| ApiError::internal("missing setting EMBEDDING_MODEL"))?,
            api_key: lookup("EMBEDDING_API_KEY").filter(|key| !key.is_empty()),
        }),
        other => Err(ApiError::internal(format!(
            "invalid setting EMBEDDER {other:?}: expected builtin, workers-ai or openai"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_from(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn config_requires_jwt_secret() {
        let error = Config::from_lookup(lookup_from(&[]), "test").unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET"));
    }

    #[test]
    fn config_debug_redacts_secret() {
        let secret = "s3cret-s3cret-s3cret-s3cret-s3cret-xx";
        let pairs: &'static [(&str, &str)] = Box::leak(Box::new([("JWT_SECRET", secret)]));
        let config = Config::from_lookup(lookup_from(pairs), "test").unwrap();
        assert!(!format!("{config:?}").contains(secret));
    }

    #[test]
    fn openai_embedder_needs_base_url() {
        let pairs = &[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("EMBEDDER", "openai"),
        ];
        let error = Config::from_lookup(lookup_from(pairs), "test").unwrap_err();
        assert!(error.to_string().contains("EMBEDDING_BASE_URL"));
    }
}
