//! The local language model: provisioning its file and caching its scores.

pub mod provision;
pub mod score_cache;
