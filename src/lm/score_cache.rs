//! A persistent cache of language-model results, one file per article, so re-auditing an
//! unchanged batch does no model work.
//!
//! A sentence's score depends on the article text before it, so results are cached per
//! article, keyed by everything that determines them: the model's SHA-256, the scorer's
//! version, its options, and the SHA-256 of the whole article text. Each entry is written
//! to a temporary file and renamed into place, so concurrent writers (threads or
//! processes) never leave a torn entry; an unreadable or mismatching entry is a miss.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// Why the score cache could not be found or written.
#[derive(Debug, thiserror::Error)]
pub enum ScoreCacheError {
    /// Neither `MTAUDIT_HOME` nor a platform cache directory says where the cache lives.
    #[error(
        "no cache directory is known on this platform: set {}",
        super::provision::HOME_ENV
    )]
    NoCacheDir,
    /// An entry's folder or file could not be created, written or renamed into place.
    #[error("cannot {action} score cache entry {}: {cause}", path.display())]
    Io {
        /// What was being done, as the message's verb phrase ("write", "create the folder
        /// of").
        action: &'static str,
        /// The entry's file.
        path: PathBuf,
        /// The operating system's error.
        cause: io::Error,
    },
    /// A value could not be turned into JSON for its entry.
    #[error("cannot serialise score cache entry {}: {cause}", path.display())]
    Serialize {
        /// The entry's file.
        path: PathBuf,
        /// The serialiser's error.
        cause: serde_json::Error,
    },
}

/// Everything a cached article result depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScoreKey {
    pub model_sha256: String,
    /// Changes whenever the scorer's output for the same input could change.
    pub scorer_version: String,
    /// The scorer's options that affect results (such as exact scoring), serialised by
    /// the caller in a fixed form.
    pub options: String,
    pub article_sha256: String,
}

impl ScoreKey {
    pub fn new(
        model_sha256: impl Into<String>,
        scorer_version: impl Into<String>,
        options: impl Into<String>,
        article_text: &str,
    ) -> Self {
        ScoreKey {
            model_sha256: model_sha256.into(),
            scorer_version: scorer_version.into(),
            options: options.into(),
            article_sha256: hex::encode(Sha256::digest(article_text.as_bytes())),
        }
    }

    /// A file-name-safe digest of all fields; each field is length-prefixed so that no
    /// two different keys can run together into the same bytes.
    fn digest(&self) -> String {
        let hasher = crate::digest::length_prefixed(&[
            &self.model_sha256,
            &self.scorer_version,
            &self.options,
            &self.article_sha256,
        ]);
        hex::encode(hasher.finalize())
    }
}

/// The file layout: the key is stored beside the value so that a read can confirm the
/// entry is the one asked for.
#[derive(Serialize)]
struct EntryRef<'a, T> {
    key: &'a ScoreKey,
    value: &'a T,
}

#[derive(Deserialize)]
struct Entry<T> {
    key: ScoreKey,
    value: T,
}

