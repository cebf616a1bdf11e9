//! The `memory_entities` table: the entities extracted from each memory's text.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::json;

use crate::app::App;
use crate::contacts::normalize::name_key;
use crate::entities::extract::{Entity, EntityKind};
use crate::error::{ApiError, ApiResult};
use crate::ports::{Row, SqlValue};

/// ?3 is a JSON array of `{type, value, key}` objects.
const INSERT_ENTITIES: &str = "
    INSERT OR IGNORE INTO memory_entities (user_id, memory_id, type, value, value_key)
    SELECT ?1, ?2, json_extract(value, '$.type'), json_extract(value, '$.value'),
           json_extract(value, '$.key')
    FROM json_each(?3)";

/// ?2 is a JSON array of memory ids.
const SELECT_LINKS_FOR_MEMORIES: &str = "
    SELECT memory_id, type, value, value_key FROM memory_entities
    WHERE user_id = ?1 AND memory_id IN (SELECT value FROM json_each(?2))
    ORDER BY memory_id, rowid";

/// The rows that [`list_entities`] groups: the user's entities (?1) in the memories of the
/// banks in the JSON array ?2 (NULL for every bank), of type ?3 (NULL for every type). ?4 is
/// a prefix of the key of a name (folded by `name_key`), and ?5 the ASCII-lower-cased prefix
/// for the other types. Both are NULL when there is no prefix filter.
macro_rules! entity_rows {
    () => {
        " FROM memory_entities e JOIN memories m ON m.id = e.memory_id
          WHERE e.user_id = ?1 AND m.user_id = ?1
            AND (?2 IS NULL OR m.memory_bank_id IN (SELECT value FROM json_each(?2)))
            AND (?3 IS NULL OR e.type = ?3)
            AND (?4 IS NULL OR CASE
                WHEN e.type IN ('person', 'place', 'organization')
                    THEN substr(e.value_key, 1, length(?4)) = ?4
                ELSE lower(substr(e.value_key, 1, length(?5))) = ?5
            END)"
    };
}

/// One entity per (type, value_key), most memories first. Its value is the smallest stored
/// spelling, so the same data always shows the same one. ?6 is the page size and ?7 the
/// offset.
const LIST_ENTITIES: &str = concat!(
    "SELECT e.type AS type, min(e.value) AS display_value, count(*) AS memory_count",
    entity_rows!(),
    " GROUP BY e.type, e.value_key
      ORDER BY memory_count DESC, display_value, e.type, e.value_key
      LIMIT ?6 OFFSET ?7"
);

const COUNT_ENTITIES: &str = concat!(
    "SELECT count(*) AS total FROM (SELECT 1",
    entity_rows!(),
    " GROUP BY e.type, e.value_key)"
);

/// The filter of [`list_entities`]. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub bank_ids: Option<Vec<String>>,
    pub kind: Option<EntityKind>,
    /// A prefix of the value: compared as a folded name for names, and ignoring ASCII case
    /// for the other types.
    pub prefix: Option<String>,
}

/// An entity with the number of the user's memories that carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityCount {
    #[serde(rename = "type")]
    pub kind: EntityKind,
    pub value: String,
    pub memory_count: i64,
}

/// One page of entities.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityPage {
    pub items: Vec<EntityCount>,
    pub total: i64,
    pub next_cursor: Option<String>,
}

/// One entity of one memory, with the key it is counted by.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityLink {
    pub memory_id: String,
    pub kind: EntityKind,
    pub value: String,
    pub value_key: String,
}

/// Returns the key that entities are counted by: names folded for case and accents, other
/// values as extracted (they are normalised already).
pub fn value_key(kind: EntityKind, value: &str) -> String {
    match kind {
        EntityKind::Person | EntityKind::Place | EntityKind::Organization => name_key(value),
        _ => value.to_owned(),
    }
}

