//! mtaudit: audits machine-translated news articles.
//!
//! The pipeline reads articles ([`input`]), splits them into sentences ([`segment`]),
//! identifies their language ([`langid`]), collects evidence from string heuristics
//! ([`checks`]) and a local language model ([`lm`]), turns it into verdicts and scores
//! ([`scoring`]), writes reports ([`report`]) and applies the threshold gate ([`gate`]).

pub(crate) mod agreement;
pub mod audit;
pub mod checks;
pub mod config;
pub mod data;
mod digest;
pub mod eval;
pub mod gate;
pub mod input;
pub mod langid;
pub mod lexicon;
pub mod lm;
pub mod report;
pub mod scoring;
pub mod segment;
pub mod serve;
pub(crate) mod variants;
