//! Listing memories newest first with keyset pagination, and per-user statistics.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

use super::{decode_memory, Memory, MemoryFilter};
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::ports::SqlValue;

/// ?1 is the user, ?2..?8 the filter, ?9 and ?10 the cursor's event time and seq, ?11 the
/// page size.
const LIST_MEMORIES: &str = concat!(
    "SELECT seq, id, memory_bank_id, text, source_type, connector_type, account_id, event_time,
            ingest_time, metadata, importance, trust, pinned, status, error
     FROM memories",
    filter_clause!(""),
    " AND (?9 IS NULL OR event_time < ?9 OR (event_time = ?9 AND seq < ?10))
     ORDER BY event_time DESC, seq DESC
     LIMIT ?11"
);

const COUNT_FILTERED: &str = concat!("SELECT count(*) AS total FROM memories", filter_clause!(""));

/// Counts per value of one column; the column name comes from a fixed list, never input.
const STATS_BY_SOURCE: &str = "
    SELECT source_type AS key, count(*) AS total FROM memories
    WHERE user_id = ?1 AND (?2 IS NULL OR memory_bank_id IN (SELECT value FROM json_each(?2)))
    GROUP BY source_type";

const STATS_BY_CONNECTOR: &str = "
    SELECT connector_type AS key, count(*) AS total FROM memories
    WHERE user_id = ?1 AND (?2 IS NULL OR memory_bank_id IN (SELECT value FROM json_each(?2)))
    GROUP BY connector_type";

const STATS_BY_STATUS: &str = "
    SELECT status AS key, count(*) AS total FROM memories
    WHERE user_id = ?1 AND (?2 IS NULL OR memory_bank_id IN (SELECT value FROM json_each(?2)))
    GROUP BY status";

const STATS_RANGE: &str = "
    SELECT count(*) AS total, min(event_time) AS oldest, max(event_time) AS newest
    FROM memories
    WHERE user_id = ?1 AND (?2 IS NULL OR memory_bank_id IN (SELECT value FROM json_each(?2)))";

/// One page of memories.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryPage {
    pub items: Vec<Memory>,
    pub total: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStats {
    pub total: i64,
    pub by_source: BTreeMap<String, i64>,
    pub by_connector: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
    pub oldest: Option<String>,
    pub newest: Option<String>,
}

fn encode_cursor(event_time: &str, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{event_time}|{seq}"))
}

fn decode_cursor(cursor: &str) -> ApiResult<(String, i64)> {
    let invalid = || ApiError::bad_request(format!("invalid cursor {cursor:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (time, seq) = text.rsplit_once('|').ok_or_else(invalid)?;
    Ok((time.to_owned(), seq.parse().map_err(|_| invalid())?))
}

/// Returns one page of the user's memories, newest event first.
pub async fn list_memories(
    app: &App,
    user_id: &str,
    filter: &MemoryFilter,
    cursor: Option<&str>,
    limit: i64,
) -> ApiResult<MemoryPage> {
    let after = cursor.map(decode_cursor).transpose()?;
    let mut params: Vec<SqlValue> = vec![user_id.into()];
    params.extend(filter.params()?);
    let total = app.db.query(COUNT_FILTERED, &params).await?;
    let total = total.first().map_or(Ok(0), |row| row.integer("total"))?;

    let (after_time, after_seq) = after.map_or((None, None), |(t, s)| (Some(t), Some(s)));
    params.extend([after_time.into(), after_seq.into(), (limit + 1).into()]);
    let rows = app.db.query(LIST_MEMORIES, &params).await?;
    let has_more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_cursor = match rows.last() {
        Some(last) if has_more => Some(encode_cursor(
            &last.text("event_time")?,
            last.integer("seq")?,
        )),
        _ => None,
    };
    let mut items = rows
        .iter()
        .map(decode_memory)
        .collect::<ApiResult<Vec<_>>>()?;
    super::attach_links(app, user_id, &mut items).await?;
    Ok(MemoryPage {
        items,
        total,
        next_cursor,
    })
}

async fn counts_by(
    app: &App,
    sql: &'static str,
    params: &[SqlValue],
) -> ApiResult<BTreeMap<String, i64>> {
    let rows = app.db.query(sql, params).await?;
    rows.iter()
        .map(|row| Ok((row.text("key")?, row.integer("total")?)))
        .collect()
}

/// Returns the user's memory counts, limited to `bank_ids` when given.
pub async fn memory_stats(
    app: &App,
    user_id: &str,
    bank_ids: Option<&[String]>,
) -> ApiResult<MemoryStats> {
    let banks = match bank_ids {
        Some(ids) => serde_json::to_string(ids)
            .map_err(ApiError::internal)?
            .into(),
        None => SqlValue::Null,
    };
    let params = [user_id.into(), banks];
    let range = app.db.query(STATS_RANGE, &params).await?;
    let range = range
        .first()
        .ok_or_else(|| ApiError::internal("empty stats"))?;
    Ok(MemoryStats {
        total: range.integer("total")?,
        by_source: counts_by(app, STATS_BY_SOURCE, &params).await?,
        by_connector: counts_by(app, STATS_BY_CONNECTOR, &params).await?,
        by_status: counts_by(app, STATS_BY_STATUS, &params).await?,
        oldest: range.optional_text("oldest")?,
        newest: range.optional_text("newest")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let cursor = encode_cursor("2024-01-01T00:00:00.000Z", 42);
        assert_eq!(
            decode_cursor(&cursor).unwrap(),
            ("2024-01-01T00:00:00.000Z".to_owned(), 42)
        );
    }

    #[test]
    fn garbage_cursor_is_bad_request() {
        assert_eq!(decode_cursor("%%%").unwrap_err().status(), 400);
    }
}
