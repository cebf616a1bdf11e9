// An in-memory index with the semantics of the Vectorize Workers API (V2 indexes) that the
// test fakes need: `upsert`, `query`, `deleteByIds`, `getByIds` and `describe`, with
// namespaces, metadata filters and the cosine metric. Limits and rules follow Cloudflare's
// Vectorize documentation (developers.cloudflare.com/vectorize/). Ids and namespaces have
// at most 64 bytes. `topK` is at most 100, or 20 when values or metadata are returned. A
// filter only matches properties that have a metadata index.
//
// Unlike Vectorize, writes are visible to the next query at once; Vectorize applies them
// asynchronously, a few seconds later.

import { cosineSimilarity } from "./embedding.mjs";

const MAX_ID_BYTES = 64;
const MAX_NAMESPACE_BYTES = 64;
const MAX_TOP_K = 100;
const MAX_TOP_K_WITH_VALUES_OR_METADATA = 20;
const DEFAULT_TOP_K = 5;

const encoder = new TextEncoder();

function byteLength(text) {
  return encoder.encode(text).length;
}

function invalid(operation, message) {
  return new Error(`VECTOR_${operation}_ERROR: ${message}`);
}

/** Returns whether metadata `value` satisfies one filter clause, such as `{ $eq: "x" }`. */
function matchesClause(value, clause) {
  if (clause === null || typeof clause !== "object" || Array.isArray(clause)) {
    return value === clause;
  }
  return Object.entries(clause).every(([operator, operand]) => {
    switch (operator) {
      case "$eq":
        return value === operand;
      case "$ne":
        return value !== operand;
      case "$in":
        return operand.includes(value);
      case "$nin":
        return !operand.includes(value);
      default:
        throw invalid("QUERY", `unsupported filter operator ${operator}`);
    }
  });
}

export class InMemoryVectorIndex {
  /**
   * @param {object} options
   * @param {number} options.dimensions the fixed length of every vector
   * @param {string[]} options.metadataIndexes the metadata properties a filter may use
   */
  constructor({ dimensions, metadataIndexes = [] }) {
    this.dimensions = dimensions;
    this.metadataIndexes = new Set(metadataIndexes);
    this.vectors = new Map();
    this.mutations = 0;
  }

  /** Checks a vector's length and returns its values as plain numbers. */
  #values(operation, values) {
    const array = Array.from(values ?? []);
    if (array.length !== this.dimensions || array.some((v) => typeof v !== "number")) {
      throw invalid(operation, `expected ${this.dimensions} numbers, got ${array.length} values`);
    }
    return array;
  }

  #mutation() {
    this.mutations += 1;
    return { mutationId: `mutation-${this.mutations}` };
  }

  /** Inserts the vectors, replacing any stored under the same ids. */
  upsert(vectors) {
    if (!Array.isArray(vectors)) {
      throw invalid("UPSERT", "expected an array of vectors");
    }
    const checked = vectors.map((vector) => {
      const { id, namespace, metadata = {} } = vector;
      if (typeof id !== "string" || id === "" || byteLength(id) > MAX_ID_BYTES) {
        throw invalid("UPSERT", `invalid id ${JSON.stringify(id)}`);
      }
      if (namespace !== undefined && (typeof namespace !== "string" || byteLength(namespace) > MAX_NAMESPACE_BYTES)) {
        throw invalid("UPSERT", `invalid namespace ${JSON.stringify(namespace)}`);
      }
      return { id, namespace, metadata: { ...metadata }, values: this.#values("UPSERT", vector.values) };
    });
    for (const vector of checked) {
      this.vectors.set(vector.id, vector);
    }
    return this.#mutation();
  }

  /** Returns the `topK` vectors most similar to `vector`, in the namespace and filter. */
  query(vector, options = {}) {
    const query = this.#values("QUERY", vector);
    const { topK = DEFAULT_TOP_K, namespace, filter = {} } = options;
    const returnValues = options.returnValues === true;
    const returnMetadata = options.returnMetadata ?? "none";
    const withMetadata = returnMetadata === true || returnMetadata === "all" || returnMetadata === "indexed";
    const maxTopK = returnValues || withMetadata ? MAX_TOP_K_WITH_VALUES_OR_METADATA : MAX_TOP_K;
    if (!Number.isInteger(topK) || topK < 1 || topK > maxTopK) {
      throw invalid("QUERY", `topK must be an integer from 1 to ${maxTopK}, got ${topK}`);
    }

    const candidates = [...this.vectors.values()].filter(
      (stored) => (namespace === undefined || stored.namespace === namespace) && this.#matchesFilter(stored, filter),
    );
    const matches = candidates
      .map((stored) => ({ stored, score: cosineSimilarity(query, stored.values) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map(({ stored, score }) => {
        const match = { id: stored.id, score };
        if (returnValues) match.values = [...stored.values];
        if (withMetadata) match.metadata = this.#metadataFor(stored, returnMetadata);
        return match;
      });
    return { count: matches.length, matches };
  }

  /** A property without a metadata index matches no filter, as in Vectorize. */
  #matchesFilter(stored, filter) {
    return Object.entries(filter).every(
      ([property, clause]) => this.metadataIndexes.has(property) && matchesClause(stored.metadata[property], clause),
    );
  }

  #metadataFor(stored, level) {
    if (level !== "indexed") return { ...stored.metadata };
    return Object.fromEntries(Object.entries(stored.metadata).filter(([key]) => this.metadataIndexes.has(key)));
  }

  deleteByIds(ids) {
    if (!Array.isArray(ids)) {
      throw invalid("DELETE", "expected an array of ids");
    }
    for (const id of ids) {
      this.vectors.delete(id);
    }
    return this.#mutation();
  }

  /**
   * Returns the stored vectors with these ids, each with its values, namespace and metadata.
   * Like Vectorize, it takes no namespace, so it finds ids in every namespace, and it leaves
   * out unknown ids.
   */
  getByIds(ids) {
    if (!Array.isArray(ids)) {
      throw invalid("GET", "expected an array of ids");
    }
    return ids.filter((id) => this.vectors.has(id)).map((id) => structuredClone(this.vectors.get(id)));
  }

  describe() {
    return {
      dimensions: this.dimensions,
      vectorCount: this.vectors.size,
      processedUpToMutation: `mutation-${this.mutations}`,
      processedUpToDatetime: new Date().toISOString(),
    };
  }

  /** Returns every stored vector without its values, for tests to inspect. */
  snapshot() {
    return [...this.vectors.values()].map(({ id, namespace, metadata }) => ({ id, namespace, metadata }));
  }
}
