#!/usr/bin/env bash
# What the grammar evidence costs: `mtaudit audit` of the five sample articles with and
# without it (`[checks.grammar] enabled = false`), alternating, each run with an empty
# score cache and a fresh report folder, so both sides score every token. Prints wall time
# and peak RSS per run and the ratio of the mean times.
#
#   MTAUDIT_MODEL=path/to/gemma-3-270m-q4_k_m.gguf bash benches/grammar_cost.sh [ROUNDS]
#
# Needs a release build (cargo build --release) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${MTAUDIT_MODEL:?set MTAUDIT_MODEL to the model file}"
rounds="${1:-3}"
bin=target/release/mtaudit
samples=tests/fixtures/samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '[checks.grammar]\nenabled = false\n' > "$work/without.toml"

declare -A total=([without]=0 [with]=0)
for round in $(seq "$rounds"); do
  for mode in without with; do
    config=()
    [ "$mode" = without ] && config=(--config "$work/without.toml")
    rm -rf "$work/home" "$work/out"
    # Exit status 1 only means some samples failed the gate.
    MTAUDIT_HOME="$work/home" /usr/bin/time -f "%e %M" -o "$work/time" \
      "$bin" audit "$samples" "${config[@]}" --quiet --format json --out "$work/out" >/dev/null || [ $? -eq 1 ]
    # GNU time puts "Command exited with non-zero status 1" before its own line.
    read -r seconds kb < <(tail -n 1 "$work/time")
    printf '%-7s round %d: %6.1f s, peak RSS %4d MB\n' "$mode" "$round" "$seconds" $((kb / 1024))
    total[$mode]=$(awk -v a="${total[$mode]}" -v b="$seconds" 'BEGIN { print a + b }')
  done
done
awk -v w="${total[with]}" -v o="${total[without]}" -v n="$rounds" \
  'BEGIN { printf "with / without: %.2f (mean of %d rounds each)\n", w / o, n }'
