//! HTTP handlers, one module per route group: parse, authorise, call the stores, render.

pub mod agent;
pub mod api_keys;
pub mod contacts;
pub mod me;
pub mod memories;
pub mod memory_banks;
mod memory_graph;
mod memory_search;
pub mod user_auth;
pub mod version;

#[cfg(test)]
mod contacts_story;
#[cfg(test)]
mod memories_story;
