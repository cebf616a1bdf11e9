//! The contact tables: `contacts`, `contact_identifiers`, `memory_contacts`, and the evidence
//! and dismissals behind merge suggestions. `?1` is always the user. Where a statement takes
//! a bank list, it is a JSON array of the banks a credential may use, or NULL for all.

use std::collections::HashMap;

use serde::Serialize;

use crate::app::App;
use crate::contacts::normalize::{name_key, IdentifierKind};
use crate::contacts::participants::{Identifier, Role};
use crate::error::{ApiError, ApiResult};
use crate::ports::{Row, SqlValue, Statement};
use crate::util::{format_time, new_id};

/// The memories of a contact that a bank list (a JSON array, or NULL for all) lets the
/// caller see. Both arguments are SQL expressions.
macro_rules! visible_links {
    ($contact:literal, $banks:literal) => {
        concat!(
            "SELECT mc.memory_id FROM memory_contacts mc JOIN memories m ON m.id = mc.memory_id
             WHERE mc.user_id = ?1 AND mc.contact_id = ",
            $contact,
            " AND (",
            $banks,
            " IS NULL OR m.memory_bank_id IN (SELECT value FROM json_each(",
            $banks,
            ")))"
        )
    };
}

/// ?3 is a JSON array of contact ids.
const SELECT_CONTACTS: &str = concat!(
    "SELECT c.id, c.display_name, c.named, c.kind, c.created_at, c.updated_at,
            (SELECT count(DISTINCT memory_id) FROM (",
    visible_links!("c.id", "?2"),
    ")) AS memory_count
     FROM contacts c
     WHERE c.user_id = ?1 AND c.id IN (SELECT value FROM json_each(?3))"
);

/// A contact is listed when the caller may see one of its memories, or when the caller may see
/// every bank. ?3 is the offset and ?4 the page size.
const LIST_CONTACTS: &str = concat!(
    "SELECT c.id FROM contacts c
     WHERE c.user_id = ?1 AND (?2 IS NULL OR EXISTS (",
    visible_links!("c.id", "?2"),
    "))
     ORDER BY c.name_key, c.id
     LIMIT ?4 OFFSET ?3"
);

const COUNT_CONTACTS: &str = concat!(
    "SELECT count(*) AS total FROM contacts c
     WHERE c.user_id = ?1 AND (?2 IS NULL OR EXISTS (",
    visible_links!("c.id", "?2"),
    "))"
);

/// ?3 is the folded query, ?4 the limit and ?5 the digits of a query written as a phone
/// number (or NULL). Names match on their folded key, and identifiers other than names on
/// their value and match key. `instr` in place of LIKE needs no escaping and has no pattern
/// length limit (D1 rejects LIKE patterns over 50 bytes).
const SEARCH_CONTACTS: &str = concat!(
    "SELECT c.id FROM contacts c
     WHERE c.user_id = ?1 AND (?2 IS NULL OR EXISTS (",
    visible_links!("c.id", "?2"),
    "))
       AND (instr(c.name_key, ?3) > 0
            OR EXISTS (SELECT 1 FROM contact_identifiers i
                       WHERE i.user_id = ?1 AND i.contact_id = c.id AND i.type != 'name'
                         AND (instr(lower(i.value), ?3) > 0
                              OR instr(i.match_key, ?3) > 0
                              OR (?5 IS NOT NULL AND i.type = 'phone'
                                  AND instr(i.match_key, ?5) > 0))))
     ORDER BY substr(c.name_key, 1, length(?3)) = ?3 DESC, c.name_key, c.id
     LIMIT ?4"
);

const SELECT_IDENTIFIERS_OF: &str = "
    SELECT id, contact_id, type, value, raw, context, match_key, connector_type
    FROM contact_identifiers
    WHERE user_id = ?1 AND contact_id IN (SELECT value FROM json_each(?2))
    ORDER BY contact_id, created_at, id";

const SELECT_ALL_IDENTIFIERS: &str = "
    SELECT id, contact_id, type, value, raw, context, match_key, connector_type
    FROM contact_identifiers
    WHERE user_id = ?1
    ORDER BY created_at, id";

/// ?2 is a JSON array of types and ?3 of match keys.
const FIND_BY_KEYS: &str = "
    SELECT i.type, i.match_key, i.contact_id, c.display_name, c.named
    FROM contact_identifiers i JOIN contacts c ON c.id = i.contact_id
    WHERE i.user_id = ?1
      AND i.type IN (SELECT value FROM json_each(?2))
      AND i.match_key IN (SELECT value FROM json_each(?3))";

const SELECT_KINDS_OF: &str = "
    SELECT DISTINCT type FROM contact_identifiers WHERE user_id = ?1 AND contact_id = ?2";

const INSERT_CONTACT: &str = "
    INSERT INTO contacts (id, user_id, display_name, name_key, named, kind, created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, 'person', ?6, ?6)";

const INSERT_IDENTIFIER: &str = "
    INSERT INTO contact_identifiers
        (id, user_id, contact_id, type, value, raw, context, match_key, connector_type, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Adds an identifier to a contact that still exists.
const ADD_IDENTIFIER: &str = "
    INSERT OR IGNORE INTO contact_identifiers
        (id, user_id, contact_id, type, value, raw, context, match_key, connector_type, created_at)
    SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
    WHERE EXISTS (SELECT 1 FROM contacts WHERE user_id = ?2 AND id = ?3)";

/// Links a memory to a contact that still exists.
const INSERT_LINK: &str = "
    INSERT OR IGNORE INTO memory_contacts (user_id, memory_id, contact_id, role)
    SELECT ?1, ?2, ?3, ?4
    WHERE EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?3)";

/// Changes one row when the contact exists and none when a merge or delete removed it, so a
/// batch that starts with it can tell whether its other writes applied.
const CONTACT_EXISTS: &str =
    "UPDATE contacts SET updated_at = updated_at WHERE user_id = ?1 AND id = ?2";

/// Gives a contact known only by an address or number the name a source now gives it.
const NAME_IF_UNNAMED: &str = "
    UPDATE contacts SET display_name = ?3, name_key = ?4, named = 1, updated_at = ?5
    WHERE user_id = ?1 AND id = ?2 AND named = 0";

const INSERT_EVIDENCE: &str = "
    INSERT OR IGNORE INTO contact_evidence (user_id, contact_a, contact_b, type, value)
    SELECT ?1, min(?2, ?3), max(?2, ?3), ?4, ?5
    WHERE (SELECT count(*) FROM contacts WHERE user_id = ?1 AND id IN (?2, ?3)) = 2";

const UPDATE_CONTACT: &str = "
    UPDATE contacts
    SET display_name = coalesce(?3, display_name), name_key = coalesce(?4, name_key),
        named = CASE WHEN ?3 IS NULL THEN named ELSE 1 END, kind = coalesce(?5, kind),
        updated_at = ?6
    WHERE user_id = ?1 AND id = ?2";

const DELETE_CONTACT: &str = "DELETE FROM contacts WHERE user_id = ?1 AND id = ?2";

/// ?2 is the target and ?3 the source of a merge. Every statement of a merge applies only
/// while the target exists, so two merges that race (A into B and B into A) cannot move data
/// to a contact the other one deleted.
const MOVE_IDENTIFIERS: &str = "
    UPDATE contact_identifiers SET contact_id = ?2
    WHERE user_id = ?1 AND contact_id = ?3
      AND EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?2)";

const MOVE_LINKS: &str = "
    INSERT OR IGNORE INTO memory_contacts (user_id, memory_id, contact_id, role)
    SELECT user_id, memory_id, ?2, role FROM memory_contacts
    WHERE user_id = ?1 AND contact_id = ?3
      AND EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?2)";

const MOVE_EVIDENCE: &str = "
    INSERT OR IGNORE INTO contact_evidence (user_id, contact_a, contact_b, type, value)
    SELECT user_id, min(?2, other), max(?2, other), type, value FROM (
        SELECT user_id, CASE WHEN contact_a = ?3 THEN contact_b ELSE contact_a END AS other,
               type, value
        FROM contact_evidence WHERE user_id = ?1 AND (contact_a = ?3 OR contact_b = ?3))
    WHERE other != ?2 AND EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?2)";

/// Deletes the source of a merge, only while the target exists.
const DELETE_MERGED: &str = "
    DELETE FROM contacts WHERE user_id = ?1 AND id = ?3
      AND EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?2)";

/// Keeps the target's name unless only the source has a real one.
const TAKE_NAME: &str = "
    UPDATE contacts
    SET display_name = (SELECT display_name FROM contacts WHERE user_id = ?1 AND id = ?3),
        name_key = (SELECT name_key FROM contacts WHERE user_id = ?1 AND id = ?3),
        named = 1
    WHERE user_id = ?1 AND id = ?2 AND named = 0
      AND EXISTS (SELECT 1 FROM contacts WHERE user_id = ?1 AND id = ?3 AND named = 1)";

const TOUCH_CONTACT: &str = "UPDATE contacts SET updated_at = ?3 WHERE user_id = ?1 AND id = ?2";

const UPDATE_IDENTIFIER: &str = "
    UPDATE contact_identifiers SET value = ?3, match_key = ?4 WHERE user_id = ?1 AND id = ?2";

const DELETE_IDENTIFIER: &str = "DELETE FROM contact_identifiers WHERE user_id = ?1 AND id = ?2";

const SELECT_SUMMARIES: &str = "
    SELECT c.id, c.display_name, c.named,
           (SELECT group_concat(DISTINCT i.connector_type) FROM contact_identifiers i
            WHERE i.contact_id = c.id AND i.connector_type IS NOT NULL) AS connectors
    FROM contacts c WHERE c.user_id = ?1
    ORDER BY c.created_at, c.id
    LIMIT ?2";

const SELECT_EVIDENCE: &str =
    "SELECT contact_a, contact_b, type, value FROM contact_evidence WHERE user_id = ?1";

const SELECT_DISMISSALS: &str =
    "SELECT contact_a, contact_b FROM contact_dismissals WHERE user_id = ?1";

const INSERT_DISMISSAL: &str = "
    INSERT OR IGNORE INTO contact_dismissals (user_id, contact_a, contact_b, created_at)
    VALUES (?1, min(?2, ?3), max(?2, ?3), ?4)";

/// Contacts whose whole name or first name is among the folded words and word pairs ?2.
const NAMED_IN: &str = concat!(
    "SELECT c.id, c.display_name FROM contacts c
     WHERE c.user_id = ?1 AND c.named = 1
       AND (c.name_key IN (SELECT value FROM json_each(?2))
            OR substr(c.name_key, 1, instr(c.name_key || ' ', ' ') - 1)
               IN (SELECT value FROM json_each(?2)))
       AND (?3 IS NULL OR EXISTS (",
    visible_links!("c.id", "?3"),
    "))
     ORDER BY c.name_key, c.id
     LIMIT 10"
);

/// ?2 is a JSON array of memory ids.
const SELECT_LINKS_FOR_MEMORIES: &str = "
    SELECT mc.memory_id, mc.contact_id, mc.role, c.display_name
    FROM memory_contacts mc JOIN contacts c ON c.id = mc.contact_id
    WHERE mc.user_id = ?1 AND mc.memory_id IN (SELECT value FROM json_each(?2))
    ORDER BY mc.memory_id, mc.rowid";

/// A contact as the API returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    pub display_name: String,
    pub kind: String,
    pub identifiers: Vec<IdentifierView>,
    pub memory_count: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip)]
    pub named: bool,
}

/// An identifier as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: IdentifierKind,
    pub value: String,
    pub connector_type: Option<String>,
}

/// A stored identifier with everything it was read from, for renormalising.
#[derive(Debug, Clone)]
pub struct StoredIdentifier {
    pub id: String,
    pub contact_id: String,
    pub identifier: Identifier,
}

/// A contact as a memory lists it: who, and in what role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryContact {
    pub id: String,
    pub display_name: String,
    pub role: String,
}

/// A contact as suggestions need it: its name and the connectors it came from.
#[derive(Debug, Clone)]
pub struct ContactSummary {
    pub id: String,
    pub display_name: String,
    pub named: bool,
    pub connectors: Vec<String>,
}

/// Another contact that a participant's identifiers pointed at: the contact, the kind of
/// identifier that did, and what the participant carried, for the suggestion's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    pub other: String,
    pub kind: IdentifierKind,
    pub description: String,
}

