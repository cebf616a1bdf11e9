// Checks that the fakes behave like the services they replace. Run: node --test tests/fakes/

import assert from "node:assert/strict";
import { test } from "node:test";

import { cosineSimilarity, hashedEmbedding } from "./embedding.mjs";
import { InMemoryVectorIndex } from "./vector-index.mjs";

const DIMENSIONS = 384;

function indexWith(vectors) {
  const index = new InMemoryVectorIndex({ dimensions: DIMENSIONS, metadataIndexes: ["model"] });
  index.upsert(vectors);
  return index;
}

function vector(id, text, namespace, model = "m1") {
  return { id, values: hashedEmbedding(text), namespace, metadata: { model } };
}

test("embedding is deterministic unit vector", () => {
  const first = hashedEmbedding("Lunch with Ana in Lisbon");
  assert.deepEqual(first, hashedEmbedding("lunch with ana in lisbon"));
  assert.equal(first.length, DIMENSIONS);
  assert.ok(Math.abs(Math.hypot(...first) - 1) < 1e-9);
});

test("embedding similarity follows shared words", () => {
  const memory = hashedEmbedding("Went hiking in the Alps with Sam");
  assert.ok(cosineSimilarity(memory, hashedEmbedding("hiking alps")) > 0.3);
  assert.ok(Math.abs(cosineSimilarity(memory, hashedEmbedding("quarterly tax invoice"))) < 0.3);
});

test("embedding without words is zero vector", () => {
  assert.ok(hashedEmbedding("!?").every((value) => value === 0));
});

test("query ranks by cosine similarity", () => {
  const index = indexWith([vector("a", "hiking in the alps", "u1"), vector("b", "tax invoice", "u1")]);
  const result = index.query(hashedEmbedding("alps hiking trip"), { topK: 2, namespace: "u1" });
  assert.deepEqual(result.matches.map((m) => m.id), ["a", "b"]);
  assert.ok(result.matches[0].score > result.matches[1].score);
  assert.equal(result.count, 2);
});

test("query stays inside namespace", () => {
  const index = indexWith([vector("a", "hiking", "u1"), vector("b", "hiking", "u2")]);
  const result = index.query(hashedEmbedding("hiking"), { namespace: "u2" });
  assert.deepEqual(result.matches.map((m) => m.id), ["b"]);
});

test("query filters on indexed metadata", () => {
  const index = indexWith([vector("a", "hiking", "u1", "m1"), vector("b", "hiking", "u1", "m2")]);
  const implicit = index.query(hashedEmbedding("hiking"), { filter: { model: "m2" } });
  const explicit = index.query(hashedEmbedding("hiking"), { filter: { model: { $ne: "m2" } } });
  assert.deepEqual(implicit.matches.map((m) => m.id), ["b"]);
  assert.deepEqual(explicit.matches.map((m) => m.id), ["a"]);
});

test("filter on unindexed property matches nothing", () => {
  const index = indexWith([{ ...vector("a", "hiking", "u1"), metadata: { model: "m1", kind: "note" } }]);
  const result = index.query(hashedEmbedding("hiking"), { filter: { kind: "note" } });
  assert.equal(result.count, 0);
});

test("query returns ids and scores only by default", () => {
  const index = indexWith([vector("a", "hiking", "u1")]);
  const [match] = index.query(hashedEmbedding("hiking"), {}).matches;
  assert.deepEqual(Object.keys(match).sort(), ["id", "score"]);
});

test("topK limit depends on returned fields", () => {
  const index = indexWith([vector("a", "hiking", "u1")]);
  const query = hashedEmbedding("hiking");
  assert.equal(index.query(query, { topK: 100 }).count, 1);
  assert.throws(() => index.query(query, { topK: 101 }), /topK/);
  assert.throws(() => index.query(query, { topK: 21, returnMetadata: "all" }), /topK/);
  assert.throws(() => index.query(query, { topK: 21, returnValues: true }), /topK/);
});

test("upsert rejects wrong dimensions", () => {
  const index = new InMemoryVectorIndex({ dimensions: DIMENSIONS });
  assert.throws(() => index.upsert([{ id: "a", values: [1, 0] }]), /expected 384 numbers/);
});

test("upsert replaces vector with same id", () => {
  const index = indexWith([vector("a", "hiking", "u1")]);
  index.upsert([vector("a", "tax invoice", "u1")]);
  const [match] = index.query(hashedEmbedding("tax invoice"), {}).matches;
  assert.ok(match.score > 0.99);
  assert.equal(index.describe().vectorCount, 1);
});

test("deleteByIds removes vectors", () => {
  const index = indexWith([vector("a", "hiking", "u1"), vector("b", "hiking", "u1")]);
  const mutation = index.deleteByIds(["a"]);
  assert.match(mutation.mutationId, /^mutation-/);
  assert.deepEqual(index.snapshot().map((v) => v.id), ["b"]);
  assert.deepEqual(index.getByIds(["a", "b"]).map((v) => v.id), ["b"]);
});

test("getByIds returns values namespace and metadata", () => {
  const index = indexWith([vector("a", "hiking", "u1"), vector("b", "tax invoice", "u2", "m0")]);
  const found = index.getByIds(["b", "missing", "a"]);
  assert.deepEqual(found.map((v) => v.id), ["b", "a"]);
  assert.equal(found[0].namespace, "u2");
  assert.deepEqual(found[0].metadata, { model: "m0" });
  assert.deepEqual(found[1].values, hashedEmbedding("hiking"));
});

test("getByIds returns copies", () => {
  const index = indexWith([vector("a", "hiking", "u1")]);
  index.getByIds(["a"])[0].values[0] = 99;
  assert.deepEqual(index.getByIds(["a"])[0].values, hashedEmbedding("hiking"));
});

test("getByIds rejects non-array", () => {
  const index = indexWith([vector("a", "hiking", "u1")]);
  assert.throws(() => index.getByIds("a"), /VECTOR_GET_ERROR/);
});
