//! Merge suggestions: pairs of contacts that may be one person, each with a reason and a
//! confidence. A suggestion never merges anything by itself.
//!
//! - high: one participant carried identifiers of both: strong ones (email, phone, handle),
//!   or a name inside the conversation where that name identifies one of them;
//! - medium: the same full name from different connectors;
//! - low: name variants ("Sherlock Holmes", "Holmes", "S. Holmes"), including equal names
//!   whose identifiers suggest they may be different people.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::normalize::{name_tokens, tokens_are_variants, IdentifierKind};
use crate::store::contacts::{ContactSummary, Evidence};
use crate::util::sha256_b64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// One side of a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestedContact {
    pub id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub id: String,
    pub contact_a: SuggestedContact,
    pub contact_b: SuggestedContact,
    pub reason: String,
    pub confidence: Confidence,
}

/// The strong identifiers of one contact, as (type, match key) pairs.
pub type StrongKeys = HashMap<String, Vec<(IdentifierKind, String)>>;

/// Returns the suggestions among `contacts`, strongest first, leaving out `dismissed` pairs
/// (smaller id first).
pub fn suggestions(
    contacts: &[ContactSummary],
    strong: &StrongKeys,
    evidence: &[Evidence],
    dismissed: &HashSet<(String, String)>,
) -> Vec<Suggestion> {
    let by_id: HashMap<&str, &ContactSummary> =
        contacts.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut found: HashMap<(String, String), Suggestion> = HashMap::new();
    let mut offer = |a: &ContactSummary, b: &ContactSummary, reason: String, confidence| {
        let key = ordered(&a.id, &b.id);
        if a.id == b.id || dismissed.contains(&key) {
            return;
        }
        let better = found
            .get(&key)
            .is_none_or(|existing| confidence < existing.confidence);
        if better {
            found.insert(key.clone(), suggestion(a, b, reason, confidence));
        }
    };

    for item in evidence {
        let (Some(a), Some(b)) = (
            by_id.get(item.contact_a.as_str()),
            by_id.get(item.contact_b.as_str()),
        ) else {
            continue;
        };
        let reason = format!(
            "one participant had identifiers of both contacts: {}",
            item.value
        );
        offer(a, b, reason, Confidence::High);
    }

    // Names are compared only within groups that share the first letter of the surname,
    // which every pair of variants does.
    let named: Vec<(&ContactSummary, Vec<String>)> = contacts
        .iter()
        .filter(|c| c.named)
        .map(|c| (c, name_tokens(&c.display_name)))
        .filter(|(_, tokens)| !tokens.is_empty())
        .collect();
    let mut groups: HashMap<char, Vec<usize>> = HashMap::new();
    for (index, (_, tokens)) in named.iter().enumerate() {
        if let Some(first) = tokens.last().and_then(|surname| surname.chars().next()) {
            groups.entry(first).or_default().push(index);
        }
    }
    for members in groups.values() {
        for (position, &i) in members.iter().enumerate() {
            for &j in &members[position + 1..] {
                let ((a, tokens_a), (b, tokens_b)) = (&named[i], &named[j]);
                if !tokens_are_variants(tokens_a, tokens_b) {
                    continue;
                }
                let (reason, confidence) = name_reason(a, b, tokens_a == tokens_b, strong);
                offer(a, b, reason, confidence);
            }
        }
    }

    let mut list: Vec<Suggestion> = found.into_values().collect();
    list.sort_by(|x, y| {
        x.confidence
            .cmp(&y.confidence)
            .then_with(|| x.contact_a.display_name.cmp(&y.contact_a.display_name))
            .then_with(|| x.id.cmp(&y.id))
    });
    list
}

fn name_reason(
    a: &ContactSummary,
    b: &ContactSummary,
    same_name: bool,
    strong: &StrongKeys,
) -> (String, Confidence) {
    let full_name = name_tokens(&a.display_name).len() > 1;
    let other_connectors = a.connectors.iter().any(|c| !b.connectors.contains(c))
        || b.connectors.iter().any(|c| !a.connectors.contains(c));
    if same_name && full_name && other_connectors && !conflicting(&a.id, &b.id, strong) {
        let reason = format!(
            "same full name {:?} from different sources ({} and {})",
            a.display_name,
            a.connectors.join(", "),
            b.connectors.join(", ")
        );
        return (reason, Confidence::Medium);
    }
    if same_name {
        let reason = format!(
            "same name {:?}, but no shared email, phone or handle",
            a.display_name
        );
        return (reason, Confidence::Low);
    }
    let reason = format!(
        "similar names {:?} and {:?}, but no shared email, phone or handle",
        a.display_name, b.display_name
    );
    (reason, Confidence::Low)
}

