#!/usr/bin/env python3
"""Whole-run benchmark: `mtaudit audit` end to end against llama.cpp on the same text.

What it measures
----------------
The articles are the five samples in `tests/fixtures/samples/*.txt` plus the first N
articles of the development set (`dev.docs.jsonl.gz` under `../shared/eval-gold/`, each
article its segments joined by newlines, the way `mtaudit eval` joins them).

* **mtaudit**, once per `--cpu-kernel` in `--kernels`: one `mtaudit audit ... --format
  json` process with an empty score cache (a fresh `MTAUDIT_HOME` whose `models/` links
  to the model) and `RAYON_NUM_THREADS=<threads>`. Tokens are counted from the per-token
  surprisal (`tokens`) of the JSON reports. Exit status 1 only means some articles
  failed the quality gate; 2 is an error.
* **llama.cpp** (through `llama-cpp-python`), in a separate worker process: the same
  GGUF with `logits_all=True`; each article is tokenised as BOS + text, evaluated in
  batches of 128, and every position's next-token surprisal is taken from the full
  logits (log-sum-exp over the whole vocabulary minus the target's logit). Tokens
  scored are the predictions, BOS excluded, as mtaudit counts them.

Per runner it reports wall time and peak RSS of the process (`wait4`), and tokens/s and
articles/s over the scoring phase: for mtaudit the batch time its `summary.json` gives
(`elapsed_seconds`: reading, auditing, writing reports; not process start and model
load), for llama.cpp the scoring loop (evaluation and log-softmax; model load is
reported apart as "load s"). For mtaudit "load s" is the process wall time outside the
batch. The ratios mtaudit(auto)/llama.cpp and mtaudit(auto)/mtaudit(avx2) compare
those scoring-phase tokens/s, all from one invocation. It also checks that both sides
scored the same tokens (count per article) and compares the mean surprisal.

"other CPU %" is the share of the machine's CPU time that other processes took while a
runner ran (from /proc/stat, less the runner's own time): anything above a few percent
means the timings are disturbed, llama.cpp's (OpenMP) most of all.

Caveats: mtaudit's default scoring normalises over a per-language shortlist of the
vocabulary (`--exact` would use the full one), while llama.cpp here computes and
normalises all 262,144 logits at every position. llama-cpp-python keeps the logits of
every position of the context (1 MiB per token), which dominates its peak RSS.

How to run
----------
From the repository root, after `cargo build --release`:

    pip install llama-cpp-python      # only for the llama.cpp runner (brings numpy)
    python3 benches/whole_run.py
    python3 benches/whole_run.py --dev-articles 5 --kernels auto --skip-llama   # quick

Options: --mtaudit PATH (default target/release/mtaudit), --model PATH (default
target/mtaudit-home/models/gemma-3-270m-q4_k_m.gguf), --dev-docs PATH,
--dev-articles N (200), --threads N (2), --kernels LIST (auto,avx2; any of auto,
avx512-vnni, avx-vnni, avx2, scalar), --skip-llama, --out PATH (target/whole-run.json).
Without `llama_cpp` importable the llama.cpp runner is skipped with a warning.
Everything but `llama_cpp` and numpy is the Python standard library.
"""

