//! Scanners for emails, URLs and phone numbers.

use super::extract::{Candidate, EntityKind};

/// Characters stripped from the start of a whitespace-separated token before matching.
const LEADING_PUNCTUATION: &[char] = &['(', '[', '<', '"', '\'', '“', '‘'];
/// Characters stripped from the end of a token: sentence punctuation and closing quotes.
const TRAILING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?', '"', '\'', '”', '’', '>'];

/// Finds email addresses, returned in lower case.
pub(super) fn scan_emails(text: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (start, token) in tokens(text) {
        let (mut offset, core) = trim_token(token);
        // Unlike a URL, an address never contains a closing bracket.
        let mut core = core
            .trim_end_matches([')', ']'])
            .trim_end_matches(TRAILING_PUNCTUATION);
        if let Some(address) = core.strip_prefix("mailto:") {
            offset += "mailto:".len();
            core = address;
        }
        if is_email(core) {
            let start = start + offset;
            let value = core.to_lowercase();
            found.push(Candidate {
                start,
                end: start + core.len(),
                kind: EntityKind::Email,
                value,
            });
        }
    }
    found
}

/// Finds `http://`, `https://` and `www.` URLs, with trailing punctuation and unbalanced
/// closing brackets removed.
pub(super) fn scan_urls(text: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (start, token) in tokens(text) {
        let (offset, mut core) = trim_token(token);
        while let Some(rest) = core.strip_suffix([')', ']']) {
            if core.matches(['(', '[']).count() >= core.matches([')', ']']).count() {
                break;
            }
            core = rest.trim_end_matches(TRAILING_PUNCTUATION);
        }
        let lower = core.to_ascii_lowercase();
        let prefix_len = ["https://", "http://", "www."]
            .iter()
            .find(|prefix| lower.starts_with(*prefix))
            .map(|prefix| prefix.len());
        if prefix_len.is_some_and(|len| core.len() > len + 2) {
            let start = start + offset;
            let value = core.to_owned();
            found.push(Candidate {
                start,
                end: start + core.len(),
                kind: EntityKind::Url,
                value,
            });
        }
    }
    found
}

/// Splits `text` on whitespace into tokens with their byte offsets.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |token| (token.as_ptr() as usize - text.as_ptr() as usize, token))
}

/// Strips surrounding punctuation, returning the offset of what remains within `token`.
fn trim_token(token: &str) -> (usize, &str) {
    let core = token.trim_start_matches(LEADING_PUNCTUATION);
    let offset = token.len() - core.len();
    (offset, core.trim_end_matches(TRAILING_PUNCTUATION))
}

fn is_email(candidate: &str) -> bool {
    let Some((local, domain)) = candidate.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let top_level_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && labels_ok && top_level_ok
}

/// Finds phone numbers: an optional `+`, then at least 7 and at most 15 digits, grouped by
/// spaces, hyphens, dots or brackets. The value is the `+` (if any) followed by the digits.
pub(super) fn scan_phones(text: &str) -> Vec<Candidate> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if !is_phone_start(&chars, index) {
            index += 1;
            continue;
        }
        let end = phone_run_end(&chars, index);
        let start_byte = chars[index].0;
        let end_byte = chars.get(end).map_or(text.len(), |&(offset, _)| offset);
        let span = &text[start_byte..end_byte];
        let touches_word = chars
            .get(end)
            .is_some_and(|&(_, next)| next.is_alphanumeric());
        if let Some(value) = phone_value(span).filter(|_| !touches_word) {
            found.push(Candidate {
                start: start_byte,
                end: end_byte,
                kind: EntityKind::Phone,
                value,
            });
        }
        index = end.max(index + 1);
    }
    found
}

fn is_phone_start(chars: &[(usize, char)], index: usize) -> bool {
    let c = chars[index].1;
    let next_is_digit = chars
        .get(index + 1)
        .is_some_and(|&(_, next)| next.is_ascii_digit());
    let opens = c.is_ascii_digit() || ((c == '+' || c == '(') && next_is_digit);
    // A digit right after a letter, digit or number punctuation continues another token.
    let continues = index > 0 && {
        let previous = chars[index - 1].1;
        previous.is_alphanumeric() || ".,-/+$€£:(".contains(previous)
    };
    opens && !continues
}

/// Returns the index just past the phone-like run starting at `start`, with trailing separators
/// left out. A run stops at two separators in a row, except `") "` and `" ("`.
fn phone_run_end(chars: &[(usize, char)], start: usize) -> usize {
    let mut end = start + 1;
    while let Some(&(_, c)) = chars.get(end) {
        let previous = chars[end - 1].1;
        let is_separator = matches!(c, ' ' | '-' | '.' | '(' | ')');
        let doubled = is_separator
            && matches!(previous, ' ' | '-' | '.' | '(' | ')')
            && !matches!((previous, c), (')', ' ') | (' ', '('));
        if !(c.is_ascii_digit() || is_separator) || doubled {
            break;
        }
        end += 1;
    }
    while end > start && !chars[end - 1].1.is_ascii_digit() && chars[end - 1].1 != ')' {
        end -= 1;
    }
    end
}

/// Returns the normalised phone number in `span`, or `None` when its digit groups look like a
/// date, a list of years, a decimal number or a list of small numbers.
fn phone_value(span: &str) -> Option<String> {
    let groups: Vec<&str> = span
        .split(|c: char| !c.is_ascii_digit())
        .filter(|group| !group.is_empty())
        .collect();
    let digits: String = groups.concat();
    let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    let plain = !span.starts_with('+') && !span.contains('(');
    let all_years = groups
        .iter()
        .all(|group| group.len() == 4 && matches!(group.parse::<u32>(), Ok(1900..=2099)));
    let date_shape = plain
        && lengths.len() == 3
        && (lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2
            || lengths[0] <= 2 && lengths[1] <= 2 && lengths[2] == 4);
    let decimal = groups.len() == 2 && span.matches('.').count() == 1 && !span.contains([' ', '-']);
    let short_tail = groups.len() > 1 && lengths.last().is_some_and(|&len| len < 3);
    let rejected = all_years || date_shape || decimal || short_tail || groups.len() > 5;
    if !(7..=15).contains(&digits.len()) || rejected {
        return None;
    }
    let sign = if span.starts_with('+') { "+" } else { "" };
    Some(format!("{sign}{digits}"))
}