/// Cached per-article results of type `T`, in one directory.
#[derive(Debug, Clone)]
pub struct ScoreCache<T> {
    dir: PathBuf,
    value_type: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> ScoreCache<T> {
    /// A cache in `dir` (created on the first write).
    pub(crate) fn new(dir: impl Into<PathBuf>) -> Self {
        ScoreCache {
            dir: dir.into(),
            value_type: PhantomData,
        }
    }

    /// The cache under `$MTAUDIT_HOME/scores`, else the platform cache directory.
    pub fn from_env() -> Result<Self, ScoreCacheError> {
        let root = super::provision::data_root().ok_or(ScoreCacheError::NoCacheDir)?;
        Ok(Self::new(root.join("scores")))
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding `key`'s entry (spread over 256 subfolders to keep folders small).
    fn entry_path(&self, key: &ScoreKey) -> PathBuf {
        let digest = key.digest();
        self.dir.join(&digest[..2]).join(format!("{digest}.json"))
    }

    /// The cached value for `key`; `None` if absent, unreadable, corrupt or written for
    /// another key.
    pub(crate) fn get(&self, key: &ScoreKey) -> Option<T> {
        let file = File::open(self.entry_path(key)).ok()?;
        let entry: Entry<T> = serde_json::from_reader(BufReader::new(file)).ok()?;
        (entry.key == *key).then_some(entry.value)
    }

    /// Stores `value` for `key`, replacing any earlier entry atomically.
    pub(crate) fn put(&self, key: &ScoreKey, value: &T) -> Result<(), ScoreCacheError> {
        let path = self.entry_path(key);
        let folder = path.parent().unwrap_or(&self.dir);
        let io_error = |action, cause| ScoreCacheError::Io {
            action,
            path: path.clone(),
            cause,
        };
        fs::create_dir_all(folder).map_err(|e| io_error("create the folder of", e))?;
        let temp = tempfile::Builder::new()
            .prefix(".entry.")
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|e| io_error("create a temporary file for", e))?;
        let mut writer = BufWriter::new(temp.as_file());
        serde_json::to_writer(&mut writer, &EntryRef { key, value }).map_err(|cause| {
            ScoreCacheError::Serialize {
                path: path.clone(),
                cause,
            }
        })?;
        writer.flush().map_err(|e| io_error("write", e))?;
        drop(writer);
        // Rename replaces atomically: readers see the old entry or the new one, never a mix.
        temp.persist(&path)
            .map_err(|e| io_error("store", e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct ArticleScores {
        sentence_logprobs: Vec<f32>,
        note: String,
    }

    fn scores(seed: f32) -> ArticleScores {
        ArticleScores {
            sentence_logprobs: vec![-1.5 * seed, -0.25, -7.0],
            note: format!("seed {seed}"),
        }
    }

    /// A cache in a fresh temporary directory, which lives as long as the returned guard.
    fn temp_cache() -> (tempfile::TempDir, ScoreCache<ArticleScores>) {
        let dir = tempfile::tempdir().unwrap();
        let cache = ScoreCache::new(dir.path());
        (dir, cache)
    }

    fn key(article: &str) -> ScoreKey {
        ScoreKey::new("a5fd3b62", "scorer-1", "exact=false", article)
    }

    #[test]
    fn stored_value_comes_back() {
        let (_dir, cache) = temp_cache();
        let k = key("Der Hund bellt. Die Katze schläft.");
        assert_eq!(cache.get(&k), None);
        cache.put(&k, &scores(1.0)).unwrap();
        assert_eq!(cache.get(&k), Some(scores(1.0)));
        cache.put(&k, &scores(2.0)).unwrap();
        assert_eq!(cache.get(&k), Some(scores(2.0)));
    }

    #[test]
    fn every_key_field_separates_entries() {
        let (_dir, cache) = temp_cache();
        let base = key("Ein Satz.");
        cache.put(&base, &scores(1.0)).unwrap();
        let variants = [
            ScoreKey::new("other-model", "scorer-1", "exact=false", "Ein Satz."),
            ScoreKey::new("a5fd3b62", "scorer-2", "exact=false", "Ein Satz."),
            ScoreKey::new("a5fd3b62", "scorer-1", "exact=true", "Ein Satz."),
            key("Ein Satz!"),
            // Moving a boundary between fields must not produce the same key.
            ScoreKey::new("a5fd3b62s", "corer-1", "exact=false", "Ein Satz."),
        ];
        for variant in &variants {
            assert_ne!(
                cache.entry_path(variant),
                cache.entry_path(&base),
                "{variant:?}"
            );
            assert_eq!(cache.get(variant), None, "{variant:?}");
        }
    }

    #[test]
    fn corrupt_or_foreign_entries_are_misses() {
        let (dir, cache) = temp_cache();
        let k = key("Text.");
        cache.put(&k, &scores(1.0)).unwrap();
        let path = cache.entry_path(&k);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert_eq!(cache.get(&k), None);

        // An intact entry for another key, found at this key's path.
        let other = key("Anderer Text.");
        cache.put(&other, &scores(3.0)).unwrap();
        fs::copy(cache.entry_path(&other), &path).unwrap();
        assert_eq!(cache.get(&k), None);

        // Another value type under the same key is a miss, not an error.
        let as_numbers: ScoreCache<Vec<u32>> = ScoreCache::new(dir.path());
        assert_eq!(as_numbers.get(&other), None);
    }

    #[test]
    fn concurrent_writers_leave_whole_entries() {
        let (dir, cache) = temp_cache();
        let shared = key("Gemeinsamer Artikel.");
        std::thread::scope(|scope| {
            for thread in 0..8 {
                let cache = &cache;
                let shared = &shared;
                scope.spawn(move || {
                    for round in 0..25 {
                        let value = scores(thread as f32);
                        cache.put(shared, &value).unwrap();
                        let own = key(&format!("Artikel {thread} {round}"));
                        cache.put(&own, &value).unwrap();
                        assert_eq!(cache.get(&own), Some(value));
                        // Whatever is there is some writer's whole value.
                        let seen = cache
                            .get(shared)
                            .expect("an entry is always present once written");
                        assert!((0..8).any(|t| seen == scores(t as f32)));
                    }
                });
            }
        });
        let leftovers: Vec<_> = walk(dir.path())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}
