// Deterministic text embeddings for the test fakes: a feature-hashed bag of words.
//
// Each lower-cased word adds +1 or -1 to one dimension, both chosen by hashing the word,
// and the sum is scaled to unit length. Texts that share words get a clearly positive cosine
// similarity, and texts that share none get about zero unless their words collide in the
// hash, so search results are predictable without a model. Used by the Workers AI fake (in workerd) and the OpenAI-compatible fake
// server (in Node), so it imports nothing.

/** The output dimensions of the fake OpenAI-compatible model. */
export const DEFAULT_DIMENSIONS = 384;

const encoder = new TextEncoder();

/** Returns the 32-bit FNV-1a hash of the UTF-8 bytes of `text`. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Splits text into lower-case words of letters and digits. */
export function words(text) {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Embeds `text` as a unit vector of `dimensions` numbers. A text without words embeds as
 * the zero vector.
 */
export function hashedEmbedding(text, dimensions = DEFAULT_DIMENSIONS) {
  const vector = new Array(dimensions).fill(0);
  for (const word of words(text)) {
    const position = fnv1a(word) % dimensions;
    const sign = fnv1a(`sign:${word}`) & 1 ? 1 : -1;
    vector[position] += sign;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

/** Returns the cosine similarity of two vectors of one length, or 0 if either is zero. */
export function cosineSimilarity(a, b) {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