/// Two contacts seen as one person: a single participant carried identifiers of both.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub contact_a: String,
    pub contact_b: String,
    pub kind: IdentifierKind,
    pub value: String,
}

fn banks_param(banks: Option<&[String]>) -> ApiResult<SqlValue> {
    match banks {
        None => Ok(SqlValue::Null),
        Some(ids) => Ok(serde_json::to_string(ids)
            .map_err(ApiError::internal)?
            .into()),
    }
}

fn json_param<T: Serialize>(value: &T) -> ApiResult<SqlValue> {
    Ok(serde_json::to_string(value)
        .map_err(ApiError::internal)?
        .into())
}

fn kind_of(row: &Row) -> ApiResult<IdentifierKind> {
    serde_json::from_value(serde_json::Value::String(row.text("type")?)).map_err(ApiError::internal)
}

fn decode_stored(row: &Row) -> ApiResult<StoredIdentifier> {
    Ok(StoredIdentifier {
        id: row.text("id")?,
        contact_id: row.text("contact_id")?,
        identifier: Identifier {
            kind: kind_of(row)?,
            value: row.text("value")?,
            raw: row.text("raw")?,
            context: row.optional_text("context")?,
            match_key: row.text("match_key")?,
            connector_type: row.optional_text("connector_type")?,
        },
    })
}

