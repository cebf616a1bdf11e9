//! Query cleaning: lower-cased word tokens without stop words, and the FTS5 expression built
//! from them.

/// English function words and question words that carry no topic. Matching them would rank
/// memories by how chatty they are.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "ever",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "kind",
    "me",
    "might",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Maximum length of a kept token, in characters. Longer runs are noise such as encoded data.
const MAX_TOKEN_CHARS: usize = 64;

/// Maximum number of terms sent to the text index, so one request's work stays bounded.
const MAX_TERMS: usize = 32;

/// Splits `text` into lower-case alphanumeric tokens, splitting where the text index's
/// `unicode61` tokenizer splits, so "Caroline's" gives "caroline" and "s".
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens.retain(|t| t.chars().count() <= MAX_TOKEN_CHARS);
    tokens
}

/// Returns the query's topic terms: tokens without stop words or single letters, first
/// occurrence only.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for token in tokenize(query) {
        let single_letter = token.chars().count() == 1 && !token.chars().all(char::is_numeric);
        if !single_letter && !STOP_WORDS.contains(&token.as_str()) && !terms.contains(&token) {
            terms.push(token);
        }
    }
    terms.truncate(MAX_TERMS);
    terms
}

/// Builds an FTS5 expression matching any of `terms`. Each term is a quoted string, so no
/// input can reach FTS5's query syntax; terms hold only alphanumerics anyway.
pub fn fts_expression(terms: &[String]) -> Option<String> {
    let quoted: Vec<String> = terms
        .iter()
        .map(|t| {
            t.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\""))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_terms_drop_stop_words_and_repeats() {
        let terms = query_terms("When did Caroline go to the LGBTQ support group, the group?");
        assert_eq!(terms, ["caroline", "go", "lgbtq", "support", "group"]);
    }

    #[test]
    fn tokenize_splits_possessives_like_the_index() {
        assert_eq!(tokenize("Melanie's kids"), ["melanie", "s", "kids"]);
    }

    #[test]
    fn query_terms_drop_single_letters_but_keep_digits() {
        assert_eq!(query_terms("Melanie's 3 kids"), ["melanie", "3", "kids"]);
    }

    #[test]
    fn fts_expression_quotes_each_term() {
        let terms = vec!["café".to_owned(), "near".to_owned()];
        assert_eq!(fts_expression(&terms).unwrap(), "\"café\" OR \"near\"");
    }

    #[test]
    fn fts_expression_of_only_stop_words_is_none() {
        assert_eq!(fts_expression(&query_terms("what is it?")), None);
    }
}
