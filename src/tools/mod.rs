//! The three calendar tools' domain: typed arguments, time handling, free slots, and the
//! compact answers the model reads.

pub mod answers;
pub mod args;
pub mod free_slots;
pub mod time;
