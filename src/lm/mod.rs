//! The local language model: Gemma 3 270M from a GGUF file.

pub mod tokenizer;
