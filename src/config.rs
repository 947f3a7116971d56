//! `mtaudit.toml`: thresholds, per-check switches and severities, allow-lists and extra
//! boilerplate patterns. Found from the working directory upward, or given explicitly.
//! Unknown keys are errors, never silently ignored.

use crate::checks::CheckSettings;
use crate::data::{CheckId, GatePolicy, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The settings file's name, looked for by [`Config::discover`].
const FILE_NAME: &str = "mtaudit.toml";

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {cause}")]
    Read {
        /// The settings file.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// The file is not valid TOML, has unknown keys, or holds a value it cannot use (an
    /// unknown check, a threshold out of range, a pattern that is not a regular expression).
    #[error("{path}: {message}")]
    Invalid {
        /// The settings file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// The contents of `mtaudit.toml`, as written; [`Config::resolve`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    gate: GatePolicy,
    /// Per-check settings, keyed by check id (`[checks.repetition]`).
    #[serde(default)]
    checks: BTreeMap<String, CheckConfig>,
    #[serde(default)]
    allow: AllowLists,
    #[serde(default)]
    boilerplate: BoilerplateConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckConfig {
    /// `false` turns the check off.
    pub enabled: Option<bool>,
    /// Replaces the severity of every finding of this check.
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllowLists {
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoilerplateConfig {
    /// Regular expressions; a sentence matching one is boilerplate.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Settings resolved from a [`Config`], ready for the pipeline.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The gate's thresholds (the command line may still change them).
    pub gate_policy: GatePolicy,
    pub(crate) disabled: Vec<CheckId>,
    pub(crate) severity_overrides: BTreeMap<CheckId, Severity>,
    pub(crate) check_settings: CheckSettings,
}

impl Config {
    /// Parses and checks settings; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.resolve(path)?;
        Ok(config)
    }

    /// Reads, parses and checks the settings file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
            path: path.to_path_buf(),
            cause,
        })?;
        Config::parse(&text, path)
    }

    /// The nearest `mtaudit.toml` in `start` or one of its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Validates check ids, severities, thresholds and patterns; `path` names the file in errors.
    pub fn resolve(&self, path: &Path) -> Result<Resolved, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut resolved = Resolved {
            gate_policy: self.gate,
            ..Resolved::default()
        };
        self.gate
            .validate()
            .map_err(|e| invalid(format!("[gate]: {e}")))?;
        for (name, check) in &self.checks {
            let id: CheckId = name.parse().map_err(|_| {
                let known: Vec<_> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
                invalid(format!(
                    "unknown check [checks.{name}]; known checks: {}",
                    known.join(", ")
                ))
            })?;
            if check.enabled == Some(false) {
                resolved.disabled.push(id);
            }
            if let Some(severity) = check.severity {
                resolved.severity_overrides.insert(id, severity);
            }
        }
        resolved.check_settings.allowed_names = self.allow.names.clone();
        resolved.check_settings.allowed_terms = self.allow.terms.clone();
        for pattern in &self.boilerplate.patterns {
            let regex = regex::Regex::new(pattern).map_err(|e| {
                invalid(format!(
                    "boilerplate pattern {pattern:?} is not a valid regular expression: {e}"
                ))
            })?;
            resolved.check_settings.extra_boilerplate.push(regex);
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("mtaudit.toml"))
    }

    #[test]
    fn full_config_resolves() {
        let config = parse(
            r#"
            [gate]
            fail_under = 80
            max_broken_ratio = 0.1
            fail_on_critical = false
            max_needs_editor = 0.75
            [checks.repetition]
            severity = "critical"
            [checks.document-stats]
            enabled = false
            [allow]
            names = ["Witkoff"]
            terms = ["Homeoffice"]
            [boilerplate]
            patterns = ["^Lesen Sie auch"]
            "#,
        )
        .unwrap();
        let r = config.resolve(Path::new("mtaudit.toml")).unwrap();
        assert_eq!(r.gate_policy.fail_under, Some(80.0));
        assert!(!r.gate_policy.fail_on_critical);
        assert_eq!(r.gate_policy.max_needs_editor, 0.75);
        let defaults = parse("[gate]\nfail_under = 80\n").unwrap();
        assert_eq!(
            defaults.gate,
            crate::data::GatePolicy {
                fail_under: Some(80.0),
                ..Default::default()
            },
            "unset keys keep the default policy"
        );
        assert_eq!(r.disabled, [CheckId::DocumentStats]);
        assert_eq!(
            r.severity_overrides[&CheckId::Repetition],
            Severity::Critical
        );
        assert!(r.check_settings.is_allowed("witkoff"));
        assert!(r.check_settings.extra_boilerplate[0].is_match("Lesen Sie auch: mehr"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let err = parse("[gate]\nfail_below = 3\n").unwrap_err().to_string();
        assert!(
            err.starts_with("mtaudit.toml: ") && err.contains("fail_below"),
            "{err}"
        );
        let err = parse("[checks.spelling]\nenabled = false\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown check [checks.spelling]"), "{err}");
        assert!(parse("[checks.repetition]\nseverity = \"huge\"\n").is_err());
        assert!(parse("[gate]\nfail_under = 120\n").is_err());
        assert!(parse("[gate]\nmax_needs_editor = 2\n").is_err());
        assert!(parse("[gate]\nfail_on_critical = \"no\"\n").is_err());
        assert!(parse("[boilerplate]\npatterns = [\"(\"]\n").is_err());
        assert!(parse("colour = true\n").is_err());
    }

    #[test]
    fn discovered_from_working_directory_upward() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(Config::discover(&nested), None);
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(Config::discover(&nested), Some(dir.path().join(FILE_NAME)));
    }
}
