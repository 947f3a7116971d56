#!/usr/bin/env python3
"""Builds data/lexicon/<lang>.tsv: the most frequent words of each language with their
Zipf frequency, from the `wordfreq` package (pip install wordfreq==3.1.1).

The lists let the checks ask "is this a word of the article's language, or of another
one?" without shipping a dictionary. Run from the repository root:

    python3 scripts/build_lexicons.py
"""
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

LANGS = ["de", "it", "en", "fr", "es"]
SIZE = 40_000
OUT = Path("data/lexicon")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        lines = []
        for word in top_n_list(lang, SIZE, wordlist="best"):
            if any(c.isspace() for c in word):
                continue
            lines.append(f"{word}\t{zipf_frequency(word, lang, wordlist='best'):.2f}")
        (OUT / f"{lang}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(lang, len(lines))


if __name__ == "__main__":
    main()
