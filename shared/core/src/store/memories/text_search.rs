//! BM25 ranking over the FTS5 index of memory text.

use crate::app::App;
use crate::error::ApiResult;
use crate::ports::SqlValue;

use super::MemoryFilter;

/// ?1 is the user, ?2..?8 the filter, ?9 an FTS5 query expression and ?10 the limit.
/// `bm25()` is lower for better matches.
const TEXT_MATCHES: &str = concat!(
    "SELECT m.id AS id, bm25(memories_fts) AS rank
     FROM memories_fts
     JOIN memories m ON m.seq = memories_fts.rowid",
    filter_clause!("m."),
    " AND memories_fts MATCH ?9
     ORDER BY rank
     LIMIT ?10"
);

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
    let mut params: Vec<SqlValue> = vec![user_id.into()];
    params.extend(filter.params()?);
    params.extend([fts_query.into(), limit.into()]);
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
