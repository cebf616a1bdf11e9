//! Canonical forms of contact identifiers: email addresses, E.164 phone numbers, connector
//! handles and display names, plus the match keys and name-variant test built on them.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::{ApiError, ApiResult};

/// The kind of an identifier that names a contact. Email, phone and handle are strong
/// identifiers that may resolve a contact. A name only feeds merge suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentifierKind {
    Email,
    Phone,
    Handle,
    Name,
}

impl IdentifierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Email => "email",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Handle => "handle",
            IdentifierKind::Name => "name",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Email

/// Maximum length of an email address in characters (RFC 5321 path limit minus the brackets).
const MAX_EMAIL_CHARS: usize = 254;
/// Maximum length of the local part in characters (RFC 5321).
const MAX_LOCAL_PART_CHARS: usize = 64;
/// Punctuation allowed in an unquoted local part (RFC 5322 `atext`, plus the dot).
const LOCAL_PART_PUNCTUATION: &str = "!#$%&'*+-/=?^_`{|}~.";

/// Normalises an email address: trims it, lower-cases it and checks its shape. Plus-tags are
/// kept as written, because [`email_match_key`] decides when they matter.
///
/// The check accepts one `@`, an unquoted local part of RFC 5322 `atext` characters or
/// non-ASCII letters (RFC 6531) without leading, trailing or doubled dots, and a domain of at
/// least two dot-separated labels of letters, digits and inner hyphens. Quoted local parts and
/// IP-literal domains are rejected as invalid, with a 400 naming the value.
pub fn normalize_email(raw: &str) -> ApiResult<String> {
    let email = raw.trim().to_lowercase();
    let invalid = |reason: &str| {
        ApiError::bad_request(format!("invalid email address {:?}: {reason}", raw.trim()))
    };

    let Some((local, domain)) = email.split_once('@') else {
        return Err(invalid("expected one @"));
    };
    if domain.contains('@') {
        return Err(invalid("expected one @"));
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(invalid("longer than 254 characters"));
    }
    check_local_part(local).map_err(invalid)?;
    check_domain(domain).map_err(invalid)?;
    Ok(email)
}

fn check_local_part(local: &str) -> Result<(), &'static str> {
    if local.is_empty() {
        return Err("the part before @ is empty");
    }
    if local.chars().count() > MAX_LOCAL_PART_CHARS {
        return Err("the part before @ is longer than 64 characters");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before @ has a leading, trailing or doubled dot");
    }
    let allowed = |c: char| c.is_alphanumeric() || LOCAL_PART_PUNCTUATION.contains(c);
    if !local.chars().all(allowed) {
        return Err("the part before @ contains a character that is not allowed");
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), &'static str> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs at least one dot");
    }
    for label in labels {
        let allowed = label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if label.is_empty() || !allowed || label.starts_with('-') || label.ends_with('-') {
            return Err("the domain is not a valid host name");
        }
    }
    Ok(())
}

/// Returns the key under which two normalised email addresses count as one mailbox.
///
/// The rule: a `+tag` at the end of the local part is dropped for every domain, because
/// subaddressing (RFC 5233) delivers `name+tag@` to `name@`. A domain that treats `+` as an
/// ordinary character would have two mailboxes merged by this key. For Gmail (`gmail.com`, and `googlemail.com`,
/// which is read as `gmail.com`) the dots in the local part are dropped too, because Gmail
/// ignores them. Other providers treat dots as significant, so they are kept. A `+` at the
/// start of the local part is not a tag and is kept. The input should come from
/// [`normalize_email`]; a value without `@` is returned unchanged.
pub fn email_match_key(normalized: &str) -> String {
    let Some((local, domain)) = normalized.rsplit_once('@') else {
        return normalized.to_string();
    };
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };

    let mut local = match local.find('+') {
        Some(index) if index > 0 => &local[..index],
        _ => local,
    }
    .to_string();
    if domain == "gmail.com" {
        local.retain(|c| c != '.');
    }
    format!("{local}@{domain}")
}

