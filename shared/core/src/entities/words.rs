//! Word splitting shared by the date and name scanners.

/// A run of letters and digits in the text. An apostrophe or hyphen between two such characters
/// stays inside the word, so `O'Brien`, `Jean-Paul` and `2023-05-08` are single words.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

impl Word<'_> {
    /// Returns the word in lower case, for comparing against the keyword lists.
    pub fn lower(&self) -> String {
        self.text.to_lowercase()
    }

    /// Returns whether the word starts with an upper-case letter.
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// Splits `text` into words, with byte offsets.
pub(super) fn split_words(text: &str) -> Vec<Word<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut words = Vec::new();
    let mut start = None;
    for (index, &(offset, c)) in chars.iter().enumerate() {
        let next_is_alphanumeric = chars
            .get(index + 1)
            .is_some_and(|&(_, next)| next.is_alphanumeric());
        let joins = matches!(c, '\'' | '’' | '-') && start.is_some() && next_is_alphanumeric;
        if c.is_alphanumeric() || joins {
            start.get_or_insert(offset);
        } else if let Some(begin) = start.take() {
            words.push(Word {
                start: begin,
                end: offset,
                text: &text[begin..offset],
            });
        }
    }
    if let Some(begin) = start {
        words.push(Word {
            start: begin,
            end: text.len(),
            text: &text[begin..],
        });
    }
    words
}

/// Returns the text between two words, such as `", "` or `". "`.
pub(super) fn gap<'a>(text: &'a str, before: &Word<'_>, after: &Word<'_>) -> &'a str {
    &text[before.end..after.start]
}

/// Returns whether the gap between two words is only spaces or tabs, with no punctuation.
pub(super) fn is_plain_space(gap: &str) -> bool {
    !gap.is_empty() && gap.chars().all(|c| c == ' ' || c == '\t')
}
