//! The entry point [`extract_entities`] and the entity types it returns.

use std::collections::HashSet;

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use super::words::split_words;
use super::{dates, money, names, patterns};

/// The category of an extracted entity, serialised in lower case (`"email"`, `"person"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Email,
    Phone,
    Url,
    Money,
    Date,
    Person,
    Place,
    Organization,
}

impl EntityKind {
    /// Every kind, in the order the API documentation lists them.
    pub const ALL: [EntityKind; 8] = [
        EntityKind::Email,
        EntityKind::Phone,
        EntityKind::Url,
        EntityKind::Money,
        EntityKind::Date,
        EntityKind::Person,
        EntityKind::Place,
        EntityKind::Organization,
    ];

    /// Returns the kind's name as serialised, such as `"person"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Email => "email",
            EntityKind::Phone => "phone",
            EntityKind::Url => "url",
            EntityKind::Money => "money",
            EntityKind::Date => "date",
            EntityKind::Person => "person",
            EntityKind::Place => "place",
            EntityKind::Organization => "organization",
        }
    }

    /// Returns the kind named `name` as serialised, or `None` for an unknown name.
    pub fn parse(name: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// One entity found in a memory, serialised as `{"type": ..., "value": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// The normalised value: a lower-case email, `+` (when written) and digits for a phone
    /// number, the URL as written, `USD 1200.50` for money, `YYYY-MM-DD` for a date, the name
    /// as written otherwise. Ingest then writes phone numbers in E.164 where it can.
    pub value: String,
}

/// A match found by one scanner: its byte range in the text and its entity.
#[derive(Debug)]
pub(super) struct Candidate {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
    pub value: String,
}

/// Extracts the entities of one memory, in text order, each `(type, value)` pair once.
///
/// Relative dates such as "tomorrow" resolve against `event_time_millis` (Unix milliseconds,
/// read as UTC). When two scanners match overlapping text, the earlier scanner in this order
/// wins: email, URL, money, date, phone, name. So the digits of `2023-05-08` are a date, never a
/// phone number, and the words of an email address are never names.
pub fn extract_entities(text: &str, event_time_millis: i64) -> Vec<Entity> {
    let words = split_words(text);

    let mut candidates = patterns::scan_emails(text);
    candidates.extend(patterns::scan_urls(text));
    candidates.extend(money::scan_money(text));
    if let Some(event_time) = DateTime::from_timestamp_millis(event_time_millis) {
        candidates.extend(dates::scan_dates(text, &words, event_time.date_naive()));
    }
    candidates.extend(patterns::scan_phones(text));
    candidates.extend(names::scan_names(text, &words));

    let mut accepted = drop_overlaps(candidates);
    accepted.sort_by_key(|candidate| candidate.start);

    let mut seen = HashSet::new();
    accepted
        .into_iter()
        .filter(|candidate| seen.insert((candidate.kind, candidate.value.clone())))
        .map(|candidate| Entity {
            kind: candidate.kind,
            value: candidate.value,
        })
        .collect()
}

/// Keeps each candidate that overlaps no candidate kept before it.
fn drop_overlaps(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut accepted: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        let overlaps = accepted
            .iter()
            .any(|kept| candidate.start < kept.end && kept.start < candidate.end);
        if !overlaps {
            accepted.push(candidate);
        }
    }
    accepted
}
