//! Scanner for capitalised names, classified as person, place or organization.
//!
//! A name is a run of capitalised words on one line, with only spaces between them (or `of`, as
//! in "Bank of America"). Function words such as "The", "I" or "Yesterday", month and weekday
//! names, honorifics and common all-caps words never belong to a run. A run is emitted only when
//! its context points to one kind:
//! - organization: a word such as University, Bank or Club, a last word such as Inc, Ltd, LLC
//!   or Corp, or a lone all-caps acronym of 2 to 6 letters (so `LGBTQ` in "the LGBTQ support
//!   group" is an organization);
//! - person: a `Name:` speaker prefix at the start of a line, or an honorific (Mr, Mrs, Ms,
//!   Miss, Dr, Prof), "with", a greeting ("Hey John", "Thanks, Melanie") or a naming word
//!   ("named him Buddy", "meet Toby") before it. Also "to" or "from" after a word about
//!   messages or gifts ("talked to", "a letter from"), "by" after a work ("a book by"), a verb
//!   such as "said" after it, or "and" joining it to another person;
//! - place: a first word such as Lake or Mount, or a last word such as City, Street, Park, River
//!   or Beach; "to", "in", "from" or "at" after a word about going or living somewhere ("went
//!   to Chicago", "stay in Galway"), or "visited" before it. A name on a short list of countries
//!   and major cities is also a place when a cue such as "in", "at" or "from" comes before it.
//!
//! When the evidence points to both person and place, or to neither, nothing is emitted.
//!
//! NOTE: with no list of first names, a person mentioned without one of these cues is missed,
//! and the cues can mislead: "with Google" reads as a person and "Jane Park" as a place.

use super::dates::{is_month, weekday};
use super::extract::{Candidate, EntityKind};
use super::lexicon::{
    COMMON_CAPS, GREETINGS, HEADER_WORDS, HONORIFICS, KNOWN_PLACES, LEGAL_SUFFIXES, MESSAGE_WORDS,
    NAMING_WORDS, ORGANIZATION_WORDS, PERSON_VERBS, PLACE_CUES, PLACE_PREFIXES, PLACE_SUFFIXES,
    STOP_WORDS, TRAVEL_WORDS, WORK_WORDS,
};
use super::words::{gap, is_plain_space, Word};

/// A run of name words, `words[first..=last]`, with the index of an honorific before it.
#[derive(Debug)]
struct Run {
    first: usize,
    last: usize,
    honorific: Option<usize>,
}

