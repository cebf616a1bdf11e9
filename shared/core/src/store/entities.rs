//! The `memory_entities` table: the entities extracted from each memory's text.

use std::collections::HashMap;

use serde_json::json;

use crate::app::App;
use crate::contacts::normalize::name_key;
use crate::entities::extract::{Entity, EntityKind};
use crate::error::{ApiError, ApiResult};

/// ?3 is a JSON array of `{type, value, key}` objects.
const INSERT_ENTITIES: &str = "
    INSERT OR IGNORE INTO memory_entities (user_id, memory_id, type, value, value_key)
    SELECT ?1, ?2, json_extract(value, '$.type'), json_extract(value, '$.value'),
           json_extract(value, '$.key')
    FROM json_each(?3)";

/// ?2 is a JSON array of memory ids.
const SELECT_FOR_MEMORIES: &str = "
    SELECT memory_id, type, value FROM memory_entities
    WHERE user_id = ?1 AND memory_id IN (SELECT value FROM json_each(?2))
    ORDER BY memory_id, rowid";

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

/// Returns the entities of each of the user's memories among `memory_ids`, keyed by memory id.
pub async fn entities_for_memories(
    app: &App,
    user_id: &str,
    memory_ids: &[String],
) -> ApiResult<HashMap<String, Vec<Entity>>> {
    let mut found: HashMap<String, Vec<Entity>> = HashMap::new();
    if memory_ids.is_empty() {
        return Ok(found);
    }
    let ids = serde_json::to_string(memory_ids).map_err(ApiError::internal)?;
    let rows = app
        .db
        .query(SELECT_FOR_MEMORIES, &[user_id.into(), ids.into()])
        .await?;
    for row in &rows {
        let kind = serde_json::from_value(json!(row.text("type")?)).map_err(ApiError::internal)?;
        found
            .entry(row.text("memory_id")?)
            .or_default()
            .push(Entity {
                kind,
                value: row.text("value")?,
            });
    }
    Ok(found)
}
