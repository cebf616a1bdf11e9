//! The `memories` table. Its full-text index follows it through triggers (see the migration).

/// The filter of listing and search as SQL, written once: `?1` is the user and `?2`..`?8` are
/// the values of [`MemoryFilter::params`]. `$table` prefixes the columns (`"m."` or `""`).
macro_rules! filter_clause {
    ($table:literal) => {
        concat!(
            " WHERE ",
            $table,
            "user_id = ?1",
            " AND (?2 IS NULL OR ",
            $table,
            "memory_bank_id IN (SELECT value FROM json_each(?2)))",
            " AND (?3 IS NULL OR ",
            $table,
            "source_type IN (SELECT value FROM json_each(?3)))",
            " AND (?4 IS NULL OR ",
            $table,
            "connector_type IN (SELECT value FROM json_each(?4)))",
            " AND (?5 IS NULL OR ",
            $table,
            "event_time >= ?5)",
            " AND (?6 IS NULL OR ",
            $table,
            "event_time < ?6)",
            " AND (?7 IS NULL OR ",
            $table,
            "pinned = ?7)",
            " AND (?8 IS NULL OR ",
            $table,
            "id IN (SELECT memory_id FROM memory_contacts WHERE user_id = ?1",
            " AND contact_id IN (SELECT value FROM json_each(?8))))",
        )
    };
}

pub mod graph;
mod list;
mod text_search;

pub use list::{list_memories, memory_stats, MemoryPage, MemoryStats};
pub use text_search::{text_matches, TextMatch};

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use crate::entities::extract::{Entity, EntityKind};
use crate::error::{ApiError, ApiResult};
use crate::ports::{Row, SqlValue};
use crate::store::contacts::MemoryContact;

const COUNT_MEMORIES: &str = "SELECT count(*) AS total FROM memories WHERE user_id = ?1";

const INSERT_MEMORY: &str = "
    INSERT INTO memories
        (id, user_id, memory_bank_id, text, source_type, connector_type, account_id,
         event_time, ingest_time, metadata, importance, trust, pinned, status)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending')
    ON CONFLICT (id) DO NOTHING";

const SELECT_MEMORY: &str = "
    SELECT id, memory_bank_id, text, source_type, connector_type, account_id, event_time,
           ingest_time, metadata, importance, trust, pinned, status, error
    FROM memories
    WHERE user_id = ?1 AND id = ?2";

/// The memories among the ids in the JSON array ?9 that pass the filter.
const SELECT_FILTERED_BY_IDS: &str = concat!(
    "SELECT id, memory_bank_id, text, source_type, connector_type, account_id, event_time,
            ingest_time, metadata, importance, trust, pinned, status, error
     FROM memories",
    filter_clause!(""),
    " AND id IN (SELECT value FROM json_each(?9))"
);

const SET_STATUS: &str = "
    UPDATE memories SET status = ?3, error = ?4
    WHERE user_id = ?1 AND id = ?2";

const DELETE_MEMORY: &str = "DELETE FROM memories WHERE user_id = ?1 AND id = ?2";

const SELECT_FAILED: &str = "
    SELECT id, text FROM memories
    WHERE user_id = ?1 AND status = 'failed'
    ORDER BY seq
    LIMIT ?2";

const COUNT_FAILED: &str =
    "SELECT count(*) AS total FROM memories WHERE user_id = ?1 AND status = 'failed'";

/// A stored memory as the API returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    pub id: String,
    pub text: String,
    pub source_type: String,
    pub connector_type: String,
    pub account_id: Option<String>,
    pub memory_bank_id: String,
    pub event_time: String,
    pub ingest_time: String,
    pub metadata: Value,
    pub entities: Vec<Entity>,
    pub contacts: Vec<MemoryContact>,
    pub importance: f64,
    pub trust: f64,
    pub pinned: bool,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The filters shared by listing and search. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct MemoryFilter {
    pub bank_ids: Option<Vec<String>>,
    pub source_types: Option<Vec<String>>,
    pub connector_types: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub pinned: Option<bool>,
    pub contact_ids: Option<Vec<String>>,
}

