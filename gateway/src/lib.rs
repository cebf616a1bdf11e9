//! Gateway Worker (skeleton).
