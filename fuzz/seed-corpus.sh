#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET/ with seed inputs made from the sample articles:
#
#   fuzz/seed-corpus.sh [SAMPLES_DIR]      (default: ../shared/samples next to the repository)
#
# Every target gets the articles themselves; the JSON Lines targets get them as records
# (one file per article and one with all of them), the gzip target those files gzipped
# (and one two-member stream). The corpus is git-ignored: fuzzing adds to it.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
samples="${1:-$fuzz/../../shared/samples}"
[ -d "$samples" ] || { echo "no samples folder $samples" >&2; exit 1; }
corpus="$fuzz/corpus"
shopt -s nullglob
articles=("$samples"/*.txt)
[ ${#articles[@]} -gt 0 ] || { echo "no *.txt articles in $samples" >&2; exit 1; }

for target in read_text segment audit html read_jsonl read_jsonl_gz; do
  mkdir -p "$corpus/$target"
done
for article in "${articles[@]}"; do
  name="$(basename "$article" .txt)"
  for target in read_text segment audit html; do
    cp "$article" "$corpus/$target/$name.txt"
  done
done

# JSON Lines: a record per article, with and without the optional fields.
python3 - "$corpus" "${articles[@]}" <<'PY'
import gzip, json, os, sys
corpus, articles = sys.argv[1], sys.argv[2:]
records = []
for i, path in enumerate(articles):
    name = os.path.splitext(os.path.basename(path))[0]
    text = open(path, encoding="utf-8").read()
    title = text.split("\n", 1)[0]
    record = {"id": name, "text": text, "title": title, "lang": "de"} if i % 2 == 0 \
        else {"id": i, "text": text}
    line = json.dumps(record, ensure_ascii=(i % 2 == 1)) + "\n"
    records.append(line)
    with open(os.path.join(corpus, "read_jsonl", name + ".jsonl"), "w", encoding="utf-8") as f:
        f.write(line)
    with gzip.open(os.path.join(corpus, "read_jsonl_gz", name + ".jsonl.gz"), "wt", encoding="utf-8") as f:
        f.write(line)
with open(os.path.join(corpus, "read_jsonl", "all.jsonl"), "w", encoding="utf-8") as f:
    f.write("".join(records) + "\n{\"text\": \"\"}\nnot json\n")
with open(os.path.join(corpus, "read_jsonl_gz", "two-members.jsonl.gz"), "wb") as f:
    f.write(gzip.compress(records[0].encode()) + gzip.compress(records[1].encode()))
PY
# A few hostile texts: markup, entities, multibyte and combining characters, CRLF.
hostile=(
  $'Titel <script>alert(1)</script>\nDer Satz endet hier.</p><p>Noch einer &amp; mehr.\n'
  $'\xef\xbb\xbfZeile eins.\r\nZeile zwei\u00a0\u2026 \u201eZitat\u201c.\r\n'
  $'Stra\u00dfe e\u0301 \U0001F1E9\U0001F1EA \u200b z. B. am 13. M\u00e4rz. Dr. A. B. sagte: \u00bbJa!\u00ab\n'
  $'Foto: dpa\nLesen Sie auch: Die Lage. Die Lage. Die Lage.\n\nDie Lage.\n'
)
for i in "${!hostile[@]}"; do
  for target in read_text segment audit html; do
    printf '%s' "${hostile[$i]}" > "$corpus/$target/hostile-$i.txt"
  done
done

echo "seeded $(find "$corpus" -type f | wc -l) files under $corpus"
