//! The `/api/contacts` route group, also served as `/api/people` for shipped clients: list,
//! get, update, delete, the memories of a contact, search, merge suggestions, merge and
//! normalize.
//!
//! Contacts belong to the user, not to a memory bank. A key limited to some banks reads only
//! the contacts of memories in its banks, counts only those memories, and may not change
//! contacts, since a change reaches memories it cannot see.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::auth::{authenticate, Principal};
use crate::contacts::{cleanup, suggest};
use crate::error::{ApiError, ApiResult};
use crate::http::{query_integer, Method, Request, Response};
use crate::store::contacts as store;
use crate::store::memories::{self, MemoryFilter};

/// Maximum length of a display name or a search query, in characters.
const MAX_NAME_CHARS: usize = 200;
/// The kinds a contact may have.
const KINDS: &[&str] = &["person", "organization", "group"];

pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    let Some((_, rest)) = segments.split_first() else {
        return Err(ApiError::not_found("route"));
    };
    let known = matches!(
        rest,
        [] | ["suggestions"]
            | ["suggestions", "dismiss"]
            | ["search" | "normalize"]
            | [_]
            | [_, "memories" | "merge"]
    );
    if !known {
        return Err(ApiError::not_found("route"));
    }
    let principal = authenticate(app, request).await?;
    let method = request.method;
    match (rest, method) {
        ([], Method::Get) => list(app, &principal, request).await,
        ([], _) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        (["suggestions"], Method::Get) => suggestions(app, &principal, request).await,
        (["suggestions"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        (["suggestions", "dismiss"], Method::Post) => dismiss(app, &principal, request).await,
        (["search"], Method::Post) => search(app, &principal, request).await,
        (["normalize"], Method::Post) => normalize(app, &principal, request).await,
        (["suggestions", "dismiss"] | ["search" | "normalize"], _) => {
            Err(ApiError::MethodNotAllowed("POST"))
        }
        ([id], Method::Get) => get(app, &principal, id).await,
        ([id], Method::Patch) => update(app, &principal, id, request).await,
        ([id], Method::Delete) => delete(app, &principal, id).await,
        ([_], _) => Err(ApiError::MethodNotAllowed("GET, HEAD, PATCH, DELETE")),
        ([id, "memories"], Method::Get) => contact_memories(app, &principal, id, request).await,
        ([_, "memories"], _) => Err(ApiError::MethodNotAllowed("GET, HEAD")),
        ([id, "merge"], Method::Post) => merge(app, &principal, id, request).await,
        _ => Err(ApiError::MethodNotAllowed("POST")),
    }
}

/// Parses a JSON body. Under the `/api/people` alias, which shipped clients call, fields this
/// API does not define are dropped instead of rejected.
fn body<T: serde::de::DeserializeOwned>(request: &Request) -> ApiResult<T> {
    if request.path.starts_with("/api/people") {
        request.json_ignoring_unknown()
    } else {
        request.json()
    }
}

/// Rejects changes to contacts from a key limited to some memory banks.
fn require_all_banks(principal: &Principal) -> ApiResult<()> {
    if principal.allowed_banks().is_some() {
        return Err(ApiError::Forbidden(
            "an API key limited to some memory banks cannot change contacts".into(),
        ));
    }
    Ok(())
}

/// Reads an offset cursor: the decimal position of the next item, below 2^53. D1 binds
/// numbers as doubles, which are exact only below 2^53, and an offset near i64::MAX fails.
fn offset_cursor(request: &Request) -> ApiResult<i64> {
    match request.query_param("cursor") {
        None => Ok(0),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|offset| (0..1 << 53).contains(offset))
            .ok_or_else(|| ApiError::bad_request(format!("invalid cursor {raw:?}"))),
    }
}

async fn list(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", 50, 1, 200)?;
    let offset = offset_cursor(request)?;
    let banks = principal.allowed_banks();
    let (items, total) =
        store::list_contacts(app, &principal.user_id, banks, offset, limit).await?;
    let next = offset + items.len() as i64;
    let next_cursor = (next < total && !items.is_empty()).then(|| next.to_string());
    Response::ok(&json!({ "items": items, "total": total, "nextCursor": next_cursor }))
}

async fn get(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    let contact = visible_contact(app, principal, id).await?;
    Response::ok(&contact)
}

/// Returns a contact the caller may see; 404 naming the id otherwise.
async fn visible_contact(app: &App, principal: &Principal, id: &str) -> ApiResult<store::Contact> {
    let banks = principal.allowed_banks();
    let contact = store::get_contact(app, &principal.user_id, banks, id).await?;
    if banks.is_some() && contact.memory_count == 0 {
        return Err(ApiError::not_found_id("contact", id));
    }
    Ok(contact)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    display_name: Option<String>,
    kind: Option<String>,
}

async fn update(
    app: &App,
    principal: &Principal,
    id: &str,
    request: &Request,
) -> ApiResult<Response> {
    require_all_banks(principal)?;
    let body: UpdateBody = body(request)?;
    let display_name = body
        .display_name
        .map(|raw| {
            let cleaned = crate::contacts::normalize::clean_name(&raw).unwrap_or_default();
            if cleaned.is_empty() || cleaned.chars().count() > MAX_NAME_CHARS {
                return Err(ApiError::bad_request(format!(
                    "invalid displayName {raw:?}: expected 1 to {MAX_NAME_CHARS} visible characters"
                )));
            }
            Ok(cleaned)
        })
        .transpose()?;
    if let Some(kind) = &body.kind {
        if !KINDS.contains(&kind.as_str()) {
            return Err(ApiError::bad_request(format!(
                "invalid kind {kind:?}: expected one of {}",
                KINDS.join(", ")
            )));
        }
    }
    let user_id = &principal.user_id;
    store::get_contact(app, user_id, None, id).await?;
    store::update_contact(
        app,
        user_id,
        id,
        display_name.as_deref(),
        body.kind.as_deref(),
    )
    .await?;
    Response::ok(&store::get_contact(app, user_id, None, id).await?)
}

