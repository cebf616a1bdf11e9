//! Resolution at ingest: each person a memory names becomes a link to one contact.
//!
//! A participant resolves to the contact that has one of its strong identifiers (email,
//! then phone, then handle). Without one, its name resolves only inside the memory's source
//! scope, where it acts as that source's handle. Otherwise a new contact is made. When the
//! identifiers of one participant point at two contacts, neither is merged: the memory links
//! to the first and the pair is kept as evidence for a merge suggestion.

use std::collections::HashMap;

use super::normalize::IdentifierKind;
use super::participants::{Identifier, Participant};
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::store::contacts::{self as store, Holder, MemoryContact};

/// The key that identifiers are looked up by: their type and match key.
type HolderKey = (IdentifierKind, String);

/// Attempts per participant when a concurrent write claims an identifier first.
const ATTEMPTS: usize = 3;

/// Merges the participants that share a strong identifier or (with no strong identifier)
/// a name, keeping the strongest role (sender before recipient before participant before
/// mentioned). A person mentioned in the text who also took part is linked once.
pub fn combine(participants: Vec<Participant>) -> Vec<Participant> {
    let mut combined: Vec<Participant> = Vec::new();
    for participant in participants {
        let same = combined.iter_mut().find(|existing| {
            let shared = existing.identifiers.iter().any(|a| {
                participant
                    .identifiers
                    .iter()
                    .any(|b| a.kind == b.kind && a.match_key == b.match_key)
            });
            shared && !conflicting(&existing.identifiers, &participant.identifiers)
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

/// Returns whether two sets of identifiers hold different values of one strong kind: two
/// people who share a name but not an address, a number or a handle.
fn conflicting(a: &[Identifier], b: &[Identifier]) -> bool {
    a.iter().filter(|x| x.is_strong()).any(|x| {
        let same_kind: Vec<&Identifier> = b.iter().filter(|y| y.kind == x.kind).collect();
        !same_kind.is_empty() && same_kind.iter().all(|y| y.match_key != x.match_key)
    })
}

fn strength(kind: IdentifierKind) -> u8 {
    match kind {
        IdentifierKind::Email => 0,
        IdentifierKind::Phone => 1,
        IdentifierKind::Handle => 2,
        IdentifierKind::Name => 3,
    }
}

/// Resolves each participant to a contact and links the memory to it. Returns the linked
/// contacts with their roles, as the memory lists them.
pub async fn link_participants(
    app: &App,
    user_id: &str,
    memory_id: &str,
    participants: Vec<Participant>,
) -> ApiResult<Vec<MemoryContact>> {
    let mut linked: Vec<MemoryContact> = Vec::new();
    for participant in combine(participants) {
        let contact = resolve_one(app, user_id, memory_id, &participant).await?;
        if !linked.contains(&contact) {
            linked.push(contact);
        }
    }
    Ok(linked)
}

async fn resolve_one(
    app: &App,
    user_id: &str,
    memory_id: &str,
    participant: &Participant,
) -> ApiResult<MemoryContact> {
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
        let strong_unclaimed = unclaimed.iter().any(|i| i.is_strong());
        if let Some((holder, _)) = &chosen {
            if strong_unclaimed && !held_by_strong(&identifiers, &holders) {
                // Matched by name alone: a contact with another address or number of the same
                // kind is someone else who shares the name.
                let kinds = store::identifier_kinds(app, user_id, &holder.contact_id).await?;
                let conflict = unclaimed.iter().any(|i| kinds.contains(&i.kind));
                if conflict {
                    chosen = None;
                }
            }
        }
        match chosen {
            Some((holder, others)) => {
                let linked = store::link_existing_contact(
                    app,
                    user_id,
                    &holder.contact_id,
                    participant.name.as_deref(),
                    &unclaimed,
                    &others,
                    link,
                )
                .await?;
                if !linked {
                    // A merge or delete removed the contact since the lookup, so look again.
                    continue;
                }
                // An unnamed contact takes the participant's name in that batch.
                let display_name = match (&participant.name, holder.named) {
                    (Some(name), false) => name.clone(),
                    _ => holder.display_name,
                };
                return Ok(MemoryContact {
                    id: holder.contact_id,
                    display_name,
                    role: participant.role.as_str().to_owned(),
                });
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
                    return Ok(MemoryContact {
                        id,
                        display_name: display_name.to_owned(),
                        role: participant.role.as_str().to_owned(),
                    });
                }
            }
        }
    }
    Err(ApiError::Conflict(
        "contacts changed while this memory was stored; retry the request".into(),
    ))
}

/// Returns whether a contact has one of the participant's strong identifiers.
fn held_by_strong(identifiers: &[&Identifier], holders: &HashMap<HolderKey, Holder>) -> bool {
    identifiers
        .iter()
        .any(|i| i.is_strong() && holders.contains_key(&(i.kind, i.match_key.clone())))
}

/// Picks the contact of the strongest identifier some contact holds, and lists the other
/// contacts this participant's identifiers point at.
fn choose(
    identifiers: &[&Identifier],
    holders: &HashMap<HolderKey, Holder>,
) -> Option<(Holder, Vec<store::Pairing>)> {
    let mut chosen: Option<(&Holder, &Identifier)> = None;
    let mut others: Vec<store::Pairing> = Vec::new();
    for identifier in identifiers {
        let Some(holder) = holders.get(&(identifier.kind, identifier.match_key.clone())) else {
            continue;
        };
        match chosen {
            None => chosen = Some((holder, identifier)),
            Some((first, by))
                if first.contact_id != holder.contact_id
                    && !others.iter().any(|p| p.other == holder.contact_id) =>
            {
                others.push(store::Pairing {
                    other: holder.contact_id.clone(),
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
    chosen.map(|(holder, _)| (holder.clone(), others))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::participants::Role;

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
    fn combine_joins_sender_and_mention() {
        let combined = combine(vec![
            person(None, vec![email("dana@example.com")], Role::Mentioned),
            person(Some("Dana"), vec![email("Dana@Example.com")], Role::Sender),
        ]);
        assert_eq!(combined.len(), 1);
        assert_eq!(combined[0].role, Role::Sender);
        assert_eq!(combined[0].name.as_deref(), Some("Dana"));
    }

    #[test]
    fn combine_keeps_namesakes_apart() {
        let name = |raw: &str| Identifier::name(raw, "connector:manual", "manual").unwrap();
        let combined = combine(vec![
            person(
                Some("Pat Smith"),
                vec![email("pat1@x.com"), name("Pat Smith")],
                Role::Sender,
            ),
            person(
                Some("Pat Smith"),
                vec![email("pat2@x.com"), name("Pat Smith")],
                Role::Recipient,
            ),
        ]);
        assert_eq!(combined.len(), 2);
    }

    #[test]
    fn choose_prefers_strongest_identifier() {
        let by_email = email("john@example.com");
        let by_name = Identifier::name("John", "conversation:c1", "manual").unwrap();
        let holder = |id: &str| Holder {
            contact_id: id.to_owned(),
            display_name: id.to_owned(),
            named: true,
        };
        let holders = HashMap::from([
            (
                (IdentifierKind::Email, by_email.match_key.clone()),
                holder("con_a"),
            ),
            (
                (IdentifierKind::Name, by_name.match_key.clone()),
                holder("con_b"),
            ),
        ]);
        let (chosen, others) = choose(&[&by_email, &by_name], &holders).unwrap();
        assert_eq!(chosen.contact_id, "con_a");
        assert_eq!(others.len(), 1);
        assert_eq!(others[0].other, "con_b");
        assert_eq!(
            others[0].description,
            "email john@example.com and name John"
        );
        assert!(choose(&[&by_email], &HashMap::new()).is_none());
    }
}
