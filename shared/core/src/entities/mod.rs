//! Entity extraction at ingest: emails, phone numbers, URLs, amounts of money, dates and
//! capitalised names found in a memory's text. Extraction is deterministic and offline, so the
//! same text and event time always give the same entities, and it uses hand-written scanners
//! instead of regular expressions to keep the wasm binary small.

pub mod extract;

mod dates;
mod lexicon;
mod money;
mod names;
mod patterns;
mod words;

#[cfg(test)]
mod tests;