// ---------------------------------------------------------------------------------------------
// Phone

/// Region whose numbering plan reads phone numbers written without a country code, unless
/// the user sets another with `PATCH /api/me {"phoneRegion": "GB"}`.
pub const DEFAULT_PHONE_REGION: &str = "US";

/// Maximum digits in an E.164 number, country code included (ITU-T E.164).
const MAX_E164_DIGITS: usize = 15;
/// Minimum digits accepted for an international number, country code included. Seven digits
/// allow the 4-digit subscriber numbers of small plans that have 3-digit country codes.
const MIN_E164_DIGITS: usize = 7;
/// Characters people put between digits, which carry no meaning.
const PHONE_SEPARATORS: &str = " -.()/";

/// The numbering-plan facts needed to turn a national number into E.164.
#[derive(Debug)]
struct Region {
    /// ISO 3166-1 alpha-2 code.
    code: &'static str,
    calling_code: &'static str,
    /// Trunk prefix dialled before national numbers and dropped in E.164, if the plan has one.
    trunk_prefix: Option<char>,
    /// International call prefixes other than `00`, which every region here also accepts
    /// because none of their national numbers start with `00`.
    international_prefixes: &'static [&'static str],
    /// Accepted length range of the national significant number, in digits.
    national_digits: (usize, usize),
}

/// Supported regions. Italy keeps the leading 0 of fixed lines in E.164, so it has no trunk
/// prefix, and Spain has none at all.
// NOTE: the national length ranges are estimates of each plan, not full validation. They catch
// typos such as a missing digit in US numbers, but may reject a rare valid length.
const REGIONS: &[Region] = &[
    region("US", "1", Some('1'), &["011"], (10, 10)),
    region("CA", "1", Some('1'), &["011"], (10, 10)),
    region("GB", "44", Some('0'), &[], (7, 10)),
    region("DE", "49", Some('0'), &[], (5, 13)),
    region("FR", "33", Some('0'), &[], (9, 9)),
    region("NL", "31", Some('0'), &[], (9, 9)),
    region("ES", "34", None, &[], (9, 9)),
    region("IT", "39", None, &[], (6, 11)),
    region("AU", "61", Some('0'), &["0011"], (9, 9)),
    region("IN", "91", Some('0'), &[], (10, 10)),
    region("BR", "55", Some('0'), &[], (10, 11)),
    region("JP", "81", Some('0'), &["010"], (9, 10)),
];

const fn region(
    code: &'static str,
    calling_code: &'static str,
    trunk_prefix: Option<char>,
    international_prefixes: &'static [&'static str],
    national_digits: (usize, usize),
) -> Region {
    Region {
        code,
        calling_code,
        trunk_prefix,
        international_prefixes,
        national_digits,
    }
}

/// Normalises a phone number to E.164: `+` followed by at most 15 digits.
///
/// A number that starts with `+`, `00` or the region's own international prefix (such as
/// `011` in the US) keeps the country code it carries. Any other number is national: the
/// region's trunk prefix is removed (`0` in most of Europe, `1` in the US and Canada, none in
/// Italy and Spain) and its country calling code is prepended. `default_region` is an ISO
/// 3166-1 code such as [`DEFAULT_PHONE_REGION`]. Spaces, `-`, `.`, `/`, brackets and a `(0)`
/// after a country code are ignored. Letters, unknown regions and numbers that are too short
/// or too long are rejected with a 400 naming the value.
pub fn normalize_phone(raw: &str, default_region: &str) -> ApiResult<String> {
    let written = raw.trim();
    let invalid = |reason: String| {
        ApiError::bad_request(format!("invalid phone number {written:?}: {reason}"))
    };
    let region = find_region(default_region)?;
    let (has_plus, digits) = extract_digits(written).map_err(invalid)?;

    let international = if has_plus {
        digits
    } else if let Some(rest) = strip_international_prefix(&digits, region) {
        rest.to_string()
    } else {
        national_to_international(&digits, region).map_err(invalid)?
    };
    if international.len() < MIN_E164_DIGITS || international.len() > MAX_E164_DIGITS {
        let reason = format!(
            "expected 7 to 15 digits with the country code, got {}",
            international.len()
        );
        return Err(invalid(reason));
    }
    if international.starts_with('0') {
        return Err(invalid("a country code never starts with 0".into()));
    }
    Ok(format!("+{international}"))
}

