//! Password hashing (placeholder until the user-auth group lands).
