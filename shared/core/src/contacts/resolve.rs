//! Resolution at ingest: each person a memory names becomes a link to one contact.
//!
//! A participant resolves to the contact that holds one of its strong identifiers (email,
//! then phone, then handle). Without one, its name resolves only inside the memory's source
//! scope, where it acts as that source's handle. Otherwise a new contact is made. When the
//! identifiers of one participant point at two contacts, neither is merged: the memory links
//! to the first and the pair is kept as evidence for a merge suggestion.

use std::collections::HashMap;

use super::normalize::IdentifierKind;
use super::participants::{Identifier, Participant, Role};
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::store::contacts as store;

/// Attempts per participant when a concurrent write claims an identifier first.
const ATTEMPTS: usize = 3;

/// Merges the participants that share a strong identifier or (with no strong identifier)
/// a name, keeping the strongest role (sender before recipient before participant before
/// mentioned). A person mentioned in the text who also took part is linked once.
pub fn combine(participants: Vec<Participant>) -> Vec<Participant> {
    let mut combined: Vec<Participant> = Vec::new();
    for participant in participants {
        let same = combined.iter_mut().find(|existing| {
            existing.identifiers.iter().any(|a| {
                participant
                    .identifiers
                    .iter()
                    .any(|b| a.kind == b.kind && a.match_key == b.match_key)
            })
        });
        match same {
            Some(existing) => {
                existing.role = existing.role.min(participant.role);
                if existing.name.is_none() {
                    existing.name = participant.name;
                }
                for identifier in participant.identifiers {
                    let known = existing
                        .identifiers
                        .iter()
                        .any(|i| i.kind == identifier.kind && i.match_key == identifier.match_key);
                    if !known {
                        existing.identifiers.push(identifier);
                    }
                }
            }
            None => combined.push(participant),
        }
    }
    for participant in &mut combined {
        participant.identifiers.sort_by_key(|i| strength(i.kind));
    }
    combined
}

fn strength(kind: IdentifierKind) -> u8 {
    match kind {
        IdentifierKind::Email => 0,
        IdentifierKind::Phone => 1,
        IdentifierKind::Handle => 2,
        IdentifierKind::Name => 3,
    }
}

/// Resolves each participant to a contact and links the memory to it. Returns the contact
/// ids with their roles.
pub async fn link_participants(
    app: &App,
    user_id: &str,
    memory_id: &str,
    participants: Vec<Participant>,
) -> ApiResult<Vec<(String, Role)>> {
    let mut linked = Vec::new();
    for participant in combine(participants) {
        let contact_id = resolve_one(app, user_id, memory_id, &participant).await?;
        linked.push((contact_id, participant.role));
    }
    Ok(linked)
}

async fn resolve_one(
    app: &App,
    user_id: &str,
    memory_id: &str,
    participant: &Participant,
) -> ApiResult<String> {
    let identifiers: Vec<&Identifier> = participant.identifiers.iter().collect();
    let link = store::MemoryLink {
        memory_id,
        role: participant.role,
    };
    for _ in 0..ATTEMPTS {
        let holders = store::find_holders(app, user_id, &identifiers).await?;
        let unclaimed: Vec<&Identifier> = identifiers
            .iter()
            .copied()
            .filter(|i| !holders.contains_key(&(i.kind, i.match_key.clone())))
            .collect();
        let mut chosen = choose(&identifiers, &holders);
        if let Some((contact_id, _)) = &chosen {
            if !held_by_strong(&identifiers, &holders) {
                // Matched by name alone: a contact with another address or number of the same
                // kind is someone else who shares the name.
                let kinds = store::identifier_kinds(app, user_id, contact_id).await?;
                let conflict = unclaimed.iter().any(|i| kinds.contains(&i.kind));
                if conflict {
                    chosen = None;
                }
            }
        }
        match chosen {
            Some((contact_id, others)) => {
                store::link_existing_contact(
                    app,
                    user_id,
                    &contact_id,
                    participant.name.as_deref(),
                    &unclaimed,
                    &others,
                    link,
                )
                .await?;
                return Ok(contact_id);
            }
            None => {
                let (display_name, named) = match &participant.name {
                    Some(name) => (name.as_str(), true),
                    None => (identifiers[0].value.as_str(), false),
                };
                let created = store::create_linked_contact(
                    app,
                    user_id,
                    display_name,
                    named,
                    &unclaimed,
                    link,
                )
                .await?;
                if let Some(id) = created {
                    return Ok(id);
                }
            }
        }
    }
    Err(ApiError::Conflict(
        "contacts changed while this memory was stored; retry the request".into(),
    ))
}

/// Returns whether a contact holds one of the participant's strong identifiers.
fn held_by_strong(
    identifiers: &[&Identifier],
    holders: &HashMap<(IdentifierKind, String), String>,
) -> bool {
    identifiers
        .iter()
        .any(|i| i.is_strong() && holders.contains_key(&(i.kind, i.match_key.clone())))
}

/// Picks the contact of the strongest identifier some contact holds, and lists the other
/// contacts this participant's identifiers point at.
fn choose(
    identifiers: &[&Identifier],
    holders: &HashMap<(IdentifierKind, String), String>,
) -> Option<(String, Vec<store::Pairing>)> {
    let mut chosen: Option<(&String, &Identifier)> = None;
    let mut others: Vec<store::Pairing> = Vec::new();
    for identifier in identifiers {
        let Some(holder) = holders.get(&(identifier.kind, identifier.match_key.clone())) else {
            continue;
        };
        match chosen {
            None => chosen = Some((holder, identifier)),
            Some((first, by)) if first != holder && !others.iter().any(|p| &p.other == holder) => {
                others.push(store::Pairing {
                    other: holder.clone(),
                    kind: identifier.kind,
                    description: format!(
                        "{} {} and {} {}",
                        by.kind.as_str(),
                        by.value,
                        identifier.kind.as_str(),
                        identifier.value
                    ),
                });
            }
            Some(_) => {}
        }
    }
    chosen.map(|(id, _)| (id.clone(), others))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> Identifier {
        Identifier::email(raw).unwrap()
    }

    fn person(name: Option<&str>, identifiers: Vec<Identifier>, role: Role) -> Participant {
        Participant {
            name: name.map(str::to_owned),
            identifiers,
            role,
        }
    }

    #[test]
    fn combine_joins_the_sender_and_a_mention_of_the_same_address() {
        let combined = combine(vec![
            person(None, vec![email("dana@example.com")], Role::Mentioned),
            person(Some("Dana"), vec![email("Dana@Example.com")], Role::Sender),
        ]);
        assert_eq!(combined.len(), 1);
        assert_eq!(combined[0].role, Role::Sender);
        assert_eq!(combined[0].name.as_deref(), Some("Dana"));
    }

    #[test]
    fn choose_prefers_the_strongest_identifier_and_reports_the_others() {
        let by_email = email("john@example.com");
        let by_name = Identifier::name("John", "conversation:c1", "manual").unwrap();
        let holders = HashMap::from([
            (
                (IdentifierKind::Email, by_email.match_key.clone()),
                "con_a".to_owned(),
            ),
            (
                (IdentifierKind::Name, by_name.match_key.clone()),
                "con_b".to_owned(),
            ),
        ]);
        let (chosen, others) = choose(&[&by_email, &by_name], &holders).unwrap();
        assert_eq!(chosen, "con_a");
        assert_eq!(others.len(), 1);
        assert_eq!(others[0].other, "con_b");
        assert_eq!(
            others[0].description,
            "email john@example.com and name John"
        );
        assert!(choose(&[&by_email], &HashMap::new()).is_none());
    }
}
