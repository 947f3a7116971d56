//! An article as read from the input, before any analysis.

use super::lang::Lang;

/// One article to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Names the article in reports and their file names: a path below the searched
    /// folder without extension, or a record's `id`.
    pub id: String,
    /// A path, `path:line` for a JSON Lines record, or `-` for standard input.
    pub source: String,
    /// The title a JSON Lines record gives, if any.
    pub title: Option<String>,
    /// The language the input declares, if any.
    pub lang: Option<Lang>,
    /// The text the audit's byte offsets refer to: UTF-8 without a leading BOM.
    pub text: String,
}
