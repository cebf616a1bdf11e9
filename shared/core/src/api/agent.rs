//! The `/api/agent` route group: read-only views of a user's memories for AI agents.

use crate::api::memories::{bank_scope, check_filter};
use crate::app::App;
use crate::auth::{authenticate, Principal};
use crate::entities::extract::EntityKind;
use crate::error::{ApiError, ApiResult};
use crate::http::{query_integer, Method, Request, Response};
use crate::store::entities::{self, EntityFilter};
use crate::store::memories::MemoryFilter;

/// Maximum length of the `q` prefix of `GET /api/agent/entities`, in characters.
pub const MAX_PREFIX_CHARS: usize = 200;

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    if !matches!(segments, ["agent", "entities"]) {
        return Err(ApiError::not_found("route"));
    }
    let principal = authenticate(app, request).await?;
    match request.method {
        Method::Get => list_entities(app, &principal, request).await,
        _ => Err(ApiError::MethodNotAllowed("GET, HEAD")),
    }
}

/// Checks an entity type against [`EntityKind::ALL`], naming the bad value.
fn parse_entity_type(value: &str) -> ApiResult<EntityKind> {
    EntityKind::parse(value).ok_or_else(|| {
        let valid: Vec<&str> = EntityKind::ALL.iter().map(|kind| kind.as_str()).collect();
        ApiError::bad_request(format!(
            "invalid type {value:?}: expected one of {}",
            valid.join(", ")
        ))
    })
}

/// Reads the optional `q` prefix: trimmed, not empty, at most [`MAX_PREFIX_CHARS`].
fn parse_prefix(request: &Request) -> ApiResult<Option<String>> {
    let Some(raw) = request.query_param("q") else {
        return Ok(None);
    };
    let prefix = raw.trim();
    if prefix.is_empty() {
        return Err(ApiError::bad_request(
            "invalid q: it must not be empty. Leave q out to list every entity",
        ));
    }
    if crate::contacts::normalize::name_key(prefix).is_empty() {
        return Err(ApiError::bad_request(format!(
            "invalid q {prefix:?}: it has no visible characters"
        )));
    }
    let length = prefix.chars().count();
    if length > MAX_PREFIX_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid q: longer than {MAX_PREFIX_CHARS} characters ({length})"
        )));
    }
    Ok(Some(prefix.to_owned()))
}

async fn list_entities(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", 50, 1, 200)?;
    let kind = request
        .query_param("type")
        .map(parse_entity_type)
        .transpose()?;
    let prefix = parse_prefix(request)?;
    let requested_bank = request.query_param("memoryBankId");
    let bank_ids = bank_scope(principal, requested_bank.map(str::to_owned))?;
    let memory_filter = MemoryFilter {
        bank_ids: bank_ids.clone(),
        ..MemoryFilter::default()
    };
    check_filter(app, &principal.user_id, requested_bank, &memory_filter).await?;

    let filter = EntityFilter {
        bank_ids,
        kind,
        prefix,
    };
    let cursor = request.query_param("cursor");
    let page = entities::list_entities(app, &principal.user_id, &filter, cursor, limit).await?;
    Response::ok(&page)
}

#[cfg(test)]
mod tests;