import argparse
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "fixtures" / "samples"
DEFAULT_MODEL = REPO / "target" / "mtaudit-home" / "models" / "gemma-3-270m-q4_k_m.gguf"
DEFAULT_DEV_DOCS = REPO.parent / "shared" / "eval-gold" / "dev.docs.jsonl.gz"
KERNELS = ("auto", "avx512-vnni", "avx-vnni", "avx2", "scalar")
LLAMA_BATCH = 128
# Rows of logits normalised at a time by one thread (a chunk is rows × 1 MiB of float32).
SOFTMAX_ROWS = 64
# Share of the machine's CPU time taken by other processes above which a run's timings
# are flagged as disturbed.
BUSY_SHARE = 0.05


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--mtaudit", type=Path, default=REPO / "target" / "release" / "mtaudit")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    p.add_argument("--dev-docs", type=Path, default=DEFAULT_DEV_DOCS)
    p.add_argument("--dev-articles", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--kernels", default="auto,avx2")
    p.add_argument("--skip-llama", action="store_true")
    p.add_argument("--out", type=Path, default=Path("target") / "whole-run.json")
    # The llama.cpp worker: score the articles of this JSON Lines file, write JSON here.
    p.add_argument("--llama-worker", nargs=2, metavar=("ARTICLES", "RESULT"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    unknown = [k for k in args.kernels if k not in KERNELS]
    if unknown:
        p.error(f"unknown kernel(s) {', '.join(unknown)}; expected {', '.join(KERNELS)}")
    return args


# ---------------------------------------------------------------------------- inputs


def read_sample(path):
    """A sample article as mtaudit reads a .txt file: UTF-8, a leading BOM dropped."""
    return {"id": path.stem, "text": path.read_bytes().decode("utf-8-sig")}


def dev_articles(path, n):
    """The first `n` distinct articles of the WMT documents file, segments joined by
    newlines (line breaks inside a segment become spaces, as in `mtaudit eval`)."""
    opener = gzip.open if path.suffix == ".gz" else open
    articles, seen = [], set()
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if len(articles) == n:
                break
            record = json.loads(line)
            if record["doc_key"] in seen:
                continue
            seen.add(record["doc_key"])
            text = "\n".join(
                s["text"].replace("\r", " ").replace("\n", " ") for s in record["segments"]
            )
            lang = record.get("lang", "de")
            articles.append({"id": record["doc_key"], "text": text, "lang": lang})
    if len(articles) < n:
        sys.exit(f"whole_run: {path} holds only {len(articles)} articles, {n} asked for")
    return articles


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------- measurement


def cpu_busy_s():
    """CPU seconds all cores of this machine have spent busy since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def run_measured(cmd, env, log):
    """Runs `cmd` with stdout and stderr to `log`. Returns a result with its exit code,
    wall time and peak RSS, and the share of the machine's CPU time that other processes
    took meanwhile (a disturbed measurement)."""
    with open(log, "wb") as out:
        busy = cpu_busy_s()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        others = cpu_busy_s() - busy - usage.ru_utime - usage.ru_stime
    return {"exit_code": os.waitstatus_to_exitcode(status), "wall_s": wall,
            "peak_rss_mib": usage.ru_maxrss / 1024,
            "other_cpu_share": max(0.0, others) / (wall * os.cpu_count())}


def log_tail(log, lines=8):
    return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])


def rates(result):
    """Adds tokens/s and articles/s over the scoring phase to a runner's result."""
    seconds = result["score_s"]
    result["tokens_per_s"] = result["tokens"] / seconds if seconds else None
    result["articles_per_s"] = result["articles"] / seconds if seconds else None
    return result


# -------------------------------------------------------------------------- mtaudit


def fresh_home(folder, model):
    """An MTAUDIT_HOME with an empty score cache and the model linked into models/."""
    models = folder / "models"
    models.mkdir(parents=True)
    (models / model.name).symlink_to(model.resolve())
    return folder


def read_reports(out_dir):
    """Per article id: (tokens scored, sum of their surprisal), from the JSON reports;
    and the ids whose language model failed."""
    scored, lm_errors = {}, []
    for path in sorted(out_dir.glob("*.json")):
        if path.name == "summary.json":
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        tokens = report.get("tokens") or []
        scored[report["id"]] = (len(tokens), sum(t["surprisal"] for t in tokens))
        if report.get("lm_error") or not report["evidence"]["language_model"]:
            lm_errors.append(report["id"])
    return scored, lm_errors


def run_mtaudit(args, kernel, inputs, work):
    folder = work / f"mtaudit-{kernel}"
    out_dir = folder / "reports"
    env = dict(os.environ, MTAUDIT_HOME=str(fresh_home(folder / "home", args.model)),
               RAYON_NUM_THREADS=str(args.threads))
    env.pop("MTAUDIT_MODEL", None)
    env.pop("MTAUDIT_CPU_KERNEL", None)
    cmd = [str(args.mtaudit), "audit", *map(str, inputs), "--out", str(out_dir),
           "--format", "json", "--cpu-kernel", kernel, "--offline", "--quiet"]
    log = folder / "log.txt"
    print(f"  mtaudit --cpu-kernel {kernel} ...", flush=True)
    result = {"runner": f"mtaudit {kernel}", **run_measured(cmd, env, log)}
    if result["exit_code"] not in (0, 1):
        result["error"] = f"exit {result['exit_code']}: {log_tail(log)}"
        return result, {}
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    scored, lm_errors = read_reports(out_dir)
    result.update(articles=len(scored), tokens=sum(n for n, _ in scored.values()),
                  score_s=summary["elapsed_seconds"],
                  load_s=result["wall_s"] - summary["elapsed_seconds"],
                  input_errors=summary["input_errors"], lm_errors=lm_errors)
    return rates(result), scored


# ------------------------------------------------------------------------ llama.cpp


def run_llama(args, articles_path, work):
    """Runs the llama.cpp worker in its own process (so its RSS is its own)."""
    result_path = work / "llama-result.json"
    log = work / "llama-log.txt"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--model", str(args.model),
           "--threads", str(args.threads), "--llama-worker", str(articles_path),
           str(result_path)]
    print("  llama.cpp ...", flush=True)
    result = {"runner": "llama.cpp", **run_measured(cmd, dict(os.environ), log)}
    if result["exit_code"] != 0:
        result["error"] = f"exit {result['exit_code']}: {log_tail(log)}"
        return result, {}
    worker = json.loads(result_path.read_text(encoding="utf-8"))
    scored = {a["id"]: (a["tokens"], a["surprisal_sum"]) for a in worker.pop("articles")}
    result.update(worker, articles=len(scored), tokens=sum(n for n, _ in scored.values()))
    return rates(result), scored


def llama_worker(model, articles_path, result_path, threads):
    """Scores every article with llama.cpp and writes timings and per-article sums."""
    import llama_cpp
    import numpy as np

    lines = Path(articles_path).read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines]
    tokens = tokenize_all(llama_cpp, model, [a["text"] for a in articles])
    n_ctx = max(len(t) for t in tokens) + 8
    started = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(model), n_threads=threads, n_threads_batch=threads,
                          logits_all=True, n_ctx=n_ctx, n_batch=LLAMA_BATCH, verbose=False)
    load_s = time.perf_counter() - started
    eval_s = softmax_s = 0.0
    scored = []
    with ThreadPoolExecutor(threads) as pool:
        for article, ids in zip(articles, tokens):
            t0 = time.perf_counter()
            llm.reset()
            llm.eval(ids)
            t1 = time.perf_counter()
            total = surprisal_sum(np, pool, llm.scores, ids)
            t2 = time.perf_counter()
            eval_s += t1 - t0
            softmax_s += t2 - t1
            scored.append({"id": article["id"], "tokens": len(ids) - 1, "surprisal_sum": total})
    Path(result_path).write_text(json.dumps({
        "llama_cpp_version": llama_cpp.__version__, "n_ctx": n_ctx, "load_s": load_s,
        "score_s": eval_s + softmax_s, "eval_s": eval_s, "softmax_s": softmax_s,
        "articles": scored}))