/// Returns whether two contacts both have emails, or both phone numbers, and none in common:
/// a sign of two people who share a name.
fn conflicting(a: &str, b: &str, strong: &StrongKeys) -> bool {
    let empty = Vec::new();
    let (keys_a, keys_b) = (
        strong.get(a).unwrap_or(&empty),
        strong.get(b).unwrap_or(&empty),
    );
    [IdentifierKind::Email, IdentifierKind::Phone]
        .iter()
        .any(|kind| {
            let of = |keys: &[(IdentifierKind, String)]| -> HashSet<String> {
                keys.iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, key)| key.clone())
                    .collect()
            };
            let (set_a, set_b) = (of(keys_a), of(keys_b));
            !set_a.is_empty() && !set_b.is_empty() && set_a.is_disjoint(&set_b)
        })
}

/// Orders a pair with the smaller id first, as dismissals and evidence store it.
pub fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

fn suggestion(
    a: &ContactSummary,
    b: &ContactSummary,
    reason: String,
    confidence: Confidence,
) -> Suggestion {
    let (first, second) = if a.id <= b.id { (a, b) } else { (b, a) };
    let digest = sha256_b64(format!("{}\u{0}{}", first.id, second.id).as_bytes());
    let side = |c: &ContactSummary| SuggestedContact {
        id: c.id.clone(),
        display_name: c.display_name.clone(),
    };
    Suggestion {
        id: format!("sug_{}", &digest[..20]),
        contact_a: side(first),
        contact_b: side(second),
        reason,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, name: &str, connectors: &[&str]) -> ContactSummary {
        ContactSummary {
            id: id.into(),
            display_name: name.into(),
            named: true,
            connectors: connectors.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn run(
        contacts: &[ContactSummary],
        strong: &StrongKeys,
        evidence: &[Evidence],
    ) -> Vec<Suggestion> {
        suggestions(contacts, strong, evidence, &HashSet::new())
    }

    #[test]
    fn name_variants_are_low_confidence() {
        let contacts = [
            contact("a", "Sherlock Holmes", &["manual"]),
            contact("b", "Holmes", &["manual"]),
            contact("c", "S. Holmes", &["manual"]),
            contact("d", "Mycroft Holmes", &["manual"]),
        ];
        let found = run(&contacts, &StrongKeys::new(), &[]);
        let pairs: HashSet<_> = found
            .iter()
            .map(|s| (s.contact_a.id.as_str(), s.contact_b.id.as_str()))
            .collect();
        assert_eq!(
            pairs,
            HashSet::from([("a", "b"), ("a", "c"), ("b", "c"), ("b", "d")])
        );
        assert!(found.iter().all(|s| s.confidence == Confidence::Low));
    }

    #[test]
    fn same_full_name_from_two_connectors_is_medium() {
        let contacts = [
            contact("a", "Dana Whitfield", &["gmail"]),
            contact("b", "dana whitfield", &["slack"]),
        ];
        let found = run(&contacts, &StrongKeys::new(), &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Medium);
    }

    #[test]
    fn same_name_with_different_emails_stays_low() {
        let contacts = [
            contact("a", "John Smith", &["gmail"]),
            contact("b", "John Smith", &["outlook"]),
        ];
        let strong = StrongKeys::from([
            (
                "a".to_owned(),
                vec![(IdentifierKind::Email, "john@one.example".to_owned())],
            ),
            (
                "b".to_owned(),
                vec![(IdentifierKind::Email, "john@two.example".to_owned())],
            ),
        ]);
        let found = run(&contacts, &strong, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Low);
    }

    #[test]
    fn evidence_is_high_until_dismissed() {
        let contacts = [
            contact("a", "John", &["slack"]),
            contact("b", "John Smith", &["gmail"]),
        ];
        let evidence = [Evidence {
            contact_a: "a".into(),
            contact_b: "b".into(),
            kind: IdentifierKind::Email,
            value: "name John and email john@example.com".into(),
        }];
        let found = run(&contacts, &StrongKeys::new(), &evidence);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::High);
        assert!(found[0].reason.contains("email john@example.com"));
        let dismissed = HashSet::from([("a".to_owned(), "b".to_owned())]);
        assert!(suggestions(&contacts, &StrongKeys::new(), &evidence, &dismissed).is_empty());
    }

    #[test]
    fn unnamed_contacts_and_different_people_are_not_paired() {
        let mut unnamed = contact("a", "x@example.com", &["gmail"]);
        unnamed.named = false;
        let contacts = [
            unnamed,
            contact("b", "John Smith", &["gmail"]),
            contact("c", "Jane Smith", &["gmail"]),
        ];
        assert!(run(&contacts, &StrongKeys::new(), &[]).is_empty());
    }
}
