//! The `memory_banks` table. Every user has exactly one default bank, made at registration.

use serde::Serialize;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::ports::{Row, Statement};
use crate::util::{format_time, new_id};

/// Name of the bank every user starts with.
pub const DEFAULT_BANK_NAME: &str = "Default";

const INSERT_BANK: &str = "
    INSERT INTO memory_banks (id, user_id, name, description, is_default, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const SELECT_BANKS: &str = "
    SELECT b.id, b.name, b.description, b.is_default, b.created_at,
           (SELECT count(*) FROM memories m
            WHERE m.user_id = b.user_id AND m.memory_bank_id = b.id) AS memory_count
    FROM memory_banks b
    WHERE b.user_id = ?1
    ORDER BY b.is_default DESC, b.created_at, b.id";

const SELECT_BANK: &str = "
    SELECT b.id, b.name, b.description, b.is_default, b.created_at,
           (SELECT count(*) FROM memories m
            WHERE m.user_id = b.user_id AND m.memory_bank_id = b.id) AS memory_count
    FROM memory_banks b
    WHERE b.user_id = ?1 AND b.id = ?2";

const SELECT_DEFAULT_BANK_ID: &str =
    "SELECT id FROM memory_banks WHERE user_id = ?1 AND is_default = 1";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryBank {
    pub id: String,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub memory_count: i64,
    pub created_at: String,
}

fn decode_bank(row: &Row) -> ApiResult<MemoryBank> {
    Ok(MemoryBank {
        id: row.text("id")?,
        name: row.text("name")?,
        description: row.text("description")?,
        is_default: row.boolean("is_default")?,
        memory_count: row.integer("memory_count")?,
        created_at: row.text("created_at")?,
    })
}

/// Returns the statement that creates the user's default bank, to run in the same batch as
/// the user's own row.
pub fn insert_default_bank(app: &App, user_id: &str) -> ApiResult<Statement> {
    let params = vec![
        new_id("bank")?.into(),
        user_id.into(),
        DEFAULT_BANK_NAME.into(),
        "".into(),
        true.into(),
        format_time(app.now()).into(),
    ];
    Ok(Statement::new(INSERT_BANK, params))
}

pub async fn create_bank(
    app: &App,
    user_id: &str,
    name: &str,
    description: &str,
) -> ApiResult<MemoryBank> {
    let bank = MemoryBank {
        id: new_id("bank")?,
        name: name.to_owned(),
        description: description.to_owned(),
        is_default: false,
        memory_count: 0,
        created_at: format_time(app.now()),
    };
    let params = [
        bank.id.as_str().into(),
        user_id.into(),
        bank.name.as_str().into(),
        bank.description.as_str().into(),
        false.into(),
        bank.created_at.as_str().into(),
    ];
    match app.db.execute(INSERT_BANK, &params).await {
        Ok(_) => Ok(bank),
        Err(error) if error.unique_violation => Err(ApiError::Conflict(format!(
            "a memory bank named {name:?} already exists"
        ))),
        Err(error) => Err(error.into()),
    }
}

pub async fn list_banks(app: &App, user_id: &str) -> ApiResult<Vec<MemoryBank>> {
    let rows = app.db.query(SELECT_BANKS, &[user_id.into()]).await?;
    rows.iter().map(decode_bank).collect()
}

/// Returns one of the user's banks; another user's bank is not found.
pub async fn get_bank(app: &App, user_id: &str, bank_id: &str) -> ApiResult<MemoryBank> {
    let rows = app
        .db
        .query(SELECT_BANK, &[user_id.into(), bank_id.into()])
        .await?;
    rows.first()
        .map(decode_bank)
        .unwrap_or_else(|| Err(ApiError::not_found_id("memory bank", bank_id)))
}

pub async fn default_bank_id(app: &App, user_id: &str) -> ApiResult<String> {
    let rows = app
        .db
        .query(SELECT_DEFAULT_BANK_ID, &[user_id.into()])
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| ApiError::internal("user has no default memory bank"))?;
    row.text("id")
}
