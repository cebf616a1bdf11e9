//! The `/api/memory-banks` route group: list, create and get banks. A key limited to some
//! banks lists and gets only those.

use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::auth::{authenticate, Principal};
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::store::banks;

/// Maximum length of a bank name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Maximum length of a bank description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 1_000;

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    if !matches!(segments, ["memory-banks"] | ["memory-banks", _]) {
        return Err(ApiError::not_found("route"));
    }
    let principal = authenticate(app, request).await?;
    match (segments, request.method) {
        (["memory-banks"], Method::Get) => list(app, &principal).await,
        (["memory-banks"], Method::Post) => create(app, &principal, request).await,
        (["memory-banks", id], Method::Get) => get(app, &principal, id).await,
        (["memory-banks"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD, POST")),
        _ => Err(ApiError::MethodNotAllowed("GET, HEAD")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBankBody {
    name: String,
    description: Option<String>,
}

async fn list(app: &App, principal: &Principal) -> ApiResult<Response> {
    let mut items = banks::list_banks(app, &principal.user_id).await?;
    items.retain(|bank| principal.may_use_bank(&bank.id));
    let total = items.len();
    Response::ok(&json!({ "items": items, "total": total, "nextCursor": null }))
}

async fn get(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    if !principal.may_use_bank(id) {
        return Err(ApiError::not_found_id("memory bank", id));
    }
    Response::ok(&banks::get_bank(app, &principal.user_id, id).await?)
}

async fn create(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let body = request.json::<CreateBankBody>()?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid name: expected 1 to {MAX_NAME_CHARS} characters, got {}",
            name.chars().count()
        )));
    }
    let description = body.description.unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid description: longer than {MAX_DESCRIPTION_CHARS} characters ({})",
            description.chars().count()
        )));
    }
    if principal.allowed_banks().is_some() {
        return Err(ApiError::Forbidden(
            "an API key limited to some memory banks cannot create banks".into(),
        ));
    }
    let bank = banks::create_bank(app, &principal.user_id, name, description.trim()).await?;
    tracing::info!(user.id = %principal.user_id, memory_bank.id = %bank.id, "memory bank created");
    Response::created(&bank)
}
