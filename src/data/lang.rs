//! Natural languages, as the language identifier names them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A natural language, as identified by `whatlang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(whatlang::Lang);

impl Lang {
    /// German, the main use case.
    pub const GERMAN: Lang = Lang(whatlang::Lang::Deu);
    /// Italian.
    pub const ITALIAN: Lang = Lang(whatlang::Lang::Ita);
    /// English, the usual source language.
    pub const ENGLISH: Lang = Lang(whatlang::Lang::Eng);
    /// French.
    pub const FRENCH: Lang = Lang(whatlang::Lang::Fra);
    /// Spanish.
    pub const SPANISH: Lang = Lang(whatlang::Lang::Spa);

    /// ISO 639-1 code where one exists ("de"), else the ISO 639-3 code.
    pub fn code(self) -> &'static str {
        use whatlang::Lang as W;
        match self.0 {
            W::Deu => "de",
            W::Ita => "it",
            W::Eng => "en",
            W::Fra => "fr",
            W::Spa => "es",
            W::Por => "pt",
            W::Nld => "nl",
            W::Pol => "pl",
            W::Rus => "ru",
            W::Ukr => "uk",
            W::Tur => "tr",
            W::Swe => "sv",
            W::Dan => "da",
            W::Nob => "nb",
            W::Fin => "fi",
            W::Ces => "cs",
            W::Ron => "ro",
            W::Hun => "hu",
            W::Ell => "el",
            W::Cmn => "zh",
            W::Jpn => "ja",
            W::Ara => "ar",
            other => other.code(),
        }
    }

    /// English name of the language ("German").
    pub fn name(self) -> &'static str {
        self.0.eng_name()
    }
}

impl From<whatlang::Lang> for Lang {
    fn from(lang: whatlang::Lang) -> Self {
        Lang(lang)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code or name that names no language.
#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?} (use an ISO 639-1 or 639-3 code such as \"de\" or \"ita\")")]
pub struct UnknownLanguage(pub String);

impl FromStr for Lang {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        whatlang::Lang::all()
            .iter()
            .map(|&l| Lang(l))
            .find(|l| {
                l.code() == wanted || l.0.code() == wanted || l.name().eq_ignore_ascii_case(&wanted)
            })
            .ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
