#!/usr/bin/env node
// A test-only HTTP server on 127.0.0.1 for the alternate test stack:
//
// - POST /v1/embeddings: an OpenAI-compatible embeddings endpoint with deterministic
//   vectors (see embedding.mjs). When FAKE_OPENAI_API_KEY is set, requests must send
//   `Authorization: Bearer <that key>`.
// - GET /requests: the embeddings requests served so far, as `{model, inputs}` (the number
//   of texts, never the texts).
// - PUT /vectorize/snapshot, GET /vectorize/snapshot: the last contents of the fake
//   Vectorize index, which the fake Worker PUTs after every write.
// - GET /health: 200 once the server is ready.
//
// Usage: node tests/fakes/server.mjs [--port N]   (default 0: any free port)
// Prints `listening on http://127.0.0.1:<port>` when ready.

import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { DEFAULT_DIMENSIONS, hashedEmbedding, words } from "./embedding.mjs";

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const { values: args } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const apiKey = process.env.FAKE_OPENAI_API_KEY || undefined;

const embeddingRequests = [];
let vectorizeSnapshot = { vectors: [] };

function sendJson(response, status, body) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Sends an error in the OpenAI error format. */
function sendOpenAiError(response, status, message, type = "invalid_request_error") {
  sendJson(response, status, { error: { message, type, param: null, code: null } });
}

async function readJson(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function createEmbeddings(request, response) {
  if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
    sendOpenAiError(response, 401, "Incorrect API key provided.", "invalid_api_key");
    return;
  }
  let body;
  try {
    body = await readJson(request);
  } catch (error) {
    sendOpenAiError(response, 400, `invalid JSON body: ${error.message}`);
    return;
  }
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  if (typeof body.model !== "string" || body.model === "") {
    sendOpenAiError(response, 400, "model is required");
    return;
  }
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === "string")) {
    sendOpenAiError(response, 400, "input must be a string or a non-empty array of strings");
    return;
  }
  const dimensions = Number.isInteger(body.dimensions) ? body.dimensions : DEFAULT_DIMENSIONS;
  embeddingRequests.push({ model: body.model, inputs: inputs.length });
  const tokens = inputs.reduce((total, text) => total + words(text).length, 0);
  sendJson(response, 200, {
    object: "list",
    data: inputs.map((text, index) => ({ object: "embedding", index, embedding: hashedEmbedding(text, dimensions) })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

async function route(request, response) {
  const path = new URL(request.url, "http://127.0.0.1").pathname;
  const key = `${request.method} ${path}`;
  switch (key) {
    case "POST /v1/embeddings":
      return createEmbeddings(request, response);
    case "GET /requests":
      return sendJson(response, 200, { requests: embeddingRequests });
    case "PUT /vectorize/snapshot":
      vectorizeSnapshot = await readJson(request);
      return sendJson(response, 200, { ok: true });
    case "GET /vectorize/snapshot":
      return sendJson(response, 200, vectorizeSnapshot);
    case "GET /health":
      return sendJson(response, 200, { ok: true });
    default:
      return sendJson(response, 404, { error: `no route for ${key}` });
  }
}

const server = createServer((request, response) => {
  route(request, response).catch((error) => {
    console.error(`${request.method} ${request.url} failed: ${error.message}`);
    if (!response.headersSent) sendJson(response, 500, { error: error.message });
  });
});

server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Keep-alive connections from workerd would otherwise hold `close` open.
    server.closeAllConnections();
  });
}
