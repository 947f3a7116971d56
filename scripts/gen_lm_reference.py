#!/usr/bin/env python3
"""Reference per-token NLLs of Gemma 3 270M, computed with llama.cpp.

Writes tests/fixtures/lm_reference/{german,italian}_paragraph.json: for one fixed clean
paragraph per language, the token ids (BOS first), the natural-log negative
log-likelihood (nats) of every token after BOS given all tokens before it, and their
mean. The candle forward pass in src/lm/ is tested against these (the mean should agree
within about 0.05 nats; single tokens differ by ~0.13 nats on average, see
/work/shared/notes/gemma3-on-candle.md).

Needs: python3 with llama-cpp-python and numpy (`pip install llama-cpp-python`), and the
model file gemma-3-270m-q4_k_m.gguf.

Run from the repository root (re-runnable; overwrites the fixtures):
    MTAUDIT_MODEL=/path/to/gemma-3-270m-q4_k_m.gguf python3 scripts/gen_lm_reference.py
"""

import hashlib
import json
import os
import sys
from pathlib import Path

import llama_cpp
import numpy as np

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "lm_reference"

# Clean, self-written news paragraphs (no sample text, so no licensing question).
PARAGRAPHS = {
    "german_paragraph.json": (
        "de",
        "Die Bundesregierung hat am Mittwoch einen Gesetzentwurf beschlossen, der den Ausbau "
        "erneuerbarer Energien deutlich beschleunigen soll. Genehmigungsverfahren für "
        "Windräder und Solaranlagen sollen künftig höchstens sechs Monate dauern. "
        "Wirtschaftsminister Robert Habeck sprach in Berlin von einem wichtigen Schritt für "
        "den Klimaschutz und die Versorgungssicherheit. Kritik kam dagegen von "
        "Umweltverbänden, die befürchten, dass der Naturschutz bei der Planung zu kurz kommt. "
        "Der Bundestag soll noch vor der Sommerpause über das Gesetz abstimmen.",
    ),
    "italian_paragraph.json": (
        "it",
        "Il governo italiano ha approvato ieri sera un decreto che prevede nuovi fondi per la "
        "ricostruzione delle zone colpite dall'alluvione in Emilia-Romagna. Secondo il "
        "ministro dell'Economia, le risorse stanziate ammontano a circa due miliardi di euro "
        "e saranno distribuite nei prossimi tre anni. I sindaci dei comuni interessati hanno "
        "accolto con favore la decisione, ma chiedono tempi più rapidi per l'erogazione dei "
        "contributi alle famiglie e alle imprese.",
    ),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> int:
    model_env = os.environ.get("MTAUDIT_MODEL")
    if not model_env:
        print("set MTAUDIT_MODEL to the path of gemma-3-270m-q4_k_m.gguf", file=sys.stderr)
        return 2
    model_path = Path(model_env)
    llm = llama_cpp.Llama(
        model_path=str(model_path),
        n_ctx=1024,
        n_batch=1024,
        logits_all=True,
        n_threads=2,
        seed=0,
        verbose=False,
    )
    model_info = {
        "file": model_path.name,
        "bytes": model_path.stat().st_size,
        "sha256": sha256_of(model_path),
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for file_name, (lang, text) in PARAGRAPHS.items():
        bos = llm.token_bos()
        ids = [bos] + llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        llm.reset()
        llm.eval(ids)
        # Row i of the logits predicts token i + 1; float64 for an exact log-softmax.
        logits = np.asarray(llm.scores[: len(ids)], dtype=np.float64)
        nll = []
        for pos in range(1, len(ids)):
            row = logits[pos - 1]
            top = row.max()
            log_norm = top + np.log(np.exp(row - top).sum())
            nll.append(float(log_norm - row[ids[pos]]))
        fixture = {
            "description": "Per-token NLL (nats) from llama.cpp; see scripts/gen_lm_reference.py",
            "generator": f"llama-cpp-python {llama_cpp.__version__}",
            "model": model_info,
            "lang": lang,
            "text": text,
            "bos_id": bos,
            "ids": ids,
            "nll": [round(x, 5) for x in nll],
            "mean_nll": round(float(np.mean(nll)), 5),
        }
        out = OUT_DIR / file_name
        out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{out}: {len(ids)} tokens (with BOS), mean NLL {fixture['mean_nll']:.4f} nats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
