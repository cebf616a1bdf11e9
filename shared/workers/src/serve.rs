//! The fetch handler every route-group Worker runs.

use std::rc::Rc;

use botmem_core::ports::Database;
use botmem_core::search::exact_index::VectorCache;
use botmem_core::{ApiError, App, RouteGroup};
use worker::Env;

use crate::http::{to_core_request, to_worker_response};
use crate::{config, embedder, logging, request_id, vectorize, D1Store, JsClock};

thread_local! {
    /// The exact index's vectors, kept for the life of the isolate so that a search reads only
    /// the rows added since the previous one.
    static VECTOR_CACHE: Rc<VectorCache> = Rc::new(VectorCache::default());
}

/// Serves one request with the handlers of `G`. Errors never escape as a Workers
/// exception: each becomes the core's JSON error response, and a 500's cause is logged.
pub async fn serve<G: RouteGroup>(
    mut request: worker::Request,
    env: Env,
) -> worker::Result<worker::Response> {
    logging::init();

    let app = match build_app(&env) {
        Ok(app) => app,
        Err(error) => return error_response(&request, &error),
    };
    let core_request = match to_core_request(&mut request).await {
        Ok(core_request) => core_request,
        Err(error) => {
            let error = ApiError::bad_request(format!("failed to read the request: {error}"));
            return error_response(&request, &error);
        }
    };

    let response = botmem_core::serve_group::<G>(&app, core_request).await;
    to_worker_response(response)
}

/// Builds the application from this isolate's configuration and this request's bindings.
fn build_app(env: &Env) -> Result<App, ApiError> {
    let config = config::load(env)?;
    let d1 = env
        .d1("DB")
        .map_err(|error| ApiError::internal(format!("binding DB: {error}")))?;
    let db: Rc<dyn Database> = Rc::new(D1Store::new(d1));
    let cache = VECTOR_CACHE.with(Rc::clone);
    let embedder = embedder::embedder_for(&config, env)?;
    Ok(App {
        config,
        vectors: vectorize::vector_index_for(env, db.clone(), cache),
        db,
        embedder,
        clock: Box::new(JsClock),
    })
}

/// Responds to a request that failed before it reached the core, in the core's error envelope. An
/// internal error's cause is logged with the request id and never sent.
fn error_response(request: &worker::Request, error: &ApiError) -> worker::Result<worker::Response> {
    let id = request_id::from_headers(request.headers());
    if let ApiError::Internal(cause) = error {
        tracing::error!(request.id = %id, error.cause = %cause, "request failed before routing");
    }
    let response = botmem_core::Response::from_error(error).with_header(request_id::HEADER, id);
    to_worker_response(response)
}
