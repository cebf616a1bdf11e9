//! Table-driven tests for [`extract_entities`].

use chrono::NaiveDate;

use super::extract::{extract_entities, Entity, EntityKind};
use EntityKind::{Date, Email, Money, Organization, Person, Phone, Place, Url};

/// Returns noon UTC on the given day, in Unix milliseconds.
fn noon_millis(year: i32, month: u32, day: u32) -> i64 {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.and_hms_opt(12, 0, 0))
        .map(|time| time.and_utc().timestamp_millis())
        .expect("test dates are valid")
}

/// A Wednesday.
fn wednesday() -> i64 {
    noon_millis(2023, 5, 10)
}

fn values_of(text: &str, event_millis: i64, kind: EntityKind) -> Vec<String> {
    extract_entities(text, event_millis)
        .into_iter()
        .filter(|entity| entity.kind == kind)
        .map(|entity| entity.value)
        .collect()
}

fn check_cases(kind: EntityKind, event_millis: i64, cases: &[(&str, &[&str])]) {
    for (text, expected) in cases {
        let found = values_of(text, event_millis, kind);
        assert_eq!(found, *expected, "{kind:?} in {text:?}");
    }
}

#[test]
fn emails_trim_punctuation_and_lower_case() {
    check_cases(
        Email,
        wednesday(),
        &[
            ("Write to alice@example.com.", &["alice@example.com"]),
            (
                "(Bob.Smith+work@Mail.Example.org), thanks",
                &["bob.smith+work@mail.example.org"],
            ),
            ("mailto:team@acme.io!", &["team@acme.io"]),
            ("not an email: a@b, @handle, x@y.z", &[]),
        ],
    );
}

#[test]
fn urls_trim_trailing_punctuation() {
    check_cases(
        Url,
        wednesday(),
        &[
            (
                "See https://example.com/docs.",
                &["https://example.com/docs"],
            ),
            ("(see www.example.org/a?b=1),", &["www.example.org/a?b=1"]),
            (
                "Wiki: https://en.wikipedia.org/wiki/Rust_(language)!",
                &["https://en.wikipedia.org/wiki/Rust_(language)"],
            ),
            ("http://a.io and http://a.io again", &["http://a.io"]),
            ("the word www. alone", &[]),
        ],
    );
}

#[test]
fn phones_skip_dates_and_years() {
    check_cases(
        Phone,
        wednesday(),
        &[
            ("Call +1 (555) 123-4567 now", &["+15551234567"]),
            ("Office: 555-1234.", &["5551234"]),
            (
                "Ring 020 7946 0958 or 555.123.4567",
                &["02079460958", "5551234567"],
            ),
            ("From 2019-2020 and 1999 2000 2001", &[]),
            ("Due 08.05.2023 or 2023-05-08", &[]),
            ("Pi is 3.1415926 and scores 10 20 30 40", &[]),
            ("Only 12345 here", &[]),
        ],
    );
}

#[test]
fn money_is_normalised_to_code_and_amount() {
    check_cases(
        Money,
        wednesday(),
        &[
            ("It cost $12.", &["USD 12"]),
            ("Paid $1,200.50 today", &["USD 1200.50"]),
            ("€5 and £3.20", &["EUR 5", "GBP 3.20"]),
            ("about 12 dollars", &["USD 12"]),
            (
                "USD 40 or 40 EUR or 7 euros",
                &["USD 40", "EUR 40", "EUR 7"],
            ),
            ("a 5€ coffee", &["EUR 5"]),
            ("$5k salary and 10 pounds of flour", &[]),
        ],
    );
}

#[test]
fn tomorrow_resolves_in_message_year() {
    let found = values_of("See you tomorrow!", noon_millis(2019, 3, 10), Date);
    assert_eq!(found, ["2019-03-11"]);
}

#[test]
fn relative_dates_resolve_from_wednesday() {
    check_cases(
        Date,
        wednesday(),
        &[
            ("I went there last Saturday", &["2023-05-06"]),
            ("Let's meet next Friday", &["2023-05-12"]),
            ("this Friday works", &["2023-05-12"]),
            ("today and yesterday", &["2023-05-10", "2023-05-09"]),
            ("Last night was fun", &["2023-05-09"]),
            ("last week", &["2023-05-01"]),
            ("this week", &["2023-05-08"]),
            ("next week", &["2023-05-15"]),
            ("this weekend", &["2023-05-13"]),
            ("last weekend", &["2023-05-06"]),
            ("two days ago", &["2023-05-08"]),
            ("a week ago", &["2023-05-03"]),
            ("in 3 days", &["2023-05-13"]),
            ("3 months ago", &["2023-02-10"]),
            ("next month", &["2023-06-01"]),
            ("last year", &["2022-01-01"]),
            ("on Friday", &[]),
        ],
    );
}

#[test]
fn absolute_dates_parse_common_orders() {
    check_cases(
        Date,
        wednesday(),
        &[
            ("on 8 May 2023", &["2023-05-08"]),
            ("on 8 May, 2023", &["2023-05-08"]),
            ("on May 8, 2023", &["2023-05-08"]),
            ("on 2023-05-08", &["2023-05-08"]),
            ("on May 8", &["2023-05-08"]),
            ("the 3rd of March 2020", &["2020-03-03"]),
            ("Sept 1 2021", &["2021-09-01"]),
            ("on 31 February", &[]),
            ("you may 8 times", &[]),
        ],
    );
}

