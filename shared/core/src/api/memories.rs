//! The `/api/memories` route group: create, list, get, delete, stats, graph, search,
//! retry-failed.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{memory_graph, memory_search};
use crate::app::App;
use crate::auth::{authenticate, Principal};
use crate::contacts::participants::ParticipantBody;
use crate::error::{ApiError, ApiResult};
use crate::http::{query_integer, Method, Request, Response};
use crate::ingest::{self, NewMemory};
use crate::store::banks;
use crate::store::memories::{self, MemoryFilter};
use crate::util::{format_time, parse_time};

/// Maximum length of a memory text, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// Source types a memory may have.
pub const SOURCE_TYPES: &[&str] = &[
    "email", "message", "photo", "location", "note", "file", "document", "calendar", "web",
];

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    let method = request.method;
    let route_exists = matches!(
        segments,
        ["memories"]
            | ["memories", "search" | "stats" | "graph" | "retry-failed"]
            | ["memories", _]
    );
    if !route_exists {
        return Err(ApiError::not_found("route"));
    }
    let principal = authenticate(app, request).await?;
    match (segments, method) {
        (["memories"], Method::Post) => create(app, &principal, request).await,
        (["memories"], Method::Get) => list(app, &principal, request).await,
        (["memories", "search"], Method::Post) => {
            memory_search::search(app, &principal, request).await
        }
        (["memories", "stats"], Method::Get) => stats(app, &principal).await,
        (["memories", "graph"], Method::Get) => memory_graph::graph(app, &principal, request).await,
        (["memories", "retry-failed"], Method::Post) => retry_failed(app, &principal).await,
        (["memories"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD, POST")),
        (["memories", "search" | "retry-failed"], _) => Err(ApiError::MethodNotAllowed("POST")),
        (["memories", "stats" | "graph"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        (["memories", id], Method::Get) => get(app, &principal, id).await,
        (["memories", id], Method::Delete) => delete(app, &principal, id).await,
        _ => Err(ApiError::MethodNotAllowed("GET, HEAD, DELETE")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateMemoryBody {
    text: String,
    source_type: Option<String>,
    event_time: Option<String>,
    metadata: Option<Map<String, Value>>,
    memory_bank_id: Option<String>,
    importance: Option<f64>,
    pinned: Option<bool>,
    participants: Option<Vec<ParticipantBody>>,
}

/// Checks a source type against [`SOURCE_TYPES`], naming the bad value.
pub fn validate_source_type(value: &str) -> ApiResult<String> {
    if SOURCE_TYPES.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid sourceType {value:?}: expected one of {}",
            SOURCE_TYPES.join(", ")
        )))
    }
}

fn validate_new_memory(body: CreateMemoryBody) -> ApiResult<NewMemory> {
    let text = body.text.trim().to_owned();
    if text.is_empty() {
        return Err(ApiError::bad_request("invalid text: it must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid text: longer than {MAX_TEXT_CHARS} characters ({})",
            text.chars().count()
        )));
    }
    let importance = body.importance.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&importance) {
        return Err(ApiError::bad_request(format!(
            "invalid importance {importance}: expected a number from 0 to 1"
        )));
    }
    Ok(NewMemory {
        text,
        source_type: validate_source_type(body.source_type.as_deref().unwrap_or("note"))?,
        connector_type: "manual".into(),
        event_time_millis: body
            .event_time
            .map(|t| parse_time("eventTime", &t))
            .transpose()?,
        metadata: Value::Object(body.metadata.unwrap_or_default()),
        memory_bank_id: body.memory_bank_id,
        importance,
        pinned: body.pinned.unwrap_or(false),
        participants: body.participants.unwrap_or_default(),
    })
}

async fn create(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let new = validate_new_memory(request.json::<CreateMemoryBody>()?)?;
    let (memory, created) = ingest::create_memory(app, principal, new).await?;
    if created {
        tracing::info!(user.id = %principal.user_id, memory.id = %memory.id, "memory created");
        Response::created(&memory)
    } else {
        Response::ok(&memory)
    }
}

/// Narrows a requested bank list to what the credential may use; 403 for a forbidden bank.
pub fn bank_scope(
    principal: &Principal,
    requested: Option<String>,
) -> ApiResult<Option<Vec<String>>> {
    match requested {
        Some(bank_id) if bank_id.trim().is_empty() => Err(ApiError::bad_request(
            "invalid memoryBankId: it must not be empty",
        )),
        Some(bank_id) => {
            principal.require_bank(&bank_id)?;
            Ok(Some(vec![bank_id]))
        }
        None => Ok(principal.allowed_banks().map(<[String]>::to_vec)),
    }
}

/// Rejects a filter that can only be a mistake: a requested bank the user does not have
/// (404, as for any other id) or a time range whose start is after its end (400).
pub async fn check_filter(
    app: &App,
    user_id: &str,
    requested_bank: Option<&str>,
    filter: &MemoryFilter,
) -> ApiResult<()> {
    if let (Some(from), Some(to)) = (&filter.from, &filter.to) {
        if from > to {
            return Err(ApiError::bad_request(format!(
                "invalid time range: from {from} is after to {to}"
            )));
        }
    }
    if let Some(bank_id) = requested_bank {
        banks::get_bank(app, user_id, bank_id).await?;
    }
    Ok(())
}

/// Reads an optional RFC 3339 query parameter, normalised to the stored time format.
fn query_time(request: &Request, name: &str) -> ApiResult<Option<String>> {
    request
        .query_param(name)
        .map(|v| parse_time(name, v).map(format_time))
        .transpose()
}

async fn list(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", 50, 1, 200)?;
    let source_type = request
        .query_param("sourceType")
        .map(validate_source_type)
        .transpose()?;
    let filter = MemoryFilter {
        bank_ids: bank_scope(
            principal,
            request.query_param("memoryBankId").map(str::to_owned),
        )?,
        source_types: source_type.map(|s| vec![s]),
        connector_types: request
            .query_param("connectorType")
            .map(|c| vec![c.to_owned()]),
        from: query_time(request, "from")?,
        to: query_time(request, "to")?,
        pinned: None,
        contact_ids: request.query_param("contactId").map(|c| vec![c.to_owned()]),
    };
    let requested_bank = request.query_param("memoryBankId");
    check_filter(app, &principal.user_id, requested_bank, &filter).await?;
    let cursor = request.query_param("cursor");
    let page = memories::list_memories(app, &principal.user_id, &filter, cursor, limit).await?;
    Response::ok(&page)
}

async fn get(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    let memory = memories::find_memory(app, &principal.user_id, id).await?;
    let memory = memory.filter(|m| principal.may_use_bank(&m.memory_bank_id));
    Response::ok(&memory.ok_or_else(|| ApiError::not_found_id("memory", id))?)
}

async fn delete(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    ingest::delete_memory(app, principal, id).await?;
    tracing::info!(user.id = %principal.user_id, memory.id = %id, "memory deleted");
    Response::deleted()
}

async fn stats(app: &App, principal: &Principal) -> ApiResult<Response> {
    let stats = memories::memory_stats(app, &principal.user_id, principal.allowed_banks()).await?;
    Response::ok(&stats)
}

async fn retry_failed(app: &App, principal: &Principal) -> ApiResult<Response> {
    let (enqueued, total) = ingest::retry_failed(app, &principal.user_id).await?;
    Response::ok(&json!({ "enqueued": enqueued, "total": total }))
}
