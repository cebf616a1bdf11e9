//! The author of a memory, for ranking: a question that names a person ("what did Dana say
//! about the lease") is most likely answered by something that person wrote.

use serde_json::Value;

use crate::store::memories::Memory;

/// Metadata fields that name a memory's author, most specific first.
const AUTHOR_FIELDS: &[&str] = &["sender", "speaker", "author", "from"];

/// Maximum length of a transcript speaker prefix, in characters.
const MAX_PREFIX_CHARS: usize = 40;

/// Returns the author's name from metadata (a string, or an object with `name`), or else from
/// a transcript line such as `Caroline: I went to the support group yesterday`.
pub fn author_name(memory: &Memory) -> Option<String> {
    for field in AUTHOR_FIELDS {
        let name = match memory.metadata.get(field) {
            Some(Value::String(name)) => Some(name.as_str()),
            Some(Value::Object(author)) => author.get("name").and_then(Value::as_str),
            _ => None,
        };
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            return Some(name.to_owned());
        }
    }
    transcript_speaker(&memory.text)
}

/// Returns the speaker of a `Name: text` line: one to three capitalised words without digits.
fn transcript_speaker(text: &str) -> Option<String> {
    let (prefix, rest) = text.split_once(':')?;
    if prefix.chars().count() > MAX_PREFIX_CHARS || rest.starts_with("//") {
        return None;
    }
    let words: Vec<&str> = prefix.split_whitespace().collect();
    let capitalised = |word: &&str| {
        word.chars().next().is_some_and(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '.')
    };
    ((1..=3).contains(&words.len()) && words.iter().all(capitalised)).then(|| words.join(" "))
}

/// Returns whether any word of the memory's author name is among the query's terms.
pub fn author_named_in(memory: &Memory, query_terms: &[String]) -> bool {
    let Some(name) = author_name(memory) else {
        return false;
    };
    crate::search::query::query_terms(&name)
        .iter()
        .any(|word| query_terms.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn memory(text: &str, metadata: Value) -> Memory {
        Memory {
            id: "m".into(),
            text: text.into(),
            source_type: "message".into(),
            connector_type: "manual".into(),
            account_id: None,
            memory_bank_id: "b".into(),
            event_time: "2024-01-01T00:00:00Z".into(),
            ingest_time: "2024-01-01T00:00:00Z".into(),
            metadata,
            entities: vec![],
            contacts: vec![],
            importance: 0.5,
            trust: 1.0,
            pinned: false,
            status: "ready".into(),
            error: None,
        }
    }

    #[test]
    fn author_comes_from_transcript_prefix() {
        let m = memory("Caroline: I went to a support group", json!({}));
        assert_eq!(author_name(&m).as_deref(), Some("Caroline"));
    }

    #[test]
    fn author_prefers_metadata_sender() {
        let m = memory(
            "Caroline: hi",
            json!({ "sender": { "name": "Dana Scully" } }),
        );
        assert_eq!(author_name(&m).as_deref(), Some("Dana Scully"));
    }

    #[test]
    fn sentence_with_colon_has_no_author() {
        let m = memory("Note to self: buy milk", json!({}));
        assert_eq!(author_name(&m), None);
    }

    #[test]
    fn url_has_no_author() {
        assert_eq!(author_name(&memory("Https://example.com", json!({}))), None);
    }

    #[test]
    fn author_named_in_matches_any_name_word() {
        let m = memory("John Smith: the lease is signed", json!({}));
        let terms = vec!["john".to_owned(), "lease".to_owned()];
        assert!(author_named_in(&m, &terms));
    }
}
