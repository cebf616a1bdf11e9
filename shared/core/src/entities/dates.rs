//! Scanner for dates, resolved against the memory's event day (UTC) and returned as
//! `YYYY-MM-DD`.
//!
//! Rules, with the event day as "today":
//! - `2023-05-08`, `8 May 2023`, `8th of May, 2023`, `May 8, 2023` are that day. Without a year
//!   (`May 8`, `8 May`) the event's year is used. Month names must be capitalised, so the verb
//!   "may" is never a month.
//! - `today`, `tonight`, `this morning` are the event day; `yesterday` and `last night` the day
//!   before; `tomorrow` the day after.
//! - `last week`, `this week`, `next week` are the Monday of that week (weeks start on Monday).
//! - `last weekend`, `this weekend`, `next weekend` are the Saturday of that week.
//! - `last month`, `next month`, `last year`, ... are the first day of that month or year.
//! - `last Saturday` is the latest Saturday before the event day, and `next Friday` the first
//!   Friday after it. `this Friday` is the first Friday on or after the event day.
//! - `two days ago`, `3 weeks ago`, `in 3 days`, `in a month` count from the event day.
//!
//! NOTE: a weekday alone ("on Friday") and times of day ("at 5pm") are not resolved, because
//! the text rarely states whether the day is past or future. Numeric dates with slashes
//! (`05/08/2023`) are skipped because the day and month order is ambiguous.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::extract::{Candidate, EntityKind};
use super::words::{gap, is_plain_space, Word};

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];

/// Finds dates in `words` and resolves them against `event_day`.
pub(super) fn scan_dates(text: &str, words: &[Word<'_>], event_day: NaiveDate) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let matched = iso_date(&words[index])
            .map(|date| (1, date))
            .or_else(|| day_month(text, &words[index..], event_day))
            .or_else(|| month_day(text, &words[index..], event_day))
            .or_else(|| relative(text, &words[index..], event_day));
        let Some((count, date)) = matched else {
            index += 1;
            continue;
        };
        let (start, end) = (words[index].start, words[index + count - 1].end);
        let value = date.format("%Y-%m-%d").to_string();
        found.push(Candidate {
            start,
            end,
            kind: EntityKind::Date,
            value,
        });
        index += count;
    }
    found
}

