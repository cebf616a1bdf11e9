//! The `memories` table and its full-text index.

use crate::app::App;
use crate::error::ApiResult;

const COUNT_MEMORIES: &str = "SELECT count(*) AS total FROM memories WHERE user_id = ?1";

/// Returns how many memories the user has, in every bank.
pub async fn count_memories(app: &App, user_id: &str) -> ApiResult<i64> {
    let rows = app.db.query(COUNT_MEMORIES, &[user_id.into()]).await?;
    rows.first().map_or(Ok(0), |row| row.integer("total"))
}
