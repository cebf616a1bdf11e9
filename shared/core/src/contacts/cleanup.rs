//! Whole-address-book work: gathering merge suggestions, and normalising every identifier
//! again so that contacts which turn out to share a strong identifier become one.

use std::collections::{HashMap, HashSet};

use super::suggest::{self, StrongKeys, Suggestion};
use crate::app::App;
use crate::error::ApiResult;
use crate::store::contacts as store;

/// Contacts that suggestions consider, oldest first, so the work per request stays bounded.
// NOTE: an address book larger than this gets suggestions among its oldest contacts only.
pub const MAX_SUGGESTION_CONTACTS: i64 = 5_000;

/// Returns the user's merge suggestions, strongest first, without dismissed pairs.
pub async fn suggestions(app: &App, user_id: &str) -> ApiResult<Vec<Suggestion>> {
    let contacts = store::contact_summaries(app, user_id, MAX_SUGGESTION_CONTACTS).await?;
    let mut strong = StrongKeys::new();
    for stored in store::all_identifiers(app, user_id).await? {
        if stored.identifier.is_strong() {
            strong
                .entry(stored.contact_id)
                .or_default()
                .push((stored.identifier.kind, stored.identifier.match_key));
        }
    }
    let evidence = store::evidence(app, user_id).await?;
    let dismissed: HashSet<(String, String)> = store::dismissed_pairs(app, user_id)
        .await?
        .into_iter()
        .collect();
    Ok(suggest::suggestions(
        &contacts, &strong, &evidence, &dismissed,
    ))
}

/// The changes of one normalisation pass.
#[derive(Debug, Default, PartialEq)]
pub struct NormalizationPlan {
    /// Identifiers that repeat another one of the same contact after normalising.
    pub dropped: Vec<String>,
    /// (target, source) merges, each source into the oldest contact of its group.
    pub merges: Vec<(String, String)>,
    /// (identifier id, new value, new match key).
    pub rewritten: Vec<(String, String, String)>,
}

/// Plans a normalisation pass over `identifiers` (oldest first). Identifiers whose raw value
/// no longer normalises keep their stored form. Contacts merge only when their strong
/// identifiers now have the same match key; a repeated name never merges anything.
pub fn plan_normalization(identifiers: &[store::StoredIdentifier]) -> NormalizationPlan {
    let mut plan = NormalizationPlan::default();
    // The surviving identifier id and contact per (type, match key).
    let mut seen: HashMap<(super::normalize::IdentifierKind, String), (String, String)> =
        HashMap::new();
    // Union of contacts, each pointing at the contact it merges into.
    let mut merged_into: HashMap<String, String> = HashMap::new();
    let root = |merged_into: &HashMap<String, String>, id: &str| {
        let mut current = id.to_owned();
        while let Some(next) = merged_into.get(&current) {
            current = next.clone();
        }
        current
    };
    for stored in identifiers {
        let fresh = stored
            .identifier
            .renormalize()
            .unwrap_or_else(|| stored.identifier.clone());
        let key = (fresh.kind, fresh.match_key.clone());
        let contact = root(&merged_into, &stored.contact_id);
        match seen.get(&key) {
            Some((_, holder)) => {
                let holder = root(&merged_into, holder);
                if holder != contact && fresh.is_strong() {
                    merged_into.insert(contact.clone(), holder.clone());
                    plan.merges.push((holder, contact));
                    plan.dropped.push(stored.id.clone());
                } else if holder == contact {
                    plan.dropped.push(stored.id.clone());
                }
                // A name that now repeats another contact's keeps its old form.
            }
            None => {
                seen.insert(key, (stored.id.clone(), contact));
                let changed = fresh.value != stored.identifier.value
                    || fresh.match_key != stored.identifier.match_key;
                if changed {
                    plan.rewritten
                        .push((stored.id.clone(), fresh.value, fresh.match_key));
                }
            }
        }
    }
    plan
}

/// Normalises every identifier of the user again and merges the contacts that now share a
/// strong identifier. Returns how many identifiers changed and how many contacts merged away.
pub async fn normalize_all(app: &App, user_id: &str) -> ApiResult<(usize, usize)> {
    let identifiers = store::all_identifiers(app, user_id).await?;
    let plan = plan_normalization(&identifiers);
    let normalized = plan.rewritten.len() + plan.dropped.len();
    let merged = plan.merges.len();
    store::apply_normalization(app, user_id, &plan.dropped, &plan.merges, &plan.rewritten).await?;
    Ok((normalized, merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::participants::Identifier;

    fn stored(id: &str, contact: &str, identifier: Identifier) -> store::StoredIdentifier {
        store::StoredIdentifier {
            id: id.into(),
            contact_id: contact.into(),
            identifier,
        }
    }

    /// Builds an email identifier stored before today's rules, as written.
    fn stale_email(raw: &str) -> Identifier {
        Identifier {
            kind: super::super::normalize::IdentifierKind::Email,
            value: raw.into(),
            raw: raw.into(),
            context: None,
            match_key: raw.into(),
            connector_type: None,
        }
    }

    #[test]
    fn plan_merges_into_oldest_contact() {
        let identifiers = [
            stored("i1", "c1", Identifier::email("dana@example.com").unwrap()),
            stored("i2", "c2", stale_email(" Dana+lease@Example.com")),
            stored("i3", "c3", Identifier::email("other@example.com").unwrap()),
        ];
        let plan = plan_normalization(&identifiers);
        assert_eq!(plan.merges, [("c1".to_owned(), "c2".to_owned())]);
        assert_eq!(plan.dropped, ["i2"]);
        assert!(plan.rewritten.is_empty());
    }

    #[test]
    fn plan_rewrites_only_stale_values() {
        let identifiers = [stored("i1", "c1", stale_email("Bo@Example.com"))];
        let plan = plan_normalization(&identifiers);
        assert_eq!(
            plan.rewritten,
            [(
                "i1".to_owned(),
                "bo@example.com".to_owned(),
                "bo@example.com".to_owned()
            )]
        );
        let clean = [stored(
            "i1",
            "c1",
            Identifier::email("bo@example.com").unwrap(),
        )];
        assert_eq!(plan_normalization(&clean), NormalizationPlan::default());
    }

    #[test]
    fn equal_names_in_one_scope_never_merge() {
        let name = |raw: &str| Identifier::name(raw, "conversation:c1", "manual").unwrap();
        let mut stale = name("John");
        stale.match_key = "conversation:c1:John".into();
        let identifiers = [stored("i1", "c1", name("John")), stored("i2", "c2", stale)];
        let plan = plan_normalization(&identifiers);
        assert!(plan.merges.is_empty());
        assert!(plan.dropped.is_empty());
        assert!(plan.rewritten.is_empty());
    }
}
