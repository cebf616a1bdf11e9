//! The teacher's WordPiece vocabulary, read from a Hugging Face `tokenizer.json`.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Tokens indexed by their id.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    tokens: Vec<String>,
}

impl Vocab {
    /// Reads the vocabulary of a WordPiece `tokenizer.json` file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes =
            std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
        Self::from_tokenizer_json(&bytes)
            .with_context(|| format!("invalid tokenizer file {}", path.display()))
    }

    /// Parses `model.vocab` of a WordPiece `tokenizer.json`. The ids must be
    /// exactly `0..n`, because the output table has one row per id.
    pub fn from_tokenizer_json(bytes: &[u8]) -> Result<Self> {
        let json: Value =
            serde_json::from_slice(bytes).context("tokenizer.json is not valid JSON")?;
        let model_type = json["model"]["type"].as_str().unwrap_or("missing");
        if model_type != "WordPiece" {
            bail!("unsupported tokenizer model type {model_type:?}; expected \"WordPiece\"");
        }
        let entries = json["model"]["vocab"]
            .as_object()
            .ok_or_else(|| anyhow!("model.vocab is missing or not an object"))?;

        let mut tokens: Vec<Option<String>> = vec![None; entries.len()];
        for (token, id) in entries {
            let id = id
                .as_u64()
                .and_then(|id| usize::try_from(id).ok())
                .ok_or_else(|| anyhow!("token {token:?} has invalid id {id}"))?;
            let slot = tokens.get_mut(id).ok_or_else(|| {
                anyhow!("token {token:?} has id {id}, outside 0..{}", entries.len())
            })?;
            if let Some(other) = slot.replace(token.clone()) {
                bail!("tokens {other:?} and {token:?} share id {id}");
            }
        }
        // Every slot is filled, because the n ids are distinct and each is below n.
        let tokens = tokens.into_iter().flatten().collect();
        Ok(Self { tokens })
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn token(&self, id: usize) -> &str {
        &self.tokens[id]
    }

    /// Looks up the id of `token`.
    pub fn id(&self, token: &str) -> Result<u32> {
        let id = self
            .tokens
            .iter()
            .position(|candidate| candidate == token)
            .ok_or_else(|| anyhow!("token {token:?} not found in the vocabulary"))?;
        Ok(u32::try_from(id)?)
    }

    /// Marks the tokens that take part in the table: all but BERT's
    /// `[unusedN]` placeholders, which the tokenizer never emits.
    pub fn used_mask(&self) -> Vec<bool> {
        self.tokens
            .iter()
            .map(|token| !is_placeholder(token))
            .collect()
    }
}

/// Matches `[unused0]`, `[unused1]`, …
fn is_placeholder(token: &str) -> bool {
    token
        .strip_prefix("[unused")
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer_json(vocab: &str) -> Vec<u8> {
        format!(r#"{{"model": {{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {vocab}}}}}"#)
            .into_bytes()
    }

    #[test]
    fn parses_tokens_by_id() {
        let json = tokenizer_json(r###"{"[PAD]": 0, "hello": 2, "[unused0]": 1, "##s": 3}"###);
        let vocab = Vocab::from_tokenizer_json(&json).unwrap();
        assert_eq!(vocab.len(), 4);
        assert_eq!(vocab.token(2), "hello");
        assert_eq!(vocab.id("##s").unwrap(), 3);
        assert!(vocab.id("missing").is_err());
    }

    #[test]
    fn used_mask_skips_placeholders() {
        let json = tokenizer_json(
            r#"{"[PAD]": 0, "[unused0]": 1, "[unused12]": 2, "[unused]": 3, "unused": 4}"#,
        );
        let vocab = Vocab::from_tokenizer_json(&json).unwrap();
        assert_eq!(vocab.used_mask(), vec![true, false, false, true, true]);
    }

    #[test]
    fn rejects_gaps_and_duplicate_ids() {
        let gap = tokenizer_json(r#"{"a": 0, "b": 2}"#);
        assert!(Vocab::from_tokenizer_json(&gap).is_err());
        let duplicate = tokenizer_json(r#"{"a": 0, "b": 0}"#);
        assert!(Vocab::from_tokenizer_json(&duplicate).is_err());
    }

    #[test]
    fn rejects_other_model_types() {
        let json = br#"{"model": {"type": "BPE", "vocab": {"a": 0}}}"#;
        assert!(Vocab::from_tokenizer_json(json).is_err());
    }
}
