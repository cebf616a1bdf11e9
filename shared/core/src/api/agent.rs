//! The `/api/agent` route group.

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Request, Response};

pub async fn handle(_app: &App, _request: &Request, _segments: &[&str]) -> ApiResult<Response> {
    Err(ApiError::not_found("route"))
}