def tokenize_all(llama_cpp, model, texts):
    """BOS + text token ids of every article, from a vocabulary-only load of the model
    (so the context can be sized for the longest article before the real load)."""
    vocab = llama_cpp.Llama(model_path=str(model), vocab_only=True, verbose=False)
    bos = vocab.token_bos()
    tokens = []
    for text in texts:
        ids = vocab.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        tokens.append(ids if ids[:1] == [bos] else [bos, *ids])
    vocab.close()
    return tokens


def surprisal_sum(np, pool, scores, ids):
    """Sum over positions of -log softmax(logits)[next token], over the full vocabulary:
    row i of `scores` (after BOS + ids[1..=i]) predicts ids[i + 1]."""
    targets = np.asarray(ids[1:])
    logits = scores[: len(targets)]

    def chunk(start):
        rows = logits[start : start + SOFTMAX_ROWS]
        want = targets[start : start + SOFTMAX_ROWS]
        peak = rows.max(axis=1)
        log_sum = peak + np.log(np.exp(rows - peak[:, None]).sum(axis=1))
        return float((log_sum - rows[np.arange(len(want)), want]).sum())

    return sum(pool.map(chunk, range(0, len(targets), SOFTMAX_ROWS)))


# ------------------------------------------------------------------------- reporting


def machine(threads):
    flags, name = set(), "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and name == "unknown":
            name = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    return {"cpu": name, "cores": os.cpu_count(), "threads": threads,
            "avx2": "avx2" in flags, "avx512_vnni": "avx512_vnni" in flags,
            "avx_vnni": "avx_vnni" in flags}


def agreement(mtaudit_scored, llama_scored):
    """How far both runners scored the same tokens, and their mean surprisal on the
    articles where the token counts agree."""
    common = sorted(set(mtaudit_scored) & set(llama_scored))
    same = [i for i in common if mtaudit_scored[i][0] == llama_scored[i][0]]
    tokens = sum(mtaudit_scored[i][0] for i in same)

    def mean(scored):
        return sum(scored[i][1] for i in same) / tokens if tokens else None

    return {"articles_compared": len(common), "articles_same_token_count": len(same),
            "token_count_differences": {i: [mtaudit_scored[i][0], llama_scored[i][0]]
                                        for i in common if i not in same},
            "mean_surprisal_mtaudit": mean(mtaudit_scored),
            "mean_surprisal_llama": mean(llama_scored)}


