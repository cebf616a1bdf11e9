//! Storing memories: content-addressed ids, the row, then the vector. A memory whose vector
//! could not be made stays stored and findable by text, with status `failed`, until retried.

use serde_json::Value;

use crate::app::App;
use crate::auth::Principal;
use crate::contacts::normalize::normalize_phone;
use crate::contacts::participants::{self, ParticipantBody, SourceScope};
use crate::contacts::resolve;
use crate::contacts::DEFAULT_PHONE_REGION;
use crate::entities::extract::{extract_entities, Entity, EntityKind};
use crate::error::{ApiError, ApiResult};
use crate::ports::VectorRecord;
use crate::store::memories::Memory;
use crate::store::{banks, entities, memories, users};
use crate::util::{format_time, sha256_b64};

/// Failed memories re-embedded by one retry request, so its work stays bounded.
pub const RETRY_BATCH: i64 = 100;

/// A memory to store, already validated.
#[derive(Debug, Clone)]
pub struct NewMemory {
    pub text: String,
    pub source_type: String,
    pub connector_type: String,
    pub event_time_millis: Option<i64>,
    pub metadata: Value,
    pub memory_bank_id: Option<String>,
    pub importance: f64,
    pub pinned: bool,
    /// The people the request names, checked by [`create_memory`].
    pub participants: Vec<ParticipantBody>,
}

/// Returns the id of a memory: a hash of the user, its source and the item's identity within
/// that source, so storing the same item twice finds the first copy.
pub fn memory_id(user_id: &str, source: &str, item_key: &str) -> String {
    let digest = sha256_b64(format!("{user_id}\u{0}{source}\u{0}{item_key}").as_bytes());
    format!("mem_{}", &digest[..24])
}

/// Picks the bank for a new memory. A named bank must be the user's and allowed to the
/// credential. Without a name, it is the user's default bank, unless the credential is a key
/// limited to other banks, which gets its first bank.
async fn resolve_bank(
    app: &App,
    principal: &Principal,
    bank_id: Option<&str>,
) -> ApiResult<String> {
    let bank_id = match bank_id {
        Some(id) => banks::get_bank(app, &principal.user_id, id).await?.id,
        None => {
            let default = banks::default_bank_id(app, &principal.user_id).await?;
            match principal.allowed_banks() {
                Some([first, ..]) if !principal.may_use_bank(&default) => first.clone(),
                _ => default,
            }
        }
    };
    principal.require_bank(&bank_id)?;
    Ok(bank_id)
}

/// Stores a memory and indexes it. Returns the memory and whether it was new; storing the
/// same text in the same bank again returns the existing memory unchanged.
pub async fn create_memory(
    app: &App,
    principal: &Principal,
    new: NewMemory,
) -> ApiResult<(Memory, bool)> {
    let user_id = &principal.user_id;
    let now = app.now();
    let entities = extract_entities(&new.text, new.event_time_millis.unwrap_or(now));
    // The user's phone region is read only when some phone number may need it.
    let region = if may_name_phone(&new, &entities) {
        users::phone_region(app, user_id).await?
    } else {
        DEFAULT_PHONE_REGION.to_owned()
    };
    let entities = phones_in_e164(entities, &region);
    let source = SourceScope::new(&new.connector_type, None, &new.metadata, &region);
    // Every value of the request is checked before anything is stored.
    let mut people = participants::from_request(&new.participants, &source)?;
    let bank_id = resolve_bank(app, principal, new.memory_bank_id.as_deref()).await?;
    let item_key = sha256_b64(format!("{bank_id}\u{0}{}", new.text).as_bytes());
    let id = memory_id(user_id, &new.connector_type, &item_key);

    let mut memory = Memory {
        id,
        text: new.text,
        source_type: new.source_type,
        connector_type: new.connector_type,
        account_id: None,
        memory_bank_id: bank_id,
        event_time: format_time(new.event_time_millis.unwrap_or(now)),
        ingest_time: format_time(now),
        metadata: new.metadata,
        entities: Vec::new(),
        contacts: Vec::new(),
        importance: new.importance,
        trust: 1.0,
        pinned: new.pinned,
        status: "pending".into(),
        error: None,
    };
    if !memories::insert_memory(app, user_id, &memory).await? {
        // The same item is stored already, perhaps by a concurrent request.
        let existing = memories::find_memory(app, user_id, &memory.id).await?;
        return existing
            .map(|m| (m, false))
            .ok_or_else(|| ApiError::not_found("memory"));
    }
    people.extend(participants::from_metadata(&memory.metadata, &source));
    people.extend(participants::from_entities(&entities, &source));
    // The entity rows and the contact links are independent writes.
    let (saved, linked) = futures::future::join(
        entities::save_entities(app, user_id, &memory.id, &entities),
        resolve::link_participants(app, user_id, &memory.id, people),
    )
    .await;
    saved?;
    memory.entities = entities;
    match linked {
        Ok(contacts) => memory.contacts = contacts,
        Err(error) => {
            // The memory is stored already, so it is still indexed, with the links made.
            tracing::warn!(user.id = %user_id, memory.id = %memory.id, error = %error,
                "linking contacts failed");
            memories::attach_links(app, user_id, std::slice::from_mut(&mut memory)).await?;
        }
    }
    let (status, error) = index_memory(app, user_id, &memory.id, &memory.text).await?;
    memory.status = status.into();
    memory.error = error;
    Ok((memory, true))
}

