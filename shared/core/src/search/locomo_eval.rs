//! Retrieval quality on LoCoMo conversations, in process: the same import and scoring as
//! `scripts/bench_locomo.py`, without the Workers runtime, for quick tuning of the ranking.
//! Ignored by default; run with
//! `cargo test -p botmem-core --release --features builtin-embedder locomo -- --ignored --nocapture`.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::embed::builtin_embedder;
use crate::testing::{call, register, test_app};
use crate::{Group, Method};

const LOCOMO_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/locomo/locomo-dev.json"
);

type Key = (String, String);

fn turns(sample: &Value) -> Vec<(Value, Key)> {
    let conversation = &sample["conversation"];
    let id = sample["sample_id"].as_str().unwrap_or_default().to_owned();
    let mut out = Vec::new();
    for number in 1..=64 {
        let Some(session) = conversation[format!("session_{number}")].as_array() else {
            continue;
        };
        for turn in session {
            let mut text = format!(
                "{}: {}",
                turn["speaker"].as_str().unwrap_or(""),
                turn["text"].as_str().unwrap_or("")
            );
            if let Some(caption) = turn["blip_caption"].as_str() {
                text.push_str(&format!(" [image: {caption}]"));
            }
            let dia = turn["dia_id"].as_str().unwrap_or_default().to_owned();
            out.push((
                json!({ "text": text, "sourceType": "message" }),
                (id.clone(), dia),
            ));
        }
    }
    out
}

fn evidence(sample_id: &str, question: &Value) -> HashSet<Key> {
    let mut keys = HashSet::new();
    for item in question["evidence"].as_array().into_iter().flatten() {
        for part in item.as_str().unwrap_or("").split([';', ',', ' ']) {
            if part.starts_with('D') && part.contains(':') {
                keys.insert((sample_id.to_owned(), part.trim().to_owned()));
            }
        }
    }
    keys
}

#[test]
#[ignore = "reads the LoCoMo data set; a tuning tool, not a check"]
fn locomo_retrieval_quality() {
    let samples: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(LOCOMO_PATH).expect("LoCoMo data"))
            .expect("json");
    let app = test_app(Some(builtin_embedder().expect("model")));
    let token = register(&app, "eval@example.com");
    let mut keys_of: HashMap<String, HashSet<Key>> = HashMap::new();
    for sample in &samples {
        for (body, key) in turns(sample) {
            let (status, memory) = call(
                &app,
                Group::Memories,
                Method::Post,
                "/api/memories",
                Some(&token),
                Some(body),
            );
            assert!(status < 300, "{memory}");
            keys_of
                .entry(memory["id"].as_str().unwrap_or_default().to_owned())
                .or_default()
                .insert(key);
        }
    }
    let (mut r5, mut r10, mut mrr, mut n) = (0.0, 0.0, 0.0, 0.0);
    for sample in &samples {
        let id = sample["sample_id"].as_str().unwrap_or_default();
        for question in sample["qa"].as_array().into_iter().flatten() {
            let category = question["category"].as_i64().unwrap_or(0);
            let relevant = evidence(id, question);
            if !(1..=4).contains(&category) || relevant.is_empty() {
                continue;
            }
            let body = json!({ "query": question["question"], "limit": 10 });
            let (_, result) = call(
                &app,
                Group::Memories,
                Method::Post,
                "/api/memories/search",
                Some(&token),
                Some(body),
            );
            let ranked: Vec<HashSet<Key>> = result["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| {
                    keys_of
                        .get(item["id"].as_str().unwrap_or(""))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            let recall = |k: usize| {
                let found: HashSet<&Key> = ranked.iter().take(k).flatten().collect();
                relevant.iter().filter(|key| found.contains(key)).count() as f64
                    / relevant.len() as f64
            };
            r5 += recall(5);
            r10 += recall(10);
            mrr += ranked
                .iter()
                .position(|keys| !keys.is_disjoint(&relevant))
                .map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
            n += 1.0;
        }
    }
    println!(
        "questions {n} recall@5 {:.4} recall@10 {:.4} mrr {:.4}",
        r5 / n,
        r10 / n,
        mrr / n
    );
}
