//! The memories of the memory graph: the newest ones, with only the columns the graph shows.

use serde_json::Value;

use super::MemoryFilter;
use crate::app::App;
use crate::error::ApiResult;
use crate::ports::{Row, SqlValue};

/// Characters of memory text read for a node's label, so a long text costs no more than a
/// short one.
pub const LABEL_SOURCE_CHARS: i64 = 200;

/// ?1 is the user, ?2..?8 the filter, ?9 the number of memories and ?10 the characters of
/// text to read. A thread or conversation id is read only when it is a string or an integer.
const NEWEST_MEMORIES: &str = concat!(
    "SELECT seq, id, memory_bank_id, substr(text, 1, ?10) AS text_start, source_type,
            event_time,
            CASE WHEN json_type(metadata, '$.threadId') IN ('text', 'integer')
                 THEN json_extract(metadata, '$.threadId') END AS thread_id,
            CASE WHEN json_type(metadata, '$.conversationId') IN ('text', 'integer')
                 THEN json_extract(metadata, '$.conversationId') END AS conversation_id
     FROM memories",
    filter_clause!(""),
    " ORDER BY event_time DESC, seq DESC
     LIMIT ?9"
);

/// A memory as the graph uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphMemory {
    /// The insertion order, which breaks ties between equal event times.
    pub seq: i64,
    pub id: String,
    pub memory_bank_id: String,
    /// The first [`LABEL_SOURCE_CHARS`] characters of the text.
    pub text_start: String,
    pub source_type: String,
    pub event_time: String,
    /// `metadata.threadId`, when it is a string or an integer.
    pub thread_id: Option<Value>,
    /// `metadata.conversationId`, when it is a string or an integer.
    pub conversation_id: Option<Value>,
}

/// Returns a metadata column as JSON, `None` for NULL or an empty string.
fn metadata_key(row: &Row, name: &str) -> Option<Value> {
    match row.0.get(name) {
        Some(Value::String(text)) if !text.is_empty() => Some(Value::String(text.clone())),
        Some(Value::Number(number)) => Some(Value::Number(number.clone())),
        _ => None,
    }
}

fn decode_graph_memory(row: &Row) -> ApiResult<GraphMemory> {
    Ok(GraphMemory {
        seq: row.integer("seq")?,
        id: row.text("id")?,
        memory_bank_id: row.text("memory_bank_id")?,
        text_start: row.text("text_start")?,
        source_type: row.text("source_type")?,
        event_time: row.text("event_time")?,
        thread_id: metadata_key(row, "thread_id"),
        conversation_id: metadata_key(row, "conversation_id"),
    })
}

/// Returns the user's `limit` newest memories that pass `filter`, newest event first.
pub async fn newest_memories(
    app: &App,
    user_id: &str,
    filter: &MemoryFilter,
    limit: i64,
) -> ApiResult<Vec<GraphMemory>> {
    let mut params: Vec<SqlValue> = vec![user_id.into()];
    params.extend(filter.params()?);
    params.extend([limit.into(), LABEL_SOURCE_CHARS.into()]);
    let rows = app.db.query(NEWEST_MEMORIES, &params).await?;
    rows.iter().map(decode_graph_memory).collect()
}