/// Checks a phone region code, such as a user's setting, and returns it in upper case.
pub fn parse_phone_region(code: &str) -> ApiResult<String> {
    find_region(code).map(|region| region.code.to_owned())
}

fn find_region(code: &str) -> ApiResult<&'static Region> {
    let code = code.trim();
    REGIONS
        .iter()
        .find(|region| region.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            let known: Vec<&str> = REGIONS.iter().map(|region| region.code).collect();
            let message = format!(
                "unknown phone region {code:?}: use one of {}",
                known.join(", ")
            );
            ApiError::bad_request(message)
        })
}

/// Returns whether the number starts with `+`, and its digits. A `(0)` right after the country
/// code, as in `+44 (0)20 …`, is the trunk prefix written for national callers and is dropped.
fn extract_digits(written: &str) -> Result<(bool, String), String> {
    let (has_plus, rest) = match written.strip_prefix('+') {
        Some(rest) => (true, rest.replacen("(0)", "", 1)),
        None => (false, written.to_string()),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !PHONE_SEPARATORS.contains(c) {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    if digits.is_empty() {
        return Err("no digits".into());
    }
    Ok((has_plus, digits))
}

fn strip_international_prefix<'a>(digits: &'a str, region: &Region) -> Option<&'a str> {
    // The region's own prefixes go first, because Australia's `0011` also starts with `00`.
    region
        .international_prefixes
        .iter()
        .chain(std::iter::once(&"00"))
        .find_map(|prefix| digits.strip_prefix(prefix))
}

fn national_to_international(digits: &str, region: &Region) -> Result<String, String> {
    let national = match region.trunk_prefix {
        Some(trunk) => digits.strip_prefix(trunk).unwrap_or(digits),
        None => digits,
    };
    let (min, max) = region.national_digits;
    if national.len() < min || national.len() > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "a national number in {} has {expected} digits after the trunk prefix, got {}",
            region.code,
            national.len()
        ));
    }
    Ok(format!("{}{national}", region.calling_code))
}

// ---------------------------------------------------------------------------------------------
// Handles

/// Connectors whose handles are written with a leading `@` that is not part of the handle.
const AT_PREFIXED_CONNECTORS: &[&str] = &[
    "slack",
    "telegram",
    "twitter",
    "x",
    "instagram",
    "github",
    "mastodon",
    "discord",
];

/// Connectors whose services treat handles as case-insensitive. Slack is absent because its
/// member ids (`U024BE7LH`) are opaque and compared as written.
const CASE_INSENSITIVE_CONNECTORS: &[&str] = &[
    "telegram",
    "twitter",
    "x",
    "instagram",
    "github",
    "mastodon",
    "discord",
];

/// Normalises a connector handle: trims it, strips one leading `@` for the connectors in
/// `AT_PREFIXED_CONNECTORS` and lower-cases it for those in `CASE_INSENSITIVE_CONNECTORS`
/// (Telegram, Twitter/X, Instagram, GitHub, Mastodon, Discord). Handles of other connectors,
/// Slack included, keep their case. An empty handle is rejected with a 400.
pub fn normalize_handle(raw: &str, connector_type: &str) -> ApiResult<String> {
    let connector = connector_type.trim().to_ascii_lowercase();
    let mut handle = raw.trim();
    if AT_PREFIXED_CONNECTORS.contains(&connector.as_str()) {
        handle = handle.strip_prefix('@').unwrap_or(handle).trim_start();
    }
    if handle.is_empty() {
        let message = format!("invalid {connector} handle {:?}: it is empty", raw.trim());
        return Err(ApiError::bad_request(message));
    }
    if CASE_INSENSITIVE_CONNECTORS.contains(&connector.as_str()) {
        return Ok(handle.to_lowercase());
    }
    Ok(handle.to_string())
}