async fn delete(app: &App, principal: &Principal, id: &str) -> ApiResult<Response> {
    require_all_banks(principal)?;
    if !store::delete_contact(app, &principal.user_id, id).await? {
        return Err(ApiError::not_found_id("contact", id));
    }
    tracing::info!(user.id = %principal.user_id, contact.id = %id, "contact deleted");
    Response::deleted()
}

async fn contact_memories(
    app: &App,
    principal: &Principal,
    id: &str,
    request: &Request,
) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", 50, 1, 200)?;
    visible_contact(app, principal, id).await?;
    let filter = MemoryFilter {
        bank_ids: principal.allowed_banks().map(<[String]>::to_vec),
        contact_ids: Some(vec![id.to_owned()]),
        ..MemoryFilter::default()
    };
    let cursor = request.query_param("cursor");
    let page = memories::list_memories(app, &principal.user_id, &filter, cursor, limit).await?;
    Response::ok(&page)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SearchBody {
    query: String,
    limit: Option<i64>,
}

async fn search(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let body: SearchBody = body(request)?;
    let query = body.query.trim();
    if query.is_empty() || query.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid query: expected 1 to {MAX_NAME_CHARS} characters, got {}",
            query.chars().count()
        )));
    }
    if crate::contacts::normalize::name_key(query).is_empty() {
        return Err(ApiError::bad_request(format!(
            "invalid query {query:?}: it has no visible characters"
        )));
    }
    let limit = body.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "invalid limit {limit}: expected an integer from 1 to 100"
        )));
    }
    let banks = principal.allowed_banks();
    let items = store::search_contacts(app, &principal.user_id, banks, query, limit).await?;
    Response::ok(&json!({ "items": items }))
}

async fn suggestions(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let limit = query_integer(request, "limit", 50, 1, 200)?;
    let offset = offset_cursor(request)?;
    let mut items = cleanup::suggestions(app, &principal.user_id).await?;
    if let Some(banks) = principal.allowed_banks() {
        // Only pairs whose both sides the key may see. D1 binds numbers as doubles, so a
        // limit of i64::MAX reaches SQLite as a real and fails; u32::MAX is exact.
        let visible =
            store::visible_contact_ids(app, &principal.user_id, Some(banks), 0, u32::MAX.into())
                .await?;
        let visible: HashSet<String> = visible.into_iter().collect();
        items.retain(|s| visible.contains(&s.contact_a.id) && visible.contains(&s.contact_b.id));
    }
    let total = items.len() as i64;
    let page: Vec<_> = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let next = offset + page.len() as i64;
    let next_cursor = (next < total && !page.is_empty()).then(|| next.to_string());
    Response::ok(&json!({ "items": page, "total": total, "nextCursor": next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DismissBody {
    contact_a_id: String,
    contact_b_id: String,
}

async fn dismiss(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    require_all_banks(principal)?;
    let body: DismissBody = body(request)?;
    let user_id = &principal.user_id;
    store::get_contact(app, user_id, None, &body.contact_a_id).await?;
    store::get_contact(app, user_id, None, &body.contact_b_id).await?;
    if body.contact_a_id == body.contact_b_id {
        return Err(ApiError::Unprocessable(format!(
            "cannot dismiss a suggestion pairing contact {:?} with itself",
            body.contact_a_id
        )));
    }
    let (a, b) = suggest::ordered(&body.contact_a_id, &body.contact_b_id);
    store::dismiss_pair(app, user_id, &a, &b).await?;
    Response::ok(&json!({ "dismissed": true }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MergeBody {
    source_id: String,
}

async fn merge(
    app: &App,
    principal: &Principal,
    target_id: &str,
    request: &Request,
) -> ApiResult<Response> {
    require_all_banks(principal)?;
    let body: MergeBody = body(request)?;
    let user_id = &principal.user_id;
    store::get_contact(app, user_id, None, target_id).await?;
    store::get_contact(app, user_id, None, &body.source_id).await?;
    if body.source_id == target_id {
        return Err(ApiError::Unprocessable(format!(
            "cannot merge contact {target_id:?} into itself"
        )));
    }
    if !store::merge_contacts(app, user_id, target_id, &body.source_id).await? {
        // A concurrent merge or delete removed one of the two since they were read.
        store::get_contact(app, user_id, None, target_id).await?;
        return Err(ApiError::not_found_id("contact", &body.source_id));
    }
    tracing::info!(user.id = %user_id, contact.id = %target_id, contact.source = %body.source_id,
        "contacts merged");
    Response::ok(&store::get_contact(app, user_id, None, target_id).await?)
}

/// The body of a request that takes no fields: absent or `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

async fn normalize(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    require_all_banks(principal)?;
    body::<NoFields>(request)?;
    let (normalized, merged) = cleanup::normalize_all(app, &principal.user_id).await?;
    tracing::info!(user.id = %principal.user_id, normalized, merged, "contacts normalized");
    Response::ok(&json!({ "normalized": normalized, "merged": merged }))
}