/// Writes the phone numbers among `entities` in E.164, read in `region` when they have no
/// country code, so that one number counts once however it was written. A number that does
/// not read as valid keeps its extracted digits.
fn phones_in_e164(entities: Vec<Entity>, region: &str) -> Vec<Entity> {
    let mut unique: Vec<Entity> = Vec::with_capacity(entities.len());
    for mut entity in entities {
        if entity.kind == EntityKind::Phone {
            if let Ok(number) = normalize_phone(&entity.value, region) {
                entity.value = number;
            }
        }
        if !unique.contains(&entity) {
            unique.push(entity);
        }
    }
    unique
}

/// Returns whether a memory may name a phone number: in a participant, in metadata that
/// names people, or in its text.
fn may_name_phone(new: &NewMemory, entities: &[Entity]) -> bool {
    new.participants.iter().any(|p| p.phone.is_some())
        || participants::METADATA_FIELDS
            .iter()
            .any(|(field, _)| new.metadata.get(field).is_some())
        || entities.iter().any(|e| e.kind == EntityKind::Phone)
}

/// Embeds one memory and stores its vector, then records the outcome as its status.
/// Returns the status and the error shown to the user, if any.
pub async fn index_memory(
    app: &App,
    user_id: &str,
    memory_id: &str,
    text: &str,
) -> ApiResult<(&'static str, Option<String>)> {
    let outcome = embed_and_store(app, user_id, memory_id, text).await;
    let (status, error) = match outcome {
        Ok(()) => ("ready", None),
        Err(error) => {
            tracing::warn!(user.id = %user_id, memory.id = %memory_id, error = %error,
                "embedding failed");
            (
                "failed",
                Some("embedding failed; retry with POST /api/memories/retry-failed".to_owned()),
            )
        }
    };
    memories::set_status(app, user_id, memory_id, status, error.as_deref()).await?;
    Ok((status, error))
}

async fn embed_and_store(app: &App, user_id: &str, memory_id: &str, text: &str) -> ApiResult<()> {
    let embedder = app.embedder()?;
    let mut vectors = embedder.embed(&[text.to_owned()]).await?;
    let values = vectors
        .pop()
        .ok_or_else(|| ApiError::internal("embedder returned nothing"))?;
    let record = VectorRecord {
        memory_id: memory_id.to_owned(),
        user_id: user_id.to_owned(),
        model: embedder.model_id().to_owned(),
        values,
    };
    app.vectors.upsert(&record).await
}

/// Re-embeds up to [`RETRY_BATCH`] failed memories. Returns how many were retried and how
/// many had failed in all.
// NOTE: retries run inside the request because there is no job queue yet; with one, this
// would enqueue them and return at once.
pub async fn retry_failed(app: &App, user_id: &str) -> ApiResult<(usize, i64)> {
    let (failed, total) = memories::failed_memories(app, user_id, RETRY_BATCH).await?;
    for (memory_id, text) in &failed {
        index_memory(app, user_id, memory_id, text).await?;
    }
    Ok((failed.len(), total))
}

/// Removes a memory from the database, the text index and the vector index.
pub async fn delete_memory(app: &App, principal: &Principal, memory_id: &str) -> ApiResult<()> {
    let user_id = &principal.user_id;
    let memory = memories::find_memory(app, user_id, memory_id).await?;
    let memory = memory
        .filter(|m| principal.may_use_bank(&m.memory_bank_id))
        .ok_or_else(|| ApiError::not_found_id("memory", memory_id))?;
    app.vectors
        .delete(user_id, std::slice::from_ref(&memory.id))
        .await?;
    memories::delete_memory(app, user_id, &memory.id).await?;
    Ok(())
}
