//! Measuring detection quality against labelled gold data (`mtaudit eval`).
//!
//! [`gold`] reads labelled sentences and articles, [`metrics`] holds the tie-aware metric
//! definitions, and [`report`] gathers them for a set of scored items, overall, per check
//! and per language. Scoring the items is the audit's job; nothing here runs a model.

pub mod gold;
pub mod metrics;
pub mod report;