/// Stores the entities of one memory. Entities it already has are kept as they are.
pub async fn save_entities(
    app: &App,
    user_id: &str,
    memory_id: &str,
    entities: &[Entity],
) -> ApiResult<()> {
    if entities.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = entities
        .iter()
        .map(|e| json!({ "type": e.kind, "value": e.value, "key": value_key(e.kind, &e.value) }))
        .collect();
    let rows = serde_json::to_string(&rows).map_err(ApiError::internal)?;
    app.db
        .execute(
            INSERT_ENTITIES,
            &[user_id.into(), memory_id.into(), rows.into()],
        )
        .await?;
    Ok(())
}

fn decode_kind(row: &Row) -> ApiResult<EntityKind> {
    let name = row.text("type")?;
    EntityKind::parse(&name)
        .ok_or_else(|| ApiError::internal(format!("unknown stored entity type {name:?}")))
}

/// Returns the entities of the user's memories among `memory_ids`, grouped by memory in the
/// order they were stored.
pub async fn entity_links(
    app: &App,
    user_id: &str,
    memory_ids: &[String],
) -> ApiResult<Vec<EntityLink>> {
    if memory_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(memory_ids).map_err(ApiError::internal)?;
    let rows = app
        .db
        .query(SELECT_LINKS_FOR_MEMORIES, &[user_id.into(), ids.into()])
        .await?;
    rows.iter()
        .map(|row| {
            Ok(EntityLink {
                memory_id: row.text("memory_id")?,
                kind: decode_kind(row)?,
                value: row.text("value")?,
                value_key: row.text("value_key")?,
            })
        })
        .collect()
}

fn encode_offset_cursor(offset: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_offset_cursor(cursor: &str) -> ApiResult<i64> {
    let invalid = || ApiError::bad_request(format!("invalid cursor {cursor:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let offset = text.strip_prefix("offset:").ok_or_else(invalid)?;
    // D1 binds numbers as doubles, which are exact only below 2^53.
    match offset.parse::<i64>() {
        Ok(offset) if (0..1 << 53).contains(&offset) => Ok(offset),
        _ => Err(invalid()),
    }
}

/// Returns the parameters ?1..?5 of [`entity_rows`].
fn entity_params(user_id: &str, filter: &EntityFilter) -> ApiResult<Vec<SqlValue>> {
    let banks: SqlValue = match &filter.bank_ids {
        Some(ids) => serde_json::to_string(ids)
            .map_err(ApiError::internal)?
            .into(),
        None => SqlValue::Null,
    };
    let name_prefix = filter.prefix.as_deref().map(name_key);
    let other_prefix = filter.prefix.as_deref().map(str::to_ascii_lowercase);
    Ok(vec![
        user_id.into(),
        banks,
        filter.kind.map(EntityKind::as_str).into(),
        name_prefix.into(),
        other_prefix.into(),
    ])
}

/// Returns one page of the user's entities with their memory counts, most memories first,
/// then by value. The cursor is an offset, so rows stored between two pages can shift the
/// next page by as many rows.
pub async fn list_entities(
    app: &App,
    user_id: &str,
    filter: &EntityFilter,
    cursor: Option<&str>,
    limit: i64,
) -> ApiResult<EntityPage> {
    let offset = cursor.map(decode_offset_cursor).transpose()?.unwrap_or(0);
    let mut params = entity_params(user_id, filter)?;
    let total = app.db.query(COUNT_ENTITIES, &params).await?;
    let total = total.first().map_or(Ok(0), |row| row.integer("total"))?;

    params.extend([(limit + 1).into(), offset.into()]);
    let rows = app.db.query(LIST_ENTITIES, &params).await?;
    let has_more = rows.len() as i64 > limit;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(|row| {
            Ok(EntityCount {
                kind: decode_kind(row)?,
                value: row.text("display_value")?,
                memory_count: row.integer("memory_count")?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = has_more.then(|| encode_offset_cursor(offset + limit));
    Ok(EntityPage {
        items,
        total,
        next_cursor,
    })
}
