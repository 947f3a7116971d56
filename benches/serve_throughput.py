#!/usr/bin/env python3
"""Service benchmark: `mtaudit serve` under 1, 4 and 16 concurrent clients against the
batch command `mtaudit audit` on the same articles, in one invocation.

What it measures
----------------
The articles are the `*.txt` samples (default `tests/fixtures/samples`, the same five
texts as `../shared/samples`), each repeated `--repeat` times under its own id.

* **batch**: one `mtaudit audit --format json --out DIR` process over all articles as a
  JSON Lines file, run before and again after the service (other load on the machine
  shows as a difference between the two; the ratio uses the faster). Its throughput uses
  the batch time `summary.json` gives (`elapsed_seconds`: reading, auditing, writing
  reports; not process start or model load).
* **serve**: one `mtaudit serve --port 0` process, timed only once `/readyz` answers 200
  (the model is loaded). For each client count C, C threads (one keep-alive connection
  each) take the articles from a shared list and POST them one per request; the time is
  from the first request to the last reply. Latencies are per request (p50, p95).

Tokens are those the language model scored (the reports' `tokens`, for the service the
difference in `mtaudit_tokens_scored_total`); 0 with `--no-lm`. Both processes get the
same flags and the default thread count (one per core), and run with the score cache
switched off (`MTAUDIT_HOME` whose `scores` is a plain file), so repeated texts are
scored every time. The client runs on the same machine and takes some CPU time from the
server: on a small machine that understates the service a little.

How to run
----------
    cargo build --release
    MTAUDIT_MODEL=path/to/gemma-3-270m-q4_k_m.gguf python3 benches/serve_throughput.py --repeat 3
    python3 benches/serve_throughput.py --no-lm --repeat 200

Only the Python standard library is used.
"""

import argparse
import glob
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_articles(samples, repeat):
    paths = sorted(glob.glob(os.path.join(samples, "*.txt")))
    if not paths:
        sys.exit(f"no *.txt samples in {samples}")
    texts = [(os.path.basename(p)[:-4], open(p, encoding="utf-8").read()) for p in paths]
    return [{"id": f"{name}-{k}", "text": text} for k in range(repeat) for name, text in texts]


def no_cache_env(tmp):
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    # A file where the cache folder would be: every lookup and store fails, so nothing
    # is reused between repeated texts or between the two runners.
    open(os.path.join(home, "scores"), "w").close()
    return dict(os.environ, MTAUDIT_HOME=home)


def run_batch(binary, articles, flags, env, tmp):
    feed = os.path.join(tmp, "feed.jsonl")
    with open(feed, "w", encoding="utf-8") as f:
        for article in articles:
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    out = tempfile.mkdtemp(prefix="batch-reports-", dir=tmp)
    command = [binary, "audit", "--format", "json", "--out", out, "--force", "--quiet", "--exit-zero",
               *flags, feed]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - started
    summary = json.load(open(os.path.join(out, "summary.json"), encoding="utf-8"))
    tokens = 0
    for path in glob.glob(os.path.join(out, "*.json")):
        if os.path.basename(path) != "summary.json":
            tokens += len(json.load(open(path, encoding="utf-8")).get("tokens") or [])
    return {"seconds": summary["elapsed_seconds"], "wall": wall, "tokens": tokens,
            "articles": summary["articles"]}


class Server:
    def __init__(self, binary, flags, env):
        self.process = subprocess.Popen([binary, "serve", "--port", "0", *flags], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in self.process.stderr:
            match = re.match(r"mtaudit: listening on http://([\d.]+):(\d+)", line)
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                break
        else:
            sys.exit("mtaudit serve printed no address")
        # Keep draining stderr so that the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()

    def get(self, path):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()

    def wait_ready(self):
        while self.get("/readyz")[0] != 200:
            if self.process.poll() is not None:
                sys.exit("mtaudit serve exited while loading")
            time.sleep(0.05)

    def tokens_scored(self):
        metrics = self.get("/metrics")[1]
        return int(re.search(r"^mtaudit_tokens_scored_total (\d+)$", metrics, re.M).group(1))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def run_clients(server, articles, clients):
    bodies = [json.dumps(a, ensure_ascii=False).encode() for a in articles]
    next_index = iter(range(len(bodies)))
    lock = threading.Lock()
    latencies, failures = [], []

    def client():
        connection = http.client.HTTPConnection(server.host, server.port, timeout=600)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            sent = time.monotonic()
            connection.request("POST", "/v1/audit", bodies[index], {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            elapsed = time.monotonic() - sent
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    failures.append(response.status)

    tokens_before = server.tokens_scored()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    if failures:
        sys.exit(f"{len(failures)} requests failed: {sorted(set(failures))}")
    latencies.sort()
    return {"seconds": seconds, "tokens": server.tokens_scored() - tokens_before,
            "articles": len(articles), "p50": statistics.median(latencies),
            "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "mtaudit"))
    parser.add_argument("--samples", default=os.path.join(ROOT, "tests", "fixtures", "samples"))
    parser.add_argument("--repeat", type=int, default=3, help="copies of each sample")
    parser.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    parser.add_argument("--no-lm", action="store_true", help="heuristics only")
    args = parser.parse_args()
    flags = ["--no-lm"] if args.no_lm else []
    if not args.no_lm and not os.environ.get("MTAUDIT_MODEL"):
        print("note: MTAUDIT_MODEL is unset; the model comes from the cache", file=sys.stderr)
    articles = read_articles(args.samples, args.repeat)
    print(f"{len(articles)} articles ({sum(len(a['text']) for a in articles)} bytes), "
          f"{'heuristics only' if args.no_lm else 'with the language model'}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = no_cache_env(tmp)
        rows.append(("batch", "before", run_batch(args.binary, articles, flags, env, tmp)))
        server = Server(args.binary, flags, env)
        try:
            server.wait_ready()
            for clients in [int(c) for c in args.clients.split(",")]:
                rows.append(("serve", str(clients), run_clients(server, articles, clients)))
        finally:
            server.stop()
        rows.append(("batch", "after", run_batch(args.binary, articles, flags, env, tmp)))
    print(f"{'runner':<7} {'clients':>7} {'articles':>8} {'seconds':>8} {'articles/s':>10} "
          f"{'tokens/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for runner, clients, r in rows:
        latency = (f"{r['p50'] * 1000:8.1f} {r['p95'] * 1000:8.1f}" if "p50" in r else f"{'-':>8} {'-':>8}")
        print(f"{runner:<7} {clients:>7} {r['articles']:>8} {r['seconds']:8.2f} "
              f"{r['articles'] / r['seconds']:10.2f} {r['tokens'] / r['seconds']:9.1f} {latency}")
    batches = [r for runner, _, r in rows if runner == "batch"]
    walls = ", ".join(f"{b['wall']:.2f}" for b in batches)
    print(f"batch process wall times (with start and model load): {walls} s; "
          f"load average now {os.getloadavg()[0]:.2f}")
    # Against the faster batch run: a busy machine during the other one favours nobody.
    batch_rate = max(b["articles"] / b["seconds"] for b in batches)
    clients, last = [(c, r) for runner, c, r in rows if runner == "serve"][-1]
    ratio = (last["articles"] / last["seconds"]) / batch_rate
    print(f"serve at {clients} clients / faster batch run, articles/s: {ratio:.2f}")


if __name__ == "__main__":
    main()
