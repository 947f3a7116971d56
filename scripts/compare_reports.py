#!/usr/bin/env python3
"""Checks that a change leaves every report byte-identical: the five sample articles and
the first 200 articles of the development set, audited by two mtaudit binaries.

    python3 scripts/compare_reports.py write BINARY FOLDER   # reports of BINARY into FOLDER
    python3 scripts/compare_reports.py diff FOLDER_A FOLDER_B

`write` audits with the language model when it is provisioned (MTAUDIT_HOME or the
platform cache; the score cache there makes a second binary's run cheap, and only the
token surprisal and variant comparisons come from it: every feature, verdict, finding and
report is derived afresh) and also without it (`--no-lm`), in JSON and HTML. The dev
articles are written to `target/compare/dev200.jsonl`, one path for every run, since a
record's source names it. `diff` compares the two folders file by file; the tool version
and the run's elapsed time may differ. The fingerprints hash the tool's settings as it
describes them, so a change to that description changes them all: `diff` counts the files
that differ only in fingerprints apart, and fails on any other difference.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples"
DEV_ARTICLES = 200

# The dev articles exactly as the whole-run benchmark builds them.
sys.path.insert(0, str(REPO / "benches"))
from whole_run import DEFAULT_DEV_DOCS, dev_articles  # noqa: E402


def write(binary, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dev = REPO / "target" / "compare" / "dev200.jsonl"
    dev.parent.mkdir(parents=True, exist_ok=True)
    with open(dev, "w", encoding="utf-8") as f:
        for record in dev_articles(DEFAULT_DEV_DOCS, DEV_ARTICLES):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    for evidence, flags in (("lm", ["--offline"]), ("heuristics", ["--no-lm"])):
        out = folder / evidence
        cmd = [binary, "audit", str(SAMPLES), str(dev), "--out", str(out), "--format", "json",
               "--format", "html", "--quiet", *flags]
        code = subprocess.run(cmd).returncode
        if code not in (0, 1):
            sys.exit(f"compare_reports: {' '.join(cmd)} exited {code}")


VOLATILE = [
    (re.compile(rb'"(tool_version|elapsed_seconds)":\s*[^,}\n]+'), rb'"\1": _'),
    (re.compile(rb"mtaudit \d+\.\d+\.\d+[^ <\"]*"), b"mtaudit _"),
    (re.compile(rb"<dt>Time taken</dt><dd>[^<]*</dd>"), b"<dt>Time taken</dt><dd>_</dd>"),
]

FINGERPRINT = [
    (re.compile(rb'"fingerprint": "[0-9a-f]{64}"'), b'"fingerprint": _'),
    (re.compile(rb'data-fingerprint="[0-9a-f]{64}"'), b'data-fingerprint=_'),
]


def normalised(path, fingerprints=False):
    data = path.read_bytes()
    if path.name in ("summary.json", "index.html"):
        for pattern, replacement in VOLATILE:
            data = pattern.sub(replacement, data)
    if fingerprints:
        for pattern, replacement in FINGERPRINT:
            data = pattern.sub(replacement, data)
    return data


def diff(a, b):
    a, b = Path(a), Path(b)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        only = sorted(set(files_a) ^ set(files_b))
        sys.exit(f"compare_reports: the folders hold different files: {only[:10]}")
    differing = [p for p in files_a if normalised(a / p) != normalised(b / p)]
    beyond = [p for p in differing if normalised(a / p, True) != normalised(b / p, True)]
    for p in beyond[:20]:
        print(f"differs: {p}")
    print(f"{len(files_a)} files compared: {len(files_a) - len(differing)} identical, "
          f"{len(differing) - len(beyond)} differ in fingerprints only, {len(beyond)} differ otherwise")
    sys.exit(1 if beyond else 0)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