// ---------------------------------------------------------------------------------------------
// Names

/// Returns whether `c` is an invisible format character that only changes how text renders:
/// zero-width space, non-joiner and joiner, word joiner, byte order mark, soft hyphen, and the
/// bidirectional marks, embeddings, overrides and isolates.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Cleans a display name: removes invisible characters and other control characters,
/// collapses runs of whitespace into one space and trims. Returns `None` when nothing is left.
pub fn clean_name(raw: &str) -> Option<String> {
    let visible: String = raw
        .chars()
        .filter(|&c| !is_invisible(c) && (c.is_whitespace() || !c.is_control()))
        .collect();
    let cleaned = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Returns a comparison key for a name that ignores case, accents and invisible characters:
/// the cleaned name, lower-cased, NFKD-decomposed, without combining marks.
pub fn name_key(name: &str) -> String {
    let cleaned = clean_name(name).unwrap_or_default();
    // Lower-casing first, because some lower-case mappings (such as `İ`) add combining marks.
    cleaned
        .to_lowercase()
        .nfkd()
        .filter(|&c| !is_combining_mark(c))
        .collect()
}

/// Splits a name into comparison tokens in given-name-first order: the [`name_key`] split at
/// whitespace, dots and commas. A name written `Surname, Given` is reordered to `Given Surname`.
pub fn name_tokens(name: &str) -> Vec<String> {
    let key = name_key(name);
    let ordered = match key.split_once(',') {
        Some((surname, given)) if !given.contains(',') => format!("{given} {surname}"),
        _ => key,
    };
    ordered
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|token| !token.is_empty())
        .map(str::to_string)
        .collect()
}

/// Returns whether two names may be the same person, for merge suggestions only.
///
/// The rule works on [`name_tokens`]. The last token is the surname, and the first token of a
/// longer name is the given name. Middle names are ignored. The surnames must be equal, or one must
/// be the initial of the other. When both names have a given name, those must be equal or one
/// must be the initial of the other. At least one full word (two or more letters) must appear
/// in both names. So "Sherlock Holmes", "Holmes", "S. Holmes" and "Sherlock H." are variants of
/// each other except that "Sherlock H." shares no full word with "Holmes" or "S. Holmes".
/// "John Smith" and "Jane Smith" are not, and neither are names with different surnames.
/// A lone word counts as a surname, so "Sherlock" is no variant of "Sherlock Holmes".
pub fn is_name_variant(a: &str, b: &str) -> bool {
    tokens_are_variants(&name_tokens(a), &name_tokens(b))
}

/// [`is_name_variant`] on names already split by [`name_tokens`].
pub fn tokens_are_variants(tokens_a: &[String], tokens_b: &[String]) -> bool {
    let (Some(surname_a), Some(surname_b)) = (tokens_a.last(), tokens_b.last()) else {
        return false;
    };
    if !tokens_compatible(surname_a, surname_b) {
        return false;
    }
    if tokens_a.len() > 1 && tokens_b.len() > 1 && !tokens_compatible(&tokens_a[0], &tokens_b[0]) {
        return false;
    }
    tokens_a
        .iter()
        .any(|token| is_full_word(token) && tokens_b.contains(token))
}

/// Returns whether two tokens are equal or one is the initial of the other.
fn tokens_compatible(a: &str, b: &str) -> bool {
    a == b || is_initial_of(a, b) || is_initial_of(b, a)
}

