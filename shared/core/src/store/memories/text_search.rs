//! BM25 ranking over the FTS5 index of memory text.

use crate::app::App;
use crate::error::ApiResult;
use crate::ports::SqlValue;

use super::MemoryFilter;

/// ?1 is an FTS5 query expression, ?2 the user, ?3..?8 the filter, ?9 the limit.
/// `bm25()` is lower for better matches.
const TEXT_MATCHES: &str = "
    SELECT m.id AS id, bm25(memories_fts) AS rank
    FROM memories_fts
    JOIN memories m ON m.seq = memories_fts.rowid
    WHERE memories_fts MATCH ?1
      AND m.user_id = ?2
      AND (?3 IS NULL OR m.memory_bank_id IN (SELECT value FROM json_each(?3)))
      AND (?4 IS NULL OR m.source_type IN (SELECT value FROM json_each(?4)))
      AND (?5 IS NULL OR m.connector_type IN (SELECT value FROM json_each(?5)))
      AND (?6 IS NULL OR m.event_time >= ?6)
      AND (?7 IS NULL OR m.event_time < ?7)
      AND (?8 IS NULL OR m.pinned = ?8)
    ORDER BY rank
    LIMIT ?9";

/// A memory that matched the text query, with its BM25 score (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    pub memory_id: String,
    pub score: f64,
}

/// Returns up to `limit` of the user's memories matching the FTS5 expression `fts_query`,
/// best first.
pub async fn text_matches(
    app: &App,
    user_id: &str,
    fts_query: &str,
    filter: &MemoryFilter,
    limit: i64,
) -> ApiResult<Vec<TextMatch>> {
    let mut params: Vec<SqlValue> = vec![fts_query.into(), user_id.into()];
    params.extend(filter.params()?);
    params.push(limit.into());
    let rows = app.db.query(TEXT_MATCHES, &params).await?;
    rows.iter()
        .map(|row| {
            Ok(TextMatch {
                memory_id: row.text("id")?,
                score: -row.real("rank")?,
            })
        })
        .collect()
}
