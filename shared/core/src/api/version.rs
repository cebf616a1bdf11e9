//! `GET /api/version`, the one endpoint open without credentials.

use serde_json::json;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    match (segments, request.method) {
        (["version"], Method::Get) => Response::ok(&json!({
            "version": app.config.version,
            "commit": app.config.commit,
            "platform": app.config.platform,
        })),
        (["version"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        _ => Err(ApiError::not_found("route")),
    }
}
