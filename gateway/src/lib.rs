//! The gateway Worker: serves the whole API on one hostname by passing each `/api/<group>`
//! request, unchanged except for `x-request-id`, to the group's Worker through its service
//! binding. Paths outside the known groups get a 404 in the API's error envelope.

use botmem_core::Group;
use botmem_workers::{logging, request_id};
use serde_json::json;
use worker::{event, Context, Env, Headers, Request, Response, ResponseBuilder, Result};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _context: Context) -> Result<Response> {
    logging::init();
    let started = worker::js_sys::Date::now();
    let id = request_id::from_headers(request.headers());
    let method = request.method();
    let path = request.path();

    let response = match group_for_path(&path) {
        Some(group) => forward(request, &env, binding_name(group), &id).await,
        None => error_response(404, "route not found", &id),
    }?;

    tracing::info!(
        request.id = %id,
        http.method = method.as_ref(),
        http.path = %path,
        http.status = response.status_code(),
        duration_ms = (worker::js_sys::Date::now() - started) as i64,
        "gateway request"
    );
    Ok(response)
}

/// Returns the group serving `/api/<segment>/...`, using the core's table of segments.
fn group_for_path(path: &str) -> Option<Group> {
    let rest = path.strip_prefix("/api/")?;
    let segment = rest.split('/').next()?;
    Group::for_segment(segment)
}

/// Returns the name of the group Worker's service binding in `wrangler.toml`.
fn binding_name(group: Group) -> &'static str {
    match group {
        Group::Version => "VERSION",
        Group::UserAuth => "USER_AUTH",
        Group::ApiKeys => "API_KEYS",
        Group::Memories => "MEMORIES",
        Group::MemoryBanks => "MEMORY_BANKS",
        Group::Contacts => "CONTACTS",
        Group::Agent => "AGENT",
    }
}

/// Sends the request to the group's Worker with `x-request-id` set to `id`.
async fn forward(request: Request, env: &Env, binding: &str, id: &str) -> Result<Response> {
    let result = async {
        // The incoming request's headers are immutable, but a copy's can be set.
        let mut forwarded = request.clone_mut()?;
        forwarded.headers_mut()?.set(request_id::HEADER, id)?;
        env.service(binding)?.fetch_request(forwarded).await
    }
    .await;
    match result {
        Ok(response) => ensure_json_error(response, id),
        Err(error) => {
            tracing::error!(request.id = %id, binding, error.cause = %error, "forwarding failed");
            error_response(500, "internal error", id)
        }
    }
}

/// Replaces a 5xx without a JSON body (a group Worker that threw, reported by the runtime)
/// with the API's generic error, so every response keeps the `{"error": ...}` envelope.
fn ensure_json_error(response: Response, id: &str) -> Result<Response> {
    let status = response.status_code();
    let content_type = response.headers().get("content-type")?.unwrap_or_default();
    if status < 500 || content_type.starts_with("application/json") {
        return Ok(response);
    }
    tracing::error!(request.id = %id, http.status = status, "group Worker failed without a JSON body");
    error_response(500, "internal error", id)
}

fn error_response(status: u16, message: &str, id: &str) -> Result<Response> {
    let headers = Headers::new();
    headers.set(request_id::HEADER, id)?;
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .from_json(&json!({ "error": message }))
}