impl MemoryFilter {
    /// Returns the filter's seven parameters, bound as `?2`..`?8` by [`filter_clause`].
    pub(crate) fn params(&self) -> ApiResult<Vec<SqlValue>> {
        Ok(vec![
            json_list(&self.bank_ids)?,
            json_list(&self.source_types)?,
            json_list(&self.connector_types)?,
            self.from.clone().into(),
            self.to.clone().into(),
            self.pinned.into(),
            json_list(&self.contact_ids)?,
        ])
    }
}

fn json_list(values: &Option<Vec<String>>) -> ApiResult<SqlValue> {
    match values {
        None => Ok(SqlValue::Null),
        Some(list) => Ok(serde_json::to_string(list)
            .map_err(ApiError::internal)?
            .into()),
    }
}

pub(crate) fn decode_memory(row: &Row) -> ApiResult<Memory> {
    let metadata = serde_json::from_str(&row.text("metadata")?).map_err(ApiError::internal)?;
    Ok(Memory {
        id: row.text("id")?,
        text: row.text("text")?,
        source_type: row.text("source_type")?,
        connector_type: row.text("connector_type")?,
        account_id: row.optional_text("account_id")?,
        memory_bank_id: row.text("memory_bank_id")?,
        event_time: row.text("event_time")?,
        ingest_time: row.text("ingest_time")?,
        metadata,
        entities: Vec::new(),
        contacts: Vec::new(),
        importance: row.real("importance")?,
        trust: row.real("trust")?,
        pinned: row.boolean("pinned")?,
        status: row.text("status")?,
        error: row.optional_text("error")?,
    })
}

/// Inserts `memory` unless a memory with its id exists. Returns whether it was inserted.
pub async fn insert_memory(app: &App, user_id: &str, memory: &Memory) -> ApiResult<bool> {
    let params = [
        memory.id.as_str().into(),
        user_id.into(),
        memory.memory_bank_id.as_str().into(),
        memory.text.as_str().into(),
        memory.source_type.as_str().into(),
        memory.connector_type.as_str().into(),
        memory.account_id.clone().into(),
        memory.event_time.as_str().into(),
        memory.ingest_time.as_str().into(),
        memory.metadata.to_string().into(),
        memory.importance.into(),
        memory.trust.into(),
        memory.pinned.into(),
    ];
    Ok(app.db.execute(INSERT_MEMORY, &params).await? > 0)
}

/// Returns one of the user's memories, or `None` when the id is unknown or someone else's.
pub async fn find_memory(app: &App, user_id: &str, memory_id: &str) -> ApiResult<Option<Memory>> {
    let rows = app
        .db
        .query(SELECT_MEMORY, &[user_id.into(), memory_id.into()])
        .await?;
    let Some(mut memory) = rows.first().map(decode_memory).transpose()? else {
        return Ok(None);
    };
    attach_links(app, user_id, std::slice::from_mut(&mut memory)).await?;
    Ok(Some(memory))
}

/// Returns the user's memories among `ids` that pass `filter`, in no particular order.
pub async fn memories_by_ids(
    app: &App,
    user_id: &str,
    ids: &[String],
    filter: &MemoryFilter,
) -> ApiResult<Vec<Memory>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(ids).map_err(ApiError::internal)?;
    let mut params = vec![user_id.into()];
    params.extend(filter.params()?);
    params.push(ids.into());
    let rows = app.db.query(SELECT_FILTERED_BY_IDS, &params).await?;
    rows.iter().map(decode_memory).collect()
}

pub async fn set_status(
    app: &App,
    user_id: &str,
    memory_id: &str,
    status: &str,
    error: Option<&str>,
) -> ApiResult<()> {
    let params = [
        user_id.into(),
        memory_id.into(),
        status.into(),
        error.map(str::to_owned).into(),
    ];
    app.db.execute(SET_STATUS, &params).await?;
    Ok(())
}