fn is_initial_of(initial: &str, word: &str) -> bool {
    initial.chars().count() == 1 && word.starts_with(initial)
}

fn is_full_word(token: &str) -> bool {
    token.chars().count() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `result` is a 400 whose message names `value`.
    fn assert_bad_request_naming<T: std::fmt::Debug>(result: ApiResult<T>, value: &str) {
        let error = result.expect_err(&format!("{value:?} should be rejected"));
        assert_eq!(error.status(), 400, "{value:?}: {error}");
        let message = error.public_message();
        assert!(
            message.contains(&format!("{value:?}")),
            "{value:?} not in {message:?}"
        );
    }

    #[test]
    fn identifier_kind_serializes_lowercase() {
        let cases = [
            (IdentifierKind::Email, "\"email\""),
            (IdentifierKind::Phone, "\"phone\""),
            (IdentifierKind::Handle, "\"handle\""),
            (IdentifierKind::Name, "\"name\""),
        ];
        for (kind, json) in cases {
            assert_eq!(serde_json::to_string(&kind).ok().as_deref(), Some(json));
            assert_eq!(
                serde_json::from_str::<IdentifierKind>(json).ok(),
                Some(kind)
            );
        }
    }

    #[test]
    fn normalize_email_accepts_valid_addresses() {
        let cases = [
            ("alice@example.com", "alice@example.com"),
            ("  Alice@Example.COM \n", "alice@example.com"),
            ("ALICE+News@example.com", "alice+news@example.com"),
            (
                "first.last@mail.example.co.uk",
                "first.last@mail.example.co.uk",
            ),
            ("o'brien@example.ie", "o'brien@example.ie"),
            (
                "user_name-1@sub-domain.example.org",
                "user_name-1@sub-domain.example.org",
            ),
            ("JOSÉ@Exemple.fr", "josé@exemple.fr"),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                normalize_email(raw).ok().as_deref(),
                Some(expected),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn normalize_email_rejects_invalid_addresses() {
        let local_too_long = format!("{}@example.com", "a".repeat(65));
        let cases = [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@@example.com",
            "alice@bob@example.com",
            "alice@localhost",
            "alice@example..com",
            "alice@-example.com",
            "alice@example.com-",
            ".alice@example.com",
            "alice.@example.com",
            "al..ice@example.com",
            "al ice@example.com",
            "\"alice\"@example.com",
            "alice@[192.0.2.1]",
            local_too_long.as_str(),
        ];
        for raw in cases {
            assert_bad_request_naming(normalize_email(raw), raw.trim());
        }
    }

    #[test]
    fn email_match_key_merges_equivalent_addresses() {
        let cases = [
            // The same address written three ways.
            ("  Alice@Example.com", "alice@example.com"),
            ("ALICE@EXAMPLE.COM", "alice@example.com"),
            ("alice+newsletter@example.com", "alice@example.com"),
            // Dots are significant outside Gmail.
            ("a.lice@example.com", "a.lice@example.com"),
            // Gmail ignores dots and tags, and googlemail.com is the same service.
            ("Sherlock.Holmes@gmail.com", "sherlockholmes@gmail.com"),
            (
                "sherlock.holmes+cases@gmail.com",
                "sherlockholmes@gmail.com",
            ),
            (
                "s.h.e.r.lock.holmes@googlemail.com",
                "sherlockholmes@gmail.com",
            ),
            ("sherlockholmes@googlemail.com", "sherlockholmes@gmail.com"),
            // Only the first + starts the tag, and a leading + is not a tag.
            ("bob+a+b@example.com", "bob@example.com"),
            ("+bob@example.com", "+bob@example.com"),
        ];
        for (raw, expected) in cases {
            let normalized =
                normalize_email(raw).unwrap_or_else(|error| panic!("{raw:?}: {error}"));
            assert_eq!(email_match_key(&normalized), expected, "{raw:?}");
        }
    }

    #[test]
    fn email_match_key_keeps_value_without_at() {
        assert_eq!(email_match_key("not-an-email"), "not-an-email");
    }

    #[test]
    fn normalize_phone_produces_e164() {
        let cases = [
            ("+1 (415) 555-0100", "US", "+14155550100"),
            ("415.555.0100", "US", "+14155550100"),
            ("(415) 555-0100", "us", "+14155550100"),
            ("1-415-555-0100", "US", "+14155550100"),
            ("011 44 20 7946 0000", "US", "+442079460000"),
            ("613-555-0199", "CA", "+16135550199"),
            ("004930123456", "DE", "+4930123456"),
            ("004930123456", "US", "+4930123456"),
            ("030 123456", "DE", "+4930123456"),
            ("030/123456", "DE", "+4930123456"),
            ("07911 123456", "GB", "+447911123456"),
            ("+44 (0)20 7946 0000", "US", "+442079460000"),
            ("01 23 45 67 89", "FR", "+33123456789"),
            ("020 123 4567", "NL", "+31201234567"),
            ("912 345 678", "ES", "+34912345678"),
            ("06 1234 5678", "IT", "+390612345678"),
            ("02 9876 5432", "AU", "+61298765432"),
            ("0011 44 20 7946 0000", "AU", "+442079460000"),
            ("098765 43210", "IN", "+919876543210"),
            ("(011) 91234-5678", "BR", "+5511912345678"),
            ("03-1234-5678", "JP", "+81312345678"),
            ("010 1 415 555 0100", "JP", "+14155550100"),
            ("+49 30 123456", "GB", "+4930123456"),
        ];
        for (raw, region, expected) in cases {
            let normalized = normalize_phone(raw, region);
            assert_eq!(
                normalized.ok().as_deref(),
                Some(expected),
                "{raw:?} in {region}"
            );
        }
    }

    #[test]
    fn normalize_phone_rejects_invalid_numbers() {
        let cases = [
            ("", "US"),
            ("   ", "US"),
            ("call me", "US"),
            ("415-555-0100 ext 7", "US"),
            ("555-0100", "US"),
            ("415 555 01000", "US"),
            ("+1 415 555 0100 1234 5678", "US"),
            ("+12345", "US"),
            ("+0 415 555 0100", "US"),
            ("01 23 45 67", "FR"),
            ("+44 20 7946 0000 +1", "GB"),
        ];
        for (raw, region) in cases {
            assert_bad_request_naming(normalize_phone(raw, region), raw.trim());
        }
    }

    #[test]
    fn normalize_phone_rejects_unknown_region() {
        assert_bad_request_naming(normalize_phone("0123 456789", "ZZ"), "ZZ");
    }

    #[test]
    fn default_phone_region_is_supported() {
        let normalized = normalize_phone("415 555 0100", DEFAULT_PHONE_REGION);
        assert_eq!(normalized.ok().as_deref(), Some("+14155550100"));
    }

    #[test]
    fn normalize_handle_applies_connector_rules() {
        let cases = [
            ("@Alice", "telegram", "alice"),
            ("  @Alice_Bot ", "Telegram", "alice_bot"),
            ("@SherlockH", "twitter", "sherlockh"),
            ("@SherlockH", "x", "sherlockh"),
            ("@Octocat", "github", "octocat"),
            (
                "@Holmes@Mastodon.Social",
                "mastodon",
                "holmes@mastodon.social",
            ),
            ("@U024BE7LH", "slack", "U024BE7LH"),
            ("U024BE7LH", "slack", "U024BE7LH"),
            ("@Alice", "manual", "@Alice"),
            ("  CaseKept  ", "unknown-connector", "CaseKept"),
        ];
        for (raw, connector, expected) in cases {
            let normalized = normalize_handle(raw, connector);
            assert_eq!(
                normalized.ok().as_deref(),
                Some(expected),
                "{raw:?} on {connector}"
            );
        }
    }

    #[test]
    fn normalize_handle_rejects_empty() {
        let cases = [
            ("", "slack"),
            ("   ", "manual"),
            ("@", "telegram"),
            (" @ ", "twitter"),
        ];
        for (raw, connector) in cases {
            assert_bad_request_naming(normalize_handle(raw, connector), raw.trim());
        }
    }

    #[test]
    fn clean_name_removes_invisible_characters() {
        let cases = [
            ("Sherlock Holmes", Some("Sherlock Holmes")),
            ("  Sherlock \t\n Holmes  ", Some("Sherlock Holmes")),
            ("Sher\u{200B}lock Holmes", Some("Sherlock Holmes")),
            (
                "\u{FEFF}Sherlock\u{200C} Hol\u{200D}mes",
                Some("Sherlock Holmes"),
            ),
            ("Sher\u{00AD}lock", Some("Sherlock")),
            ("\u{200E}Holmes\u{200F}", Some("Holmes")),
            ("\u{202A}\u{2066}Holmes\u{2069}\u{202C}", Some("Holmes")),
            ("Holmes\u{0007}", Some("Holmes")),
            ("José Álvarez", Some("José Álvarez")),
            ("", None),
            ("   ", None),
            ("\u{200B}\u{FEFF} \u{00AD}", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(clean_name(raw).as_deref(), expected, "{raw:?}");
        }
    }

    #[test]
    fn name_key_ignores_case_and_accents() {
        let cases = [
            ("José Álvarez", "jose alvarez"),
            ("jose alvarez", "jose alvarez"),
            ("JOSE  ALVAREZ", "jose alvarez"),
            ("Jose\u{0301} A\u{0301}lvarez", "jose alvarez"),
            ("Zoë Ça\u{200B}ñas", "zoe canas"),
            ("İlker", "ilker"),
            ("ﬁona", "fiona"),
        ];
        for (raw, expected) in cases {
            assert_eq!(name_key(raw), expected, "{raw:?}");
        }
        assert_eq!(name_key("José Álvarez"), name_key("jose alvarez"));
    }

    #[test]
    fn name_tokens_split_and_reorder() {
        let cases: [(&str, &[&str]); 6] = [
            ("Sherlock Holmes", &["sherlock", "holmes"]),
            ("S. Holmes", &["s", "holmes"]),
            ("Sherlock H.", &["sherlock", "h"]),
            ("Holmes, Sherlock", &["sherlock", "holmes"]),
            ("Jean-Luc Picard", &["jean-luc", "picard"]),
            ("\u{200B} ", &[]),
        ];
        for (raw, expected) in cases {
            assert_eq!(name_tokens(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn is_name_variant_matches_surname_and_initials() {
        let cases = [
            ("Sherlock Holmes", "Holmes", true),
            ("Sherlock Holmes", "S. Holmes", true),
            ("Sherlock Holmes", "Sherlock H.", true),
            ("Sherlock Holmes", "sherlock holmes", true),
            ("Sherlock Holmes", "Holmes, Sherlock", true),
            ("Sherlock Scott Holmes", "S. Holmes", true),
            ("José Álvarez", "Jose Alvarez", true),
            ("Holmes", "S. Holmes", true),
            ("John Smith", "Jane Smith", false),
            ("John Smith", "J. Smyth", false),
            ("Sherlock Holmes", "Mycroft Holmes", false),
            ("Sherlock Holmes", "Sherlock Watson", false),
            ("Sherlock Holmes", "Sherlock", false),
            ("Sherlock H.", "Holmes", false),
            ("S. H.", "Sherlock Holmes", false),
            ("", "Holmes", false),
            ("", "", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(is_name_variant(a, b), expected, "{a:?} vs {b:?}");
            assert_eq!(is_name_variant(b, a), expected, "{b:?} vs {a:?}");
        }
    }
}
