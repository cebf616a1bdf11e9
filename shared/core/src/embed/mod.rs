//! Embedders: the built-in static model and an OpenAI-compatible HTTP client.
