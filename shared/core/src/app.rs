//! The application: configuration plus the platform's ports, handed to every handler.

use std::rc::Rc;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::ports::{Clock, Database, Embedder, VectorIndex};

/// Everything a handler may use. Built once per request (or per isolate) by the platform.
pub struct App {
    pub config: Config,
    /// Shared with the exact vector index, which keeps its vectors in the same database.
    pub db: Rc<dyn Database>,
    pub vectors: Box<dyn VectorIndex>,
    /// Absent in route groups that never embed text.
    pub embedder: Option<Box<dyn Embedder>>,
    pub clock: Box<dyn Clock>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl App {
    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    pub fn embedder(&self) -> ApiResult<&dyn Embedder> {
        self.embedder
            .as_deref()
            .ok_or_else(|| ApiError::internal("this route group has no embedder configured"))
    }
}
