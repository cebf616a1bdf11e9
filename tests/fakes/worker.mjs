// A test-only Worker that replaces the bindings `wrangler dev` cannot run locally.
// Another Worker binds an entrypoint through `[[services]]` with `entrypoint` and calls it
// over RPC with the same methods as the real binding:
//
// - `FakeVectorize` for a Vectorize index (`VECTORS`), kept in this isolate's memory;
// - `FakeWorkersAi` for Workers AI (`AI`), with the BGE text embedding models.
//
// Settings (vars of this Worker):
// - FAKE_VECTORIZE_DIMENSIONS: the index's vector length (default 384);
// - FAKE_VECTORIZE_METADATA_INDEXES: comma-separated metadata properties a filter may use;
// - FAKE_VECTORIZE_MIRROR_URL: when set, every write PUTs the index's contents (without
//   values) as JSON to this URL, so tests outside the stack can inspect the index.

import { WorkerEntrypoint } from "cloudflare:workers";

import { hashedEmbedding } from "./embedding.mjs";
import { InMemoryVectorIndex } from "./vector-index.mjs";

/** The index, shared by every RPC call this isolate serves. */
let vectorIndex;

function indexFor(env) {
  vectorIndex ??= new InMemoryVectorIndex({
    dimensions: Number(env.FAKE_VECTORIZE_DIMENSIONS ?? 384),
    metadataIndexes: (env.FAKE_VECTORIZE_METADATA_INDEXES ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  });
  return vectorIndex;
}

export class FakeVectorize extends WorkerEntrypoint {
  async upsert(vectors) {
    const mutation = indexFor(this.env).upsert(vectors);
    await this.#mirror();
    return mutation;
  }

  async query(vector, options) {
    return indexFor(this.env).query(vector, options);
  }

  async deleteByIds(ids) {
    const mutation = indexFor(this.env).deleteByIds(ids);
    await this.#mirror();
    return mutation;
  }

  async getByIds(ids) {
    return indexFor(this.env).getByIds(ids);
  }

  async describe() {
    return indexFor(this.env).describe();
  }

  /** Sends the index's contents to FAKE_VECTORIZE_MIRROR_URL before the write returns. */
  async #mirror() {
    const url = this.env.FAKE_VECTORIZE_MIRROR_URL;
    if (!url) return;
    const response = await fetch(url, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vectors: indexFor(this.env).snapshot() }),
    });
    if (!response.ok) {
      throw new Error(`mirroring the fake index to ${url} failed with status ${response.status}`);
    }
  }
}

/** Output dimensions of the Workers AI text embedding models this fake serves. */
const EMBEDDING_MODELS = {
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-large-en-v1.5": 1024,
};

/** The `text` array limit of the BGE models' input schema. */
const MAX_TEXTS = 100;

export class FakeWorkersAi extends WorkerEntrypoint {
  /** Embeds `inputs.text` (a string or up to 100 strings) as `{ shape, data, pooling }`. */
  async run(model, inputs) {
    const dimensions = EMBEDDING_MODELS[model];
    if (dimensions === undefined) {
      throw new Error(`AiError: no such model ${model} in this fake; use one of ${Object.keys(EMBEDDING_MODELS).join(", ")}`);
    }
    const texts = typeof inputs?.text === "string" ? [inputs.text] : inputs?.text;
    const valid =
      Array.isArray(texts) &&
      texts.length >= 1 &&
      texts.length <= MAX_TEXTS &&
      texts.every((text) => typeof text === "string" && text.length > 0);
    if (!valid) {
      throw new Error(`AiError: text must be a non-empty string or 1 to ${MAX_TEXTS} non-empty strings`);
    }
    const data = texts.map((text) => hashedEmbedding(text, dimensions));
    return { shape: [data.length, dimensions], data, pooling: "mean" };
  }
}

export default {
  async fetch() {
    return new Response("test fakes: bind the FakeVectorize or FakeWorkersAi entrypoint\n", { status: 404 });
  },
};
