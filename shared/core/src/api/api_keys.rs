//! The `/api/api-keys` route group: create (the key is shown once), list, revoke. Managing
//! keys needs an access token; keys themselves get 403.

use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::auth::{authenticate, Principal, Scope};
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::store::api_keys::{self, NewApiKey};
use crate::store::banks;
use crate::util::{format_time, parse_time};

/// Maximum length of a key name, in characters.
const MAX_NAME_CHARS: usize = 100;

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    if !matches!(segments, ["api-keys"] | ["api-keys", _]) {
        return Err(ApiError::not_found("route"));
    }
    let principal = authenticate(app, request).await?;
    principal.require_session()?;
    match (segments, request.method) {
        (["api-keys"], Method::Post) => create(app, &principal, request).await,
        (["api-keys"], Method::Get) => list(app, &principal).await,
        (["api-keys", id], Method::Delete) => revoke(app, &principal, id).await,
        (["api-keys"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD, POST")),
        _ => Err(ApiError::MethodNotAllowed("DELETE")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateKeyBody {
    name: String,
    scopes: Option<Vec<Scope>>,
    memory_bank_ids: Option<Vec<String>>,
    expires_at: Option<String>,
}

async fn validate_new_key(app: &App, user_id: &str, body: CreateKeyBody) -> ApiResult<NewApiKey> {
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid name: expected 1 to {MAX_NAME_CHARS} characters, got {}",
            name.chars().count()
        )));
    }
    let mut scopes = body.scopes.unwrap_or_else(|| vec![Scope::Read]);
    if scopes.is_empty() {
        return Err(ApiError::bad_request(
            "invalid scopes: give at least one of read, write",
        ));
    }
    scopes.sort_by_key(|s| *s == Scope::Write);
    scopes.dedup();
    if let Some(ids) = &body.memory_bank_ids {
        if ids.is_empty() {
            return Err(ApiError::bad_request(
                "invalid memoryBankIds: give at least one bank id, or leave it out for all banks",
            ));
        }
        for id in ids {
            banks::get_bank(app, user_id, id).await.map_err(|_| {
                ApiError::bad_request(format!("invalid memoryBankIds: unknown memory bank {id:?}"))
            })?;
        }
    }
    let expires_at = body
        .expires_at
        .map(|t| parse_time("expiresAt", &t))
        .transpose()?;
    if expires_at.is_some_and(|t| t <= app.now()) {
        return Err(ApiError::bad_request(
            "invalid expiresAt: it must be in the future",
        ));
    }
    Ok(NewApiKey {
        name,
        scopes,
        memory_bank_ids: body.memory_bank_ids,
        expires_at: expires_at.map(format_time),
    })
}

async fn create(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let body = request.json::<CreateKeyBody>()?;
    let new = validate_new_key(app, &principal.user_id, body).await?;
    let (key, secret) = api_keys::create_key(app, &principal.user_id, new).await?;
    tracing::info!(user.id = %principal.user_id, api_key.id = %key.id, "API key created");
    Response::created(&json!({
        "id": key.id,
        "name": key.name,
        "key": secret,
        "lastFour": key.last_four,
        "scopes": key.scopes,
        "memoryBankIds": key.memory_bank_ids,
        "createdAt": key.created_at,
        "expiresAt": key.expires_at,
    }))
}

async fn list(app: &App, principal: &Principal) -> ApiResult<Response> {
    let items = api_keys::list_keys(app, &principal.user_id).await?;
    Response::ok(&json!({ "items": items }))
}

async fn revoke(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    api_keys::revoke_key(app, &principal.user_id, id).await?;
    tracing::info!(user.id = %principal.user_id, api_key.id = %id, "API key revoked");
    Response::deleted()
}