/// Returns the user's contacts among `ids`, in the order of `ids`; unknown ids are left out.
pub async fn contacts_by_ids(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    ids: &[String],
) -> ApiResult<Vec<Contact>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids_param = json_param(&ids)?;
    let params = [user_id.into(), banks_param(banks)?, ids_param.clone()];
    let rows = app.db.query(SELECT_CONTACTS, &params).await?;
    let identifier_rows = app
        .db
        .query(SELECT_IDENTIFIERS_OF, &[user_id.into(), ids_param])
        .await?;
    let mut identifiers: HashMap<String, Vec<IdentifierView>> = HashMap::new();
    for row in &identifier_rows {
        let stored = decode_stored(row)?;
        identifiers
            .entry(stored.contact_id)
            .or_default()
            .push(IdentifierView {
                id: stored.id,
                kind: stored.identifier.kind,
                value: stored.identifier.value,
                connector_type: stored.identifier.connector_type,
            });
    }
    let mut found: HashMap<String, Contact> = HashMap::new();
    for row in &rows {
        let id = row.text("id")?;
        found.insert(
            id.clone(),
            Contact {
                identifiers: identifiers.remove(&id).unwrap_or_default(),
                id,
                display_name: row.text("display_name")?,
                kind: row.text("kind")?,
                memory_count: row.integer("memory_count")?,
                created_at: row.text("created_at")?,
                updated_at: row.text("updated_at")?,
                named: row.boolean("named")?,
            },
        );
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Returns one of the user's contacts, or a 404 naming the id.
pub async fn get_contact(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    id: &str,
) -> ApiResult<Contact> {
    let mut found = contacts_by_ids(app, user_id, banks, &[id.to_owned()]).await?;
    found
        .pop()
        .ok_or_else(|| ApiError::not_found_id("contact", id))
}

/// Returns the ids of one page of the contacts that a credential limited to `banks` may see,
/// in name order.
pub async fn visible_contact_ids(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<String>> {
    let params = [
        user_id.into(),
        banks_param(banks)?,
        offset.into(),
        limit.into(),
    ];
    let rows = app.db.query(LIST_CONTACTS, &params).await?;
    rows.iter().map(|row| row.text("id")).collect()
}

/// Returns one page of the user's contacts in name order, and the total.
pub async fn list_contacts(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<Contact>, i64)> {
    let ids = visible_contact_ids(app, user_id, banks, offset, limit).await?;
    let total = count_contacts(app, user_id, banks).await?;
    let contacts = contacts_by_ids(app, user_id, banks, &ids).await?;
    Ok((contacts, total))
}

/// Returns the digits of a query written as a phone number (digits, spaces, `+`, `-`, `.`
/// and brackets, with at least three digits), or `None` for any other query.
fn phone_digits(query: &str) -> Option<String> {
    let phone_like = query
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    (phone_like && digits.len() >= 3).then_some(digits)
}

/// Finds contacts whose name or any identifier contains `query`, ignoring case and accents;
/// names that start with it come first. A query written as a phone number, such as
/// `+1 415 555`, matches the digits of stored numbers whatever their spacing.
pub async fn search_contacts(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    query: &str,
    limit: i64,
) -> ApiResult<Vec<Contact>> {
    let params = [
        user_id.into(),
        banks_param(banks)?,
        name_key(query).into(),
        limit.into(),
        phone_digits(query).into(),
    ];
    let rows = app.db.query(SEARCH_CONTACTS, &params).await?;
    let ids = rows
        .iter()
        .map(|row| row.text("id"))
        .collect::<ApiResult<Vec<_>>>()?;
    contacts_by_ids(app, user_id, banks, &ids).await
}

/// The contact that has an identifier, with its name as resolution needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub contact_id: String,
    pub display_name: String,
    pub named: bool,
}

/// Returns, for each identifier among `identifiers` that some contact holds, that contact,
/// keyed by (type, match key).
pub async fn find_holders(
    app: &App,
    user_id: &str,
    identifiers: &[&Identifier],
) -> ApiResult<HashMap<(IdentifierKind, String), Holder>> {
    let mut holders = HashMap::new();
    if identifiers.is_empty() {
        return Ok(holders);
    }
    let kinds: Vec<&str> = identifiers.iter().map(|i| i.kind.as_str()).collect();
    let keys: Vec<&str> = identifiers.iter().map(|i| i.match_key.as_str()).collect();
    let params = [user_id.into(), json_param(&kinds)?, json_param(&keys)?];
    for row in app.db.query(FIND_BY_KEYS, &params).await? {
        let holder = Holder {
            contact_id: row.text("contact_id")?,
            display_name: row.text("display_name")?,
            named: row.boolean("named")?,
        };
        holders.insert((kind_of(&row)?, row.text("match_key")?), holder);
    }
    Ok(holders)
}

/// Returns the kinds of identifier a contact has.
pub async fn identifier_kinds(
    app: &App,
    user_id: &str,
    contact_id: &str,
) -> ApiResult<Vec<IdentifierKind>> {
    let rows = app
        .db
        .query(SELECT_KINDS_OF, &[user_id.into(), contact_id.into()])
        .await?;
    rows.iter().map(kind_of).collect()
}

fn identifier_params(
    app: &App,
    user_id: &str,
    contact_id: &str,
    identifier: &Identifier,
) -> ApiResult<Vec<SqlValue>> {
    Ok(vec![
        new_id("cid")?.into(),
        user_id.into(),
        contact_id.into(),
        identifier.kind.as_str().into(),
        identifier.value.as_str().into(),
        identifier.raw.as_str().into(),
        identifier.context.clone().into(),
        identifier.match_key.as_str().into(),
        identifier.connector_type.clone().into(),
        format_time(app.now()).into(),
    ])
}

/// The memory a contact is linked to, and in what role.
#[derive(Debug, Clone, Copy)]
pub struct MemoryLink<'a> {
    pub memory_id: &'a str,
    pub role: Role,
}