def ratio(results, a, b):
    rate = {r["runner"]: r.get("tokens_per_s") for r in results}
    return rate[a] / rate[b] if rate.get(a) and rate.get(b) else None


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def print_report(report):
    m = report["machine"]
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores; avx512_vnni: "
          f"{'yes' if m['avx512_vnni'] else 'no'}, avx_vnni: {'yes' if m['avx_vnni'] else 'no'};"
          f" threads used: {m['threads']}")
    header = ("runner", "articles", "tokens", "wall s", "load s", "score s", "tokens/s",
              "articles/s", "peak RSS MiB", "other CPU %")
    rows = [header]
    for r in report["results"]:
        rows.append((r["runner"], fmt(r.get("articles"), "d"), fmt(r.get("tokens"), "d"),
                     fmt(r["wall_s"], ".1f"), fmt(r.get("load_s"), ".1f"),
                     fmt(r.get("score_s"), ".1f"), fmt(r.get("tokens_per_s"), ".0f"),
                     fmt(r.get("articles_per_s"), ".2f"), fmt(r["peak_rss_mib"], ".0f"),
                     fmt(100 * r["other_cpu_share"], ".0f")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    if any(r["other_cpu_share"] > BUSY_SHARE for r in report["results"]):
        print("\nwarning: other processes took CPU time during the run (other CPU %), so "
              "the timings are disturbed; llama.cpp's OpenMP threads suffer most from that")
    for r in report["results"]:
        if "error" in r:
            print(f"\n{r['runner']} failed: {r['error']}")
        elif r.get("lm_errors"):
            print(f"\n{r['runner']}: language model failed on {len(r['lm_errors'])} articles")
        if "eval_s" in r:
            print(f"\nllama.cpp {r['llama_cpp_version']}, n_ctx {r['n_ctx']}: eval "
                  f"{r['eval_s']:.1f} s + full-vocabulary log-softmax {r['softmax_s']:.1f} s")
    print("\nscoring-phase tokens/s ratios:")
    for name, value in report["ratios"].items():
        print(f"  {name}: {fmt(value, '.2f')}")
    a = report.get("agreement")
    if a:
        print(f"\ntoken counts equal on {a['articles_same_token_count']} of "
              f"{a['articles_compared']} articles; mean surprisal there (nats/token): "
              f"mtaudit {fmt(a['mean_surprisal_mtaudit'], '.4f')}, "
              f"llama.cpp {fmt(a['mean_surprisal_llama'], '.4f')}")
        for i, (mine, theirs) in a["token_count_differences"].items():
            print(f"  {i}: mtaudit {mine} tokens, llama.cpp {theirs}")


# ----------------------------------------------------------------------------- main


def llama_available(args):
    if args.skip_llama:
        return False
    if importlib.util.find_spec("llama_cpp") is None:
        print(f"whole_run: warning: llama_cpp is not importable by {sys.executable} "
              "(pip install llama-cpp-python); skipping the llama.cpp runner", file=sys.stderr)
        return False
    return True


def main(argv):
    args = parse_args(argv)
    if args.llama_worker:
        llama_worker(args.model, *args.llama_worker, args.threads)
        return
    for path, what in ((args.mtaudit, "--mtaudit"), (args.model, "--model"),
                       (args.dev_docs, "--dev-docs")):
        if not path.exists():
            sys.exit(f"whole_run: {what} {path} does not exist")
    samples = sorted(SAMPLES.glob("*.txt"))
    dev = dev_articles(args.dev_docs, args.dev_articles)
    with_llama = llama_available(args)
    with tempfile.TemporaryDirectory(prefix="mtaudit-whole-run-") as tmp:
        work = Path(tmp)
        dev_path = work / "dev.jsonl"
        write_jsonl(dev_path, dev)
        all_path = work / "all.jsonl"
        write_jsonl(all_path, [*map(read_sample, samples), *dev])
        print(f"{len(samples)} samples + {len(dev)} dev articles, {args.threads} threads")
        results, scored = [], {}
        for kernel in args.kernels:
            result, scored[result["runner"]] = run_mtaudit(args, kernel, [*samples, dev_path], work)
            results.append(result)
        if with_llama:
            result, scored["llama.cpp"] = run_llama(args, all_path, work)
            results.append(result)
    reference = next((r["runner"] for r in results if scored.get(r["runner"])
                      and r["runner"].startswith("mtaudit")), None)
    report = {
        "machine": machine(args.threads),
        "mtaudit": str(args.mtaudit), "model": str(args.model),
        "samples": len(samples), "dev_articles": len(dev),
        "results": results,
        "ratios": {"mtaudit auto / llama.cpp": ratio(results, "mtaudit auto", "llama.cpp"),
                   "mtaudit auto / mtaudit avx2": ratio(results, "mtaudit auto", "mtaudit avx2")},
    }
    if reference and scored.get("llama.cpp"):
        report["agreement"] = {"mtaudit_runner": reference,
                               **agreement(scored[reference], scored["llama.cpp"])}
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