fn iso_date(word: &Word<'_>) -> Option<NaiveDate> {
    let parts: Vec<&str> = word.text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Matches `8 May`, `8th of May` and either with a year: `8 May 2023`, `8 May, 2023`.
fn day_month(text: &str, words: &[Word<'_>], event_day: NaiveDate) -> Option<(usize, NaiveDate)> {
    let day = day_number(words.first()?)?;
    let mut next = 1;
    if words.get(next).is_some_and(|word| word.lower() == "of") {
        next += 1;
    }
    let month = month_number(words.get(next)?)?;
    if !is_plain_space(gap(text, &words[next - 1], &words[next])) {
        return None;
    }
    with_optional_year(text, words, next, month, day, event_day)
}

/// Matches `May 8`, `May 8th` and either with a year: `May 8, 2023`.
fn month_day(text: &str, words: &[Word<'_>], event_day: NaiveDate) -> Option<(usize, NaiveDate)> {
    let month = month_number(words.first()?)?;
    let day = day_number(words.get(1)?)?;
    if !is_plain_space(gap(text, &words[0], &words[1])) {
        return None;
    }
    with_optional_year(text, words, 1, month, day, event_day)
}

/// Reads a year after `words[last]` when one follows with only a comma or spaces between,
/// otherwise uses the event's year. Returns the number of words used and the date.
fn with_optional_year(
    text: &str,
    words: &[Word<'_>],
    last: usize,
    month: u32,
    day: u32,
    event_day: NaiveDate,
) -> Option<(usize, NaiveDate)> {
    let year = words.get(last + 1).filter(|word| {
        let between = gap(text, &words[last], word);
        let plain = between.trim_start_matches(',');
        word.text.len() == 4 && is_plain_space(plain)
    });
    match year.and_then(|word| word.text.parse::<i32>().ok()) {
        Some(year) => Some((last + 2, NaiveDate::from_ymd_opt(year, month, day)?)),
        None => Some((
            last + 1,
            NaiveDate::from_ymd_opt(event_day.year(), month, day)?,
        )),
    }
}

fn day_number(word: &Word<'_>) -> Option<u32> {
    let lower = word.lower();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower);
    let day: u32 = digits.parse().ok()?;
    (digits.len() <= 2 && (1..=31).contains(&day)).then_some(day)
}

/// Returns 1 to 12 for a capitalised full or three-letter month name (`Sept` is also accepted).
fn month_number(word: &Word<'_>) -> Option<u32> {
    let lower = word.lower();
    if !word.is_capitalised() || lower.len() < 3 {
        return None;
    }
    let position = MONTHS.iter().position(|month| lower.starts_with(month))?;
    let full = month_name(position);
    let is_name = lower == MONTHS[position] || lower == full || lower == "sept";
    is_name.then_some(position as u32 + 1)
}

fn month_name(index: usize) -> &'static str {
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][index]
}

/// Returns the weekday named by `word`, in any case.
pub(super) fn weekday(word: &str) -> Option<Weekday> {
    let names = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let index = names
        .iter()
        .position(|name| word.eq_ignore_ascii_case(name))?;
    Weekday::try_from(index as u8).ok()
}

/// Returns whether `word` names a month in full or by its three-letter abbreviation.
pub(super) fn is_month(word: &Word<'_>) -> bool {
    month_number(word).is_some()
}

/// Matches the relative phrases listed in the module documentation.
fn relative(text: &str, words: &[Word<'_>], event_day: NaiveDate) -> Option<(usize, NaiveDate)> {
    let first = words.first()?.lower();
    let second = words.get(1).map(Word::lower);
    let second_is_near = words
        .get(1)
        .is_some_and(|word| is_plain_space(gap(text, &words[0], word)));
    match first.as_str() {
        "today" | "tonight" => Some((1, event_day)),
        "yesterday" => Some((1, event_day.pred_opt()?)),
        "tomorrow" => Some((1, event_day.succ_opt()?)),
        "last" | "this" | "next" if second_is_near => {
            Some((2, shifted_period(&first, second.as_deref()?, event_day)?))
        }
        "in" => counted_offset(&words[1..], 1, event_day).map(|(count, date)| (count + 1, date)),
        _ => counted_offset(words, -1, event_day)
            .filter(|&(count, _)| words.get(count).is_some_and(|word| word.lower() == "ago"))
            .map(|(count, date)| (count + 1, date)),
    }
}

/// Resolves `last`, `this` or `next` followed by a period or weekday name.
fn shifted_period(modifier: &str, period: &str, event_day: NaiveDate) -> Option<NaiveDate> {
    let step: i64 = match modifier {
        "last" => -1,
        "next" => 1,
        _ => 0,
    };
    let monday = event_day - Days::new(u64::from(event_day.weekday().num_days_from_monday()));
    let date = match period {
        "night" if step == -1 => event_day.pred_opt()?,
        "morning" | "afternoon" | "evening" | "night" if step == 0 => event_day,
        "week" => add_days(monday, 7 * step)?,
        "weekend" => add_days(monday, 7 * step + 5)?,
        "month" => add_months(event_day.with_day(1)?, step)?,
        "year" => NaiveDate::from_ymd_opt(event_day.year() + step as i32, 1, 1)?,
        _ => return shifted_weekday(step, weekday(period)?, event_day),
    };
    Some(date)
}

fn shifted_weekday(step: i64, target: Weekday, event_day: NaiveDate) -> Option<NaiveDate> {
    let today = i64::from(event_day.weekday().num_days_from_monday());
    let target = i64::from(target.num_days_from_monday());
    let days = match step {
        -1 => -((today - target + 6).rem_euclid(7) + 1),
        1 => (target - today + 6).rem_euclid(7) + 1,
        _ => (target - today).rem_euclid(7),
    };
    add_days(event_day, days)
}

/// Matches `<number> <unit>` such as `two days` or `a week` and moves the event day by it in
/// `direction` (-1 or 1). Returns the number of words used and the date.
fn counted_offset(
    words: &[Word<'_>],
    direction: i64,
    event_day: NaiveDate,
) -> Option<(usize, NaiveDate)> {
    let number = words.first()?.lower();
    let count = match number.as_str() {
        "a" | "an" => 1,
        _ => match NUMBER_WORDS.iter().position(|word| *word == number) {
            Some(index) => index as i64 + 1,
            None => number.parse::<i64>().ok().filter(|count| *count <= 1000)?,
        },
    };
    let unit = words.get(1)?.lower();
    let amount = count * direction;
    let date = match unit.trim_end_matches('s') {
        "day" => add_days(event_day, amount)?,
        "week" => add_days(event_day, 7 * amount)?,
        "month" => add_months(event_day, amount)?,
        "year" => add_months(event_day, 12 * amount)?,
        _ => return None,
    };
    Some((2, date))
}

fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    let magnitude = Days::new(days.unsigned_abs());
    if days < 0 {
        date.checked_sub_days(magnitude)
    } else {
        date.checked_add_days(magnitude)
    }
}

fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months < 0 {
        date.checked_sub_months(magnitude)
    } else {
        date.checked_add_months(magnitude)
    }
}