#[test]
fn last_saturday_from_sunday_is_day_before() {
    let found = values_of("last Saturday", noon_millis(2019, 3, 10), Date);
    assert_eq!(found, ["2019-03-09"]);
}

#[test]
fn names_are_classified_by_context() {
    check_cases(
        Person,
        wednesday(),
        &[
            ("I had lunch with Melanie.", &["Melanie"]),
            ("Dr. Smith is late", &["Dr Smith"]),
            ("Jon Snow said hello", &["Jon Snow"]),
            ("Caroline and Melanie went out", &["Caroline", "Melanie"]),
            ("I talked to Anna about it", &["Anna"]),
            ("I went to Portland", &[]),
            ("Caroline's dog is cute", &[]),
            ("Hey John! Long time no see.", &["John"]),
            ("Thanks, Melanie! That's really kind.", &["Melanie"]),
            ("Thank you, Nate, for the help", &["Nate"]),
            ("We adopted a puppy and named him Buddy.", &["Buddy"]),
            ("Last time we talked - meet Toby, my puppy", &["Toby"]),
            (
                "It's a book by Patrick Rothfuss and it's great",
                &["Patrick Rothfuss"],
            ),
        ],
    );
    check_cases(
        Place,
        wednesday(),
        &[
            (
                "We flew to Paris and then to New York.",
                &["Paris", "New York"],
            ),
            (
                "A walk in Central Park by Lake Tahoe",
                &["Central Park", "Lake Tahoe"],
            ),
            ("I'm from Sweden", &["Sweden"]),
            ("Paris is nice", &[]),
            ("I went to Portland last year", &["Portland"]),
            ("I'm gonna stay in Galway for a week", &["Galway"]),
            ("that trip to England a few years ago", &["England"]),
            ("We visited Universal Studios", &["Universal Studios"]),
            ("The City was loud in Park Street", &["Park Street"]),
            ("I talked to Anna about it", &[]),
        ],
    );
    check_cases(
        Organization,
        wednesday(),
        &[
            (
                "She studies at Oregon State University",
                &["Oregon State University"],
            ),
            ("He joined the Bank of America", &["Bank of America"]),
            (
                "Contracts with Acme Corp. and Foo Ltd",
                &["Acme Corp", "Foo Ltd"],
            ),
            ("NASA launched it", &["NASA"]),
            ("OK, I AM SO HAPPY NOW", &[]),
        ],
    );
}

#[test]
fn pronoun_and_sentence_start_are_not_names() {
    let found = extract_entities("I think The weather is fine. The end.", wednesday());
    assert_eq!(found, []);
}

#[test]
fn plain_sentence_has_no_entities() {
    let found = extract_entities("we walked the dog and cooked some pasta", wednesday());
    assert_eq!(found, []);
}

#[test]
fn same_organization_has_same_value_across_memories() {
    let texts = [
        "I work at Acme Corp now.",
        "Acme Corp announced layoffs",
        "Got an offer from Acme Corp!",
        "Their office (Acme Corp) is near the station",
    ];
    let mut memories_naming_acme = 0;
    for text in texts {
        let organizations = values_of(text, wednesday(), Organization);
        assert_eq!(organizations, ["Acme Corp"], "in {text:?}");
        memories_naming_acme += 1;
    }
    assert_eq!(memories_naming_acme, 4);
}

#[test]
fn transcript_line_yields_speaker_acronym_and_date() {
    let text = "Caroline: I went to the LGBTQ support group yesterday";
    let found = extract_entities(text, noon_millis(2023, 5, 8));
    let expected = [
        Entity {
            kind: Person,
            value: "Caroline".into(),
        },
        Entity {
            kind: Organization,
            value: "LGBTQ".into(),
        },
        Entity {
            kind: Date,
            value: "2023-05-07".into(),
        },
    ];
    assert_eq!(found, expected);
}

#[test]
fn header_lines_are_not_speakers() {
    let found = values_of("Note: bring snacks\nSubject: Hi", wednesday(), Person);
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn entities_are_deduplicated_in_text_order() {
    let text = "Mail bob@x.io on 2023-05-08, then bob@x.io again; pay $5 or $5.";
    let found = extract_entities(text, wednesday());
    let kinds: Vec<EntityKind> = found.iter().map(|entity| entity.kind).collect();
    assert_eq!(kinds, [Email, Date, Money]);
}

#[test]
fn entity_serialises_type_in_lower_case() {
    let entity = Entity {
        kind: Organization,
        value: "Acme Corp".into(),
    };
    let json = serde_json::to_string(&entity).expect("entity serialises");
    assert_eq!(json, r#"{"type":"organization","value":"Acme Corp"}"#);
}

#[test]
fn invalid_event_time_skips_dates_only() {
    let found = extract_entities("tomorrow at alice@example.com", i64::MAX);
    assert_eq!(
        found,
        [Entity {
            kind: Email,
            value: "alice@example.com".into()
        }]
    );
}

#[test]
fn kind_names_match_serialised_names() {
    for kind in EntityKind::ALL {
        let json = serde_json::to_value(kind).expect("kind serialises");
        assert_eq!(json, kind.as_str(), "{kind:?}");
        assert_eq!(EntityKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(EntityKind::parse("Person"), None);
    assert_eq!(EntityKind::parse("company"), None);
}
