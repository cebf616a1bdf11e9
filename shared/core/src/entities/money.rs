//! Scanner for amounts of money, normalised to an ISO 4217 code and a plain number.

use super::extract::{Candidate, EntityKind};

/// Currency symbols written before or directly after an amount.
const SYMBOLS: &[(char, &str)] = &[('$', "USD"), ('€', "EUR"), ('£', "GBP")];
/// Currency codes written before or after an amount, as in `USD 40` or `40 EUR`.
const CODES: &[&str] = &["USD", "EUR", "GBP"];
/// Currency words written after an amount. "pounds" is left out because it is also a weight.
const WORDS: &[(&str, &str)] = &[
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("bucks", "USD"),
    ("euro", "EUR"),
    ("euros", "EUR"),
];

/// Finds amounts such as `$1,200.50`, `€5`, `12 dollars`, `USD 40` and `40 EUR`. The value is
/// the code, a space and the amount without thousands separators, such as `USD 1200.50`.
///
/// NOTE: multipliers (`$5k`, `3 million dollars`) and amounts in words are not recognised, and an
/// amount followed directly by a letter is skipped so that `$5k` never reads as `USD 5`.
pub(super) fn scan_money(text: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut resume_at = 0;
    for (start, c) in text.char_indices() {
        if start < resume_at || !at_word_boundary(text, start) {
            continue;
        }
        let matched = symbol_then_amount(text, start, c)
            .or_else(|| code_then_amount(text, start))
            .or_else(|| amount_then_currency(text, start));
        if let Some((end, value)) = matched {
            found.push(Candidate {
                start,
                end,
                kind: EntityKind::Money,
                value,
            });
            resume_at = end;
        }
    }
    found
}

fn at_word_boundary(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|previous| !previous.is_alphanumeric() && !".,".contains(previous))
}

fn symbol_then_amount(text: &str, start: usize, c: char) -> Option<(usize, String)> {
    let (_, code) = SYMBOLS.iter().find(|(symbol, _)| *symbol == c)?;
    let (end, amount) = parse_amount(text, start + c.len_utf8())?;
    Some((end, format!("{code} {amount}")))
}

fn code_then_amount(text: &str, start: usize) -> Option<(usize, String)> {
    let code = CODES.iter().find(|code| text[start..].starts_with(*code))?;
    let after_code = start + code.len();
    let amount_start = if text[after_code..].starts_with(' ') {
        after_code + 1
    } else {
        after_code
    };
    let (end, amount) = parse_amount(text, amount_start)?;
    Some((end, format!("{code} {amount}")))
}

fn amount_then_currency(text: &str, start: usize) -> Option<(usize, String)> {
    let (end, amount) = parse_amount_allowing_suffix(text, start)?;
    let rest = &text[end..];
    if let Some(&(symbol, code)) = SYMBOLS.iter().find(|(symbol, _)| rest.starts_with(*symbol)) {
        return Some((end + symbol.len_utf8(), format!("{code} {amount}")));
    }
    let word_start = end + 1;
    let word: String = rest
        .strip_prefix(' ')?
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let code = if CODES.contains(&word.as_str()) {
        word.as_str()
    } else {
        let lower = word.to_lowercase();
        WORDS
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|(_, code)| *code)?
    };
    Some((word_start + word.len(), format!("{code} {amount}")))
}

/// Parses an amount at `start` that must not run into a letter (`5k`).
fn parse_amount(text: &str, start: usize) -> Option<(usize, String)> {
    let (end, amount) = parse_amount_allowing_suffix(text, start)?;
    let touches_letter = text[end..].chars().next().is_some_and(char::is_alphabetic);
    (!touches_letter).then_some((end, amount))
}

/// Parses digits with optional comma groups of three and an optional decimal part, returning the
/// end offset and the amount with commas removed.
fn parse_amount_allowing_suffix(text: &str, start: usize) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let digit_at = |index: usize| bytes.get(index).is_some_and(u8::is_ascii_digit);
    let mut end = start;
    while digit_at(end) {
        end += 1;
    }
    if end == start {
        return None;
    }
    let mut amount = text[start..end].to_owned();
    while bytes.get(end) == Some(&b',') && (1..=3).all(|k| digit_at(end + k)) && !digit_at(end + 4)
    {
        amount.push_str(&text[end + 1..end + 4]);
        end += 4;
    }
    if bytes.get(end) == Some(&b'.') && digit_at(end + 1) {
        let fraction_start = end;
        end += 1;
        while digit_at(end) {
            end += 1;
        }
        amount.push_str(&text[fraction_start..end]);
    }
    Some((end, amount))
}