/// Finds speaker prefixes and classified name runs.
pub(super) fn scan_names(text: &str, words: &[Word<'_>]) -> Vec<Candidate> {
    let mut in_speaker_prefix = vec![false; words.len()];
    let mut found = speaker_prefixes(text, words, &mut in_speaker_prefix);

    let runs = name_runs(text, words, &in_speaker_prefix);
    let mut kinds: Vec<Option<EntityKind>> =
        runs.iter().map(|run| classify(text, words, run)).collect();
    spread_person_over_and(text, words, &runs, &mut kinds);

    for (run, kind) in runs.iter().zip(kinds) {
        if let Some(kind) = kind {
            found.push(run_candidate(text, words, run, kind));
        }
    }
    found
}

/// Emits `Name:` at the start of a line (up to three capitalised words) as a person and marks
/// its words in `in_speaker_prefix`.
fn speaker_prefixes(
    text: &str,
    words: &[Word<'_>],
    in_speaker_prefix: &mut [bool],
) -> Vec<Candidate> {
    let mut found = Vec::new();
    for first in 0..words.len() {
        let before = if first == 0 {
            &text[..words[0].start]
        } else {
            gap(text, &words[first - 1], &words[first])
        };
        let at_line_start = (first == 0 || before.contains('\n'))
            && before
                .rsplit('\n')
                .next()
                .is_some_and(|indent| indent.trim().is_empty());
        if !at_line_start || HEADER_WORDS.contains(&words[first].lower().as_str()) {
            continue;
        }
        let mut last = first;
        while last < first + 3 && is_name_word(&words[last]) {
            if text[words[last].end..].starts_with(':') {
                let (start, end) = (words[first].start, words[last].end);
                let value = text[start..end].to_owned();
                found.push(Candidate {
                    start,
                    end,
                    kind: EntityKind::Person,
                    value,
                });
                in_speaker_prefix[first..=last].fill(true);
                break;
            }
            let joined = words
                .get(last + 1)
                .is_some_and(|next| is_plain_space(gap(text, &words[last], next)));
            if !joined {
                break;
            }
            last += 1;
        }
    }
    found
}

/// Groups name words outside speaker prefixes into runs, joining "Bank of America" over a
/// lower-case `of`.
fn name_runs(text: &str, words: &[Word<'_>], in_speaker_prefix: &[bool]) -> Vec<Run> {
    let usable = |index: usize| {
        index < words.len() && !in_speaker_prefix[index] && is_name_word(&words[index])
    };
    let joined = |left: usize, right: usize| is_plain_space(gap(text, &words[left], &words[right]));
    let mut runs = Vec::new();
    let mut index = 0;
    while index < words.len() {
        if !usable(index) {
            index += 1;
            continue;
        }
        let mut last = index;
        loop {
            if usable(last + 1) && joined(last, last + 1) {
                last += 1;
            } else if words.get(last + 1).is_some_and(|word| word.text == "of")
                && usable(last + 2)
                && joined(last, last + 1)
                && joined(last + 1, last + 2)
            {
                last += 2;
            } else {
                break;
            }
        }
        runs.push(Run {
            first: index,
            last,
            honorific: honorific_before(text, words, index),
        });
        index = last + 1;
    }
    runs
}

fn honorific_before(text: &str, words: &[Word<'_>], first: usize) -> Option<usize> {
    let index = first.checked_sub(1)?;
    let between = gap(text, &words[index], &words[first]);
    let is_honorific = HONORIFICS.contains(&words[index].lower().as_str());
    (is_honorific && (between == " " || between == ". ")).then_some(index)
}

/// Returns whether `word` can be part of a name.
fn is_name_word(word: &Word<'_>) -> bool {
    let Some(base) = possessive_base(word.text) else {
        return false;
    };
    let lower = base.to_lowercase();
    word.is_capitalised()
        && !base.chars().any(|c| c.is_ascii_digit())
        && !STOP_WORDS.contains(&lower.as_str())
        && !HONORIFICS.contains(&lower.as_str())
        && !COMMON_CAPS.contains(&base)
        && !is_month(word)
        && weekday(base).is_none()
}

/// Returns the word without a possessive `'s`, or `None` for a contraction such as "Don't".
fn possessive_base(text: &str) -> Option<&str> {
    let Some(split) = text.find(['\'', '’']) else {
        return Some(text);
    };
    let suffix = text[split..].trim_start_matches(['\'', '’']);
    if suffix == "s" {
        Some(&text[..split])
    } else {
        suffix
            .chars()
            .next()
            .filter(|c| c.is_uppercase())
            .map(|_| text)
    }
}

/// Picks the kind of a run from its words and neighbours, or `None` when the evidence is absent
/// or points to both person and place.
fn classify(text: &str, words: &[Word<'_>], run: &Run) -> Option<EntityKind> {
    let lowers: Vec<String> = words[run.first..=run.last]
        .iter()
        .map(|word| {
            possessive_base(word.text)
                .unwrap_or(word.text)
                .to_lowercase()
        })
        .collect();
    let first = lowers.first()?.as_str();
    let last = lowers.last()?.as_str();
    if is_lone_acronym(text, words, run)
        || lowers
            .iter()
            .any(|word| ORGANIZATION_WORDS.contains(&word.as_str()))
        || LEGAL_SUFFIXES.contains(&last)
    {
        return Some(EntityKind::Organization);
    }

    let start = run.honorific.unwrap_or(run.first);
    let previous = word_before(text, words, start);
    let before_previous = previous.and_then(|index| word_before(text, words, index));
    let lower_at =
        |index: Option<usize>| index.map(|index| words[index].lower()).unwrap_or_default();
    let (previous, before_previous) = (lower_at(previous), lower_at(before_previous));
    let next = lower_at(word_after(text, words, run.last));

    let (previous, before_previous) = (previous.as_str(), before_previous.as_str());
    let person = run.honorific.is_some()
        || previous == "with"
        || GREETINGS.contains(&previous)
        || (previous == "you" && before_previous == "thank")
        || NAMING_WORDS.contains(&previous)
        || (matches!(previous, "him" | "her" | "them") && NAMING_WORDS.contains(&before_previous))
        || (previous == "by" && WORK_WORDS.contains(&before_previous))
        || (matches!(previous, "to" | "from") && MESSAGE_WORDS.contains(&before_previous))
        || PERSON_VERBS.contains(&next.as_str());
    let travelled = matches!(previous, "to" | "in" | "from" | "at")
        && TRAVEL_WORDS.contains(&before_previous)
        && lowers.len() <= 3;
    let place = (lowers.len() > 1 && PLACE_SUFFIXES.contains(&last))
        || (lowers.len() > 1 && PLACE_PREFIXES.contains(&first))
        || travelled
        || matches!(previous, "visit" | "visited" | "visiting")
        || (PLACE_CUES.contains(&previous) && KNOWN_PLACES.contains(&lowers.join(" ").as_str()));
    match (person, place) {
        (true, false) => Some(EntityKind::Person),
        (false, true) => Some(EntityKind::Place),
        _ => None,
    }
}

/// Returns whether the run is one all-caps word of 2 to 6 letters with no all-caps neighbour,
/// so that shouted sentences do not turn into organizations.
fn is_lone_acronym(text: &str, words: &[Word<'_>], run: &Run) -> bool {
    let is_caps =
        |word: &Word<'_>| word.text.len() >= 2 && word.text.chars().all(|c| c.is_ascii_uppercase());
    let neighbour_is_caps =
        |index: Option<usize>| index.is_some_and(|index| is_caps(&words[index]));
    run.first == run.last
        && is_caps(&words[run.first])
        && words[run.first].text.len() <= 6
        && !neighbour_is_caps(word_before(text, words, run.first))
        && !neighbour_is_caps(word_after(text, words, run.last))
}

/// Returns the index of the word before `words[index]` in the same sentence.
fn word_before(text: &str, words: &[Word<'_>], index: usize) -> Option<usize> {
    let previous = index.checked_sub(1)?;
    same_sentence(gap(text, &words[previous], &words[index])).then_some(previous)
}

/// Returns the index of the word after `words[index]` in the same sentence.
fn word_after(text: &str, words: &[Word<'_>], index: usize) -> Option<usize> {
    let next = words.get(index + 1)?;
    same_sentence(gap(text, &words[index], next)).then_some(index + 1)
}

fn same_sentence(gap: &str) -> bool {
    !gap.contains(['.', '!', '?', '\n', ':', ';'])
}

/// Marks as a person each unclassified run joined by "and" to a person ("Caroline and Melanie").
fn spread_person_over_and(
    text: &str,
    words: &[Word<'_>],
    runs: &[Run],
    kinds: &mut [Option<EntityKind>],
) {
    for pair in 0..runs.len().saturating_sub(1) {
        let (left, right) = (&runs[pair], &runs[pair + 1]);
        let joined = right.honorific.is_none()
            && right.first == left.last + 2
            && words[left.last + 1].text == "and"
            && is_plain_space(gap(text, &words[left.last], &words[left.last + 1]))
            && is_plain_space(gap(text, &words[left.last + 1], &words[right.first]));
        let person = Some(EntityKind::Person);
        if joined && (kinds[pair] == person || kinds[pair + 1] == person) {
            for kind in &mut kinds[pair..=pair + 1] {
                kind.get_or_insert(EntityKind::Person);
            }
        }
    }
}

/// Builds the candidate for a run. The value drops a possessive `'s` and writes an honorific
/// without its period, as in "Dr Smith".
fn run_candidate(text: &str, words: &[Word<'_>], run: &Run, kind: EntityKind) -> Candidate {
    let last = &words[run.last];
    let last_len = possessive_base(last.text).unwrap_or(last.text).len();
    let end = last.start + last_len;
    let name = &text[words[run.first].start..end];
    let (start, value) = match run.honorific {
        Some(index) => (words[index].start, format!("{} {name}", words[index].text)),
        None => (words[run.first].start, name.to_owned()),
    };
    Candidate {
        start,
        end,
        kind,
        value,
    }
}
