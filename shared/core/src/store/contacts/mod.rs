//! The contact tables: `contacts`, `contact_identifiers`, `memory_contacts`, and the evidence
//! and dismissals behind merge suggestions.

use std::collections::HashMap;

use serde::Serialize;

use crate::app::App;
use crate::error::{ApiError, ApiResult};

/// ?2 is a JSON array of memory ids.
const SELECT_LINKS_FOR_MEMORIES: &str = "
    SELECT mc.memory_id, mc.contact_id, mc.role, c.display_name
    FROM memory_contacts mc JOIN contacts c ON c.id = mc.contact_id
    WHERE mc.user_id = ?1 AND mc.memory_id IN (SELECT value FROM json_each(?2))
    ORDER BY mc.memory_id, mc.rowid";

/// A contact as a memory lists it: who, and in what role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryContact {
    pub id: String,
    pub display_name: String,
    pub role: String,
}

/// Returns the contacts of each of the user's memories among `memory_ids`, keyed by memory id.
pub async fn contacts_for_memories(
    app: &App,
    user_id: &str,
    memory_ids: &[String],
) -> ApiResult<HashMap<String, Vec<MemoryContact>>> {
    let mut found: HashMap<String, Vec<MemoryContact>> = HashMap::new();
    if memory_ids.is_empty() {
        return Ok(found);
    }
    let ids = serde_json::to_string(memory_ids).map_err(ApiError::internal)?;
    let rows = app
        .db
        .query(SELECT_LINKS_FOR_MEMORIES, &[user_id.into(), ids.into()])
        .await?;
    for row in &rows {
        found
            .entry(row.text("memory_id")?)
            .or_default()
            .push(MemoryContact {
                id: row.text("contact_id")?,
                display_name: row.text("display_name")?,
                role: row.text("role")?,
            });
    }
    Ok(found)
}
