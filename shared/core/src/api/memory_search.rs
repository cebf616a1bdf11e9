//! `POST /api/memories/search`: parses the search body, in both the documented shape and the
//! shape shipped Botmem clients send, and renders ranked memories with their scores.

use serde::Deserialize;
use serde_json::json;

use crate::api::memories::{bank_scope, check_filter, validate_source_type};
use crate::app::App;
use crate::auth::Principal;
use crate::contacts::normalize::name_key;
use crate::error::{ApiError, ApiResult};
use crate::http::{Request, Response};
use crate::search::hybrid::{self, SearchQuery};
use crate::search::query::query_terms;
use crate::store::contacts;
use crate::store::memories::MemoryFilter;
use crate::util::{format_time, parse_time};

/// Maximum length of a query, in characters.
const MAX_QUERY_CHARS: usize = 2_000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SearchFilters {
    connector_types: Option<Vec<String>>,
    source_types: Option<Vec<String>>,
    contact_ids: Option<Vec<String>>,
    from: Option<String>,
    to: Option<String>,
    pinned: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TimeRange {
    from: Option<String>,
    to: Option<String>,
}

/// The search body. `connectorTypes`, `sourceTypes` and `timeRange` at the top level are the
/// shape older clients send; they merge with `filters`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SearchBody {
    query: String,
    limit: Option<i64>,
    memory_bank_id: Option<String>,
    filters: Option<SearchFilters>,
    connector_types: Option<Vec<String>>,
    source_types: Option<Vec<String>>,
    time_range: Option<TimeRange>,
}

fn optional_time(field: &str, value: Option<String>) -> ApiResult<Option<String>> {
    value
        .map(|v| parse_time(field, &v).map(format_time))
        .transpose()
}

fn search_filter(principal: &Principal, body: &mut SearchBody) -> ApiResult<MemoryFilter> {
    let filters = body.filters.take().unwrap_or_default();
    let range = body.time_range.take();
    let source_types = filters.source_types.or(body.source_types.take());
    let source_types = source_types
        .map(|list| {
            list.iter()
                .map(|s| validate_source_type(s))
                .collect::<ApiResult<Vec<_>>>()
        })
        .transpose()?;
    let (range_from, range_to) = range.map_or((None, None), |r| (r.from, r.to));
    Ok(MemoryFilter {
        bank_ids: bank_scope(principal, body.memory_bank_id.take())?,
        source_types,
        connector_types: filters.connector_types.or(body.connector_types.take()),
        from: optional_time("filters.from", filters.from.or(range_from))?,
        to: optional_time("filters.to", filters.to.or(range_to))?,
        pinned: filters.pinned,
        contact_ids: filters.contact_ids,
    })
}

pub async fn search(app: &App, principal: &Principal, request: &Request) -> ApiResult<Response> {
    let mut body = request.json::<SearchBody>()?;
    let text = body.query.trim().to_owned();
    if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid query: expected 1 to {MAX_QUERY_CHARS} characters, got {}",
            text.chars().count()
        )));
    }
    let limit = body.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "invalid limit {limit}: expected an integer from 1 to 100"
        )));
    }
    let requested_bank = body.memory_bank_id.clone();
    let filter = search_filter(principal, &mut body)?;
    check_filter(app, &principal.user_id, requested_bank.as_deref(), &filter).await?;

    let query = SearchQuery {
        text: text.clone(),
        limit: limit as usize,
        filter,
    };
    let terms = query_terms(&text);
    let words: Vec<String> = terms.iter().map(|t| name_key(t)).collect();
    let banks = principal.allowed_banks();
    let (items, named) = futures::future::join(
        hybrid::search(app, &principal.user_id, &query),
        contacts::contacts_named_in(app, &principal.user_id, banks, &words),
    )
    .await;
    let (items, named) = (items?, named?);
    Response::ok(&json!({
        "items": items,
        "parsed": { "cleanQuery": terms.join(" "), "temporal": null, "contacts": named },
        "fallback": false,
    }))
}
