//! Reads the core's [`Config`] from the Worker's vars and secrets, once per isolate.

use std::cell::OnceCell;

use botmem_core::{ApiResult, Config};
use worker::Env;

use crate::PLATFORM;

thread_local! {
    /// Vars and secrets are fixed for the life of an isolate, so the first valid read is kept.
    static CONFIG: OnceCell<Config> = const { OnceCell::new() };
}

/// Returns the configuration, reading it on the first call in this isolate. A missing or
/// invalid setting is an error naming it, and is not cached: the next request reads again.
pub fn load(env: &Env) -> ApiResult<Config> {
    if let Some(config) = CONFIG.with(|cell| cell.get().cloned()) {
        return Ok(config);
    }
    // Secrets and plain-text vars are both string bindings on `env`.
    let config = Config::from_lookup(|name| env.var(name).ok().map(|v| v.to_string()), PLATFORM)?;
    Ok(CONFIG.with(|cell| cell.get_or_init(|| config).clone()))
}