fn link_params(user_id: &str, link: MemoryLink<'_>, contact_id: &str) -> Vec<SqlValue> {
    vec![
        user_id.into(),
        link.memory_id.into(),
        contact_id.into(),
        link.role.as_str().into(),
    ]
}

/// Creates a contact holding `identifiers` and links it to the memory, atomically. Returns
/// the new id, or `None` when another write claimed one of the identifiers first.
pub async fn create_linked_contact(
    app: &App,
    user_id: &str,
    display_name: &str,
    named: bool,
    identifiers: &[&Identifier],
    link: MemoryLink<'_>,
) -> ApiResult<Option<String>> {
    let id = new_id("con")?;
    let now = format_time(app.now());
    let mut statements = vec![Statement::new(
        INSERT_CONTACT,
        vec![
            id.as_str().into(),
            user_id.into(),
            display_name.into(),
            name_key(display_name).into(),
            named.into(),
            now.into(),
        ],
    )];
    for identifier in identifiers {
        statements.push(Statement::new(
            INSERT_IDENTIFIER,
            identifier_params(app, user_id, &id, identifier)?,
        ));
    }
    statements.push(Statement::new(INSERT_LINK, link_params(user_id, link, &id)));
    match app.db.batch(&statements).await {
        Ok(_) => Ok(Some(id)),
        Err(error) if error.unique_violation => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Links the memory to an existing contact, adds the identifiers no contact has yet, names
/// the contact if it had no name, and records evidence pairing it with `others`. Returns
/// false, having written nothing for it, when the contact no longer exists.
pub async fn link_existing_contact(
    app: &App,
    user_id: &str,
    contact_id: &str,
    name: Option<&str>,
    new_identifiers: &[&Identifier],
    others: &[Pairing],
    link: MemoryLink<'_>,
) -> ApiResult<bool> {
    let now = format_time(app.now());
    let mut statements = vec![Statement::new(
        CONTACT_EXISTS,
        vec![user_id.into(), contact_id.into()],
    )];
    for identifier in new_identifiers {
        statements.push(Statement::new(
            ADD_IDENTIFIER,
            identifier_params(app, user_id, contact_id, identifier)?,
        ));
    }
    if let Some(name) = name {
        statements.push(Statement::new(
            NAME_IF_UNNAMED,
            vec![
                user_id.into(),
                contact_id.into(),
                name.into(),
                name_key(name).into(),
                now.into(),
            ],
        ));
    }
    for pairing in others {
        statements.push(Statement::new(
            INSERT_EVIDENCE,
            vec![
                user_id.into(),
                contact_id.into(),
                pairing.other.as_str().into(),
                pairing.kind.as_str().into(),
                pairing.description.as_str().into(),
            ],
        ));
    }
    statements.push(Statement::new(
        INSERT_LINK,
        link_params(user_id, link, contact_id),
    ));
    let changes = app.db.batch(&statements).await?;
    Ok(changes.first().is_some_and(|&changed| changed > 0))
}

/// Changes a contact's display name or kind.
pub async fn update_contact(
    app: &App,
    user_id: &str,
    id: &str,
    display_name: Option<&str>,
    kind: Option<&str>,
) -> ApiResult<()> {
    let params = [
        user_id.into(),
        id.into(),
        display_name.map(str::to_owned).into(),
        display_name.map(name_key).into(),
        kind.map(str::to_owned).into(),
        format_time(app.now()).into(),
    ];
    app.db.execute(UPDATE_CONTACT, &params).await?;
    Ok(())
}

/// Deletes a contact with its identifiers and memory links; the memories stay.
pub async fn delete_contact(app: &App, user_id: &str, id: &str) -> ApiResult<bool> {
    Ok(app
        .db
        .execute(DELETE_CONTACT, &[user_id.into(), id.into()])
        .await?
        > 0)
}

/// Builds the statements that merge `source` into `target`: identifiers, memory links with
/// their roles and suggestion evidence move, then the source is deleted.
fn merge_statements(app: &App, user_id: &str, target: &str, source: &str) -> Vec<Statement> {
    let pair = || vec![user_id.into(), target.into(), source.into()];
    vec![
        Statement::new(MOVE_IDENTIFIERS, pair()),
        Statement::new(MOVE_LINKS, pair()),
        Statement::new(MOVE_EVIDENCE, pair()),
        Statement::new(TAKE_NAME, pair()),
        Statement::new(
            TOUCH_CONTACT,
            vec![user_id.into(), target.into(), format_time(app.now()).into()],
        ),
        Statement::new(DELETE_MERGED, pair()),
    ]
}

/// Merges `source` into `target` in one transaction. Returns false, having changed nothing,
/// when either contact no longer exists.
pub async fn merge_contacts(
    app: &App,
    user_id: &str,
    target: &str,
    source: &str,
) -> ApiResult<bool> {
    let changes = app
        .db
        .batch(&merge_statements(app, user_id, target, source))
        .await?;
    // D1 counts the rows its delete triggers remove too, so any count above zero means done.
    Ok(changes.last().is_some_and(|&changed| changed > 0))
}

/// Returns every identifier of the user, oldest first.
pub async fn all_identifiers(app: &App, user_id: &str) -> ApiResult<Vec<StoredIdentifier>> {
    let rows = app
        .db
        .query(SELECT_ALL_IDENTIFIERS, &[user_id.into()])
        .await?;
    rows.iter().map(decode_stored).collect()
}

/// Applies a normalisation pass in one transaction: drops duplicate identifiers, merges
/// contacts (target, source) and rewrites identifiers to their new (id, value, match key).
pub async fn apply_normalization(
    app: &App,
    user_id: &str,
    dropped: &[String],
    merges: &[(String, String)],
    rewritten: &[(String, String, String)],
) -> ApiResult<()> {
    let mut statements = Vec::new();
    for id in dropped {
        statements.push(Statement::new(
            DELETE_IDENTIFIER,
            vec![user_id.into(), id.as_str().into()],
        ));
    }
    for (target, source) in merges {
        statements.extend(merge_statements(app, user_id, target, source));
    }
    for (id, value, match_key) in rewritten {
        statements.push(Statement::new(
            UPDATE_IDENTIFIER,
            vec![
                user_id.into(),
                id.as_str().into(),
                value.as_str().into(),
                match_key.as_str().into(),
            ],
        ));
    }
    if !statements.is_empty() {
        app.db.batch(&statements).await?;
    }
    Ok(())
}

/// Returns up to `limit` contacts of the user, oldest first, as suggestions need them.
pub async fn contact_summaries(
    app: &App,
    user_id: &str,
    limit: i64,
) -> ApiResult<Vec<ContactSummary>> {
    let rows = app
        .db
        .query(SELECT_SUMMARIES, &[user_id.into(), limit.into()])
        .await?;
    rows.iter()
        .map(|row| {
            let connectors = row.optional_text("connectors")?.unwrap_or_default();
            Ok(ContactSummary {
                id: row.text("id")?,
                display_name: row.text("display_name")?,
                named: row.boolean("named")?,
                connectors: connectors
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

pub async fn evidence(app: &App, user_id: &str) -> ApiResult<Vec<Evidence>> {
    let rows = app.db.query(SELECT_EVIDENCE, &[user_id.into()]).await?;
    rows.iter()
        .map(|row| {
            Ok(Evidence {
                contact_a: row.text("contact_a")?,
                contact_b: row.text("contact_b")?,
                kind: kind_of(row)?,
                value: row.text("value")?,
            })
        })
        .collect()
}

/// Returns the dismissed pairs, each with the smaller id first.
pub async fn dismissed_pairs(app: &App, user_id: &str) -> ApiResult<Vec<(String, String)>> {
    let rows = app.db.query(SELECT_DISMISSALS, &[user_id.into()]).await?;
    rows.iter()
        .map(|row| Ok((row.text("contact_a")?, row.text("contact_b")?)))
        .collect()
}

pub async fn dismiss_pair(app: &App, user_id: &str, a: &str, b: &str) -> ApiResult<()> {
    let params = [
        user_id.into(),
        a.into(),
        b.into(),
        format_time(app.now()).into(),
    ];
    app.db.execute(INSERT_DISMISSAL, &params).await?;
    Ok(())
}

/// Returns up to ten contacts that a query names by full or first name. `words` are the
/// query's words, each folded with [`name_key`].
pub async fn contacts_named_in(
    app: &App,
    user_id: &str,
    banks: Option<&[String]>,
    words: &[String],
) -> ApiResult<Vec<NamedContact>> {
    let mut candidates: Vec<String> = words.to_vec();
    candidates.extend(words.windows(2).map(|pair| pair.join(" ")));
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let params = [
        user_id.into(),
        json_param(&candidates)?,
        banks_param(banks)?,
    ];
    let rows = app.db.query(NAMED_IN, &params).await?;
    rows.iter()
        .map(|row| {
            Ok(NamedContact {
                id: row.text("id")?,
                display_name: row.text("display_name")?,
            })
        })
        .collect()
}

/// A contact that a search query names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedContact {
    pub id: String,
    pub display_name: String,
}

/// Returns how many contacts the user has, or how many a key limited to `banks` may see.
pub async fn count_contacts(app: &App, user_id: &str, banks: Option<&[String]>) -> ApiResult<i64> {
    let params = [user_id.into(), banks_param(banks)?];
    let rows = app.db.query(COUNT_CONTACTS, &params).await?;
    rows.first().map_or(Ok(0), |row| row.integer("total"))
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
    let ids = json_param(&memory_ids)?;
    let rows = app
        .db
        .query(SELECT_LINKS_FOR_MEMORIES, &[user_id.into(), ids])
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