/// Deletes the memory row; the full-text index follows through its trigger.
pub async fn delete_memory(app: &App, user_id: &str, memory_id: &str) -> ApiResult<bool> {
    Ok(app
        .db
        .execute(DELETE_MEMORY, &[user_id.into(), memory_id.into()])
        .await?
        > 0)
}

/// Returns up to `limit` failed memories as (id, text), oldest first, and the failed total.
pub async fn failed_memories(
    app: &App,
    user_id: &str,
    limit: i64,
) -> ApiResult<(Vec<(String, String)>, i64)> {
    let rows = app
        .db
        .query(SELECT_FAILED, &[user_id.into(), limit.into()])
        .await?;
    let failed = rows
        .iter()
        .map(|row| Ok((row.text("id")?, row.text("text")?)))
        .collect::<ApiResult<Vec<_>>>()?;
    let total = app.db.query(COUNT_FAILED, &[user_id.into()]).await?;
    Ok((
        failed,
        total.first().map_or(Ok(0), |row| row.integer("total"))?,
    ))
}

/// Returns how many memories the user has, in every bank.
pub async fn count_memories(app: &App, user_id: &str) -> ApiResult<i64> {
    let rows = app.db.query(COUNT_MEMORIES, &[user_id.into()]).await?;
    rows.first().map_or(Ok(0), |row| row.integer("total"))
}

/// The entities and contacts of the memories among the ids in the JSON array ?2. It is one
/// statement because each round trip to D1 costs more than the rows. `link` marks the kind
/// of each row, and rows keep their order of insertion.
const SELECT_LINKS: &str = "
    SELECT 'entity' AS link, memory_id, type AS first, value AS second, NULL AS role,
           rowid AS position
    FROM memory_entities
    WHERE user_id = ?1 AND memory_id IN (SELECT value FROM json_each(?2))
    UNION ALL
    SELECT 'contact', mc.memory_id, mc.contact_id, c.display_name, mc.role, mc.rowid
    FROM memory_contacts mc JOIN contacts c ON c.id = mc.contact_id
    WHERE mc.user_id = ?1 AND mc.memory_id IN (SELECT value FROM json_each(?2))
    ORDER BY link, memory_id, position";

/// Fills in the entities and contacts of `memories` from their link tables.
pub async fn attach_links<'a>(
    app: &App,
    user_id: &str,
    memories: impl IntoIterator<Item = &'a mut Memory>,
) -> ApiResult<()> {
    let mut memories: Vec<&mut Memory> = memories.into_iter().collect();
    if memories.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = memories.iter().map(|m| m.id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(ApiError::internal)?;
    let rows = app
        .db
        .query(SELECT_LINKS, &[user_id.into(), ids.into()])
        .await?;
    let mut entities: HashMap<String, Vec<Entity>> = HashMap::new();
    let mut contacts: HashMap<String, Vec<MemoryContact>> = HashMap::new();
    for row in &rows {
        let memory_id = row.text("memory_id")?;
        if row.text("link")? == "entity" {
            let name = row.text("first")?;
            let kind = EntityKind::parse(&name).ok_or_else(|| {
                ApiError::internal(format!("unknown stored entity type {name:?}"))
            })?;
            let value = row.text("second")?;
            entities
                .entry(memory_id)
                .or_default()
                .push(Entity { kind, value });
        } else {
            let contact = MemoryContact {
                id: row.text("first")?,
                display_name: row.text("second")?,
                role: row.text("role")?,
            };
            contacts.entry(memory_id).or_default().push(contact);
        }
    }
    for memory in &mut memories {
        memory.entities = entities.remove(&memory.id).unwrap_or_default();
        memory.contacts = contacts.remove(&memory.id).unwrap_or_default();
    }
    Ok(())
}
