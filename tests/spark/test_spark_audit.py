"""The Spark recipe (scripts/spark_audit.py) on a real local Spark (`local[2]`).

Every input article must get exactly one report, equal to the report of a plain
`mtaudit audit` run over the same file, and a malformed line one error record. The
language model is used when MTAUDIT_MODEL names it, else `--no-lm`. Run by `.ci/run`:

    MTAUDIT_BIN=target/debug/mtaudit python tests/spark/test_spark_audit.py
"""

import glob
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from pyspark.sql import SparkSession  # noqa: E402

import spark_audit  # noqa: E402

BINARY = os.environ.get("MTAUDIT_BIN", str(ROOT / "target" / "debug" / "mtaudit"))
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
MALFORMED = '{"id": "truncated", "text": "Der Satz bricht'
PARTITIONS = 6


def write_corpus(path, with_model):
    """Sample articles and short ones, with a malformed line among them: the shortest
    sample when the model scores them (it costs seconds each), else all five."""
    samples = sorted(SAMPLES.glob("*.txt"))
    if with_model:
        samples = [min(samples, key=lambda sample: sample.stat().st_size)]
    records = [
        {"id": sample.stem, "text": sample.read_text(encoding="utf-8")}
        for sample in samples
    ]
    short = 8 if with_model else 60
    records += [
        {
            "id": f"short-{i}",
            "lang": "de",
            "text": f"Der Rat hat am Montag {i} neue Regeln beschlossen. "
            "Die Regierung will sie bis zum Sommer prüfen.",
        }
        for i in range(short)
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(len(lines) // 2, MALFORMED)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [r["id"] for r in records]


def comparable(report):
    """A report without what names where its text came from (a file line or a stream
    line) and the fingerprint that covers it."""
    return {k: v for k, v in report.items() if k not in ("source", "fingerprint")}


class SparkRecipeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = os.environ.get("MTAUDIT_MODEL")
        cls.mtaudit_args = [] if cls.model else ["--no-lm"]
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        cls.corpus = cls.dir / "corpus.jsonl"
        cls.ids = write_corpus(cls.corpus, bool(cls.model))
        # Separate score caches: Spark's reports must come from the model run there, not
        # from the plain run's cached scores.
        plain = subprocess.run(
            [BINARY, "audit", "--quiet", "--format", "jsonl", *cls.mtaudit_args, cls.corpus],
            capture_output=True,
            check=False,
            env={**os.environ, "MTAUDIT_HOME": str(cls.dir / "home-plain")},
        )
        assert plain.returncode == 2, plain.stderr  # the malformed line is an input error
        cls.plain = {
            r["id"]: comparable(r) for r in map(json.loads, plain.stdout.decode().splitlines())
        }
        os.environ["MTAUDIT_HOME"] = str(cls.dir / "home-spark")
        cls.spark = (
            SparkSession.builder.master("local[2]")
            .appName("mtaudit-test")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        cls.tmp.cleanup()

    def check_reports(self, lines):
        errors = [line for line in lines if "error" in line]
        reports = [line for line in lines if "error" not in line]
        self.assertEqual(len(errors), 1, errors)
        self.assertTrue(errors[0]["record"].startswith(MALFORMED[:20]))
        self.assertIn("malformed JSON Lines record", errors[0]["error"])
        ids = [r["id"] for r in reports]
        self.assertEqual(sorted(ids), sorted(self.ids), "one report per input article")
        self.assertEqual(set(self.plain), set(self.ids))
        for report in reports:
            self.assertEqual(comparable(report), self.plain[report["id"]], report["id"])

    def test_json_lines_output_equals_a_plain_run(self):
        out = self.dir / "jsonl"
        processes = spark_audit.audit_corpus(
            self.spark, str(self.corpus), str(out), BINARY, self.mtaudit_args, "jsonl",
            PARTITIONS,
        )
        lines = [
            json.loads(line)
            for part in sorted(glob.glob(str(out / "part-*")))
            for line in pathlib.Path(part).read_text(encoding="utf-8").splitlines()
        ]
        self.check_reports(lines)
        # local[2] runs two Python workers, reused across the partitions: the model is
        # loaded once per worker process, not once per partition.
        self.assertLessEqual(processes, 2)
        self.assertGreaterEqual(processes, 1)

    def test_command_line_writes_parquet_with_the_same_reports(self):
        out = self.dir / "parquet"
        run = subprocess.run(
            [
                sys.executable, str(ROOT / "scripts" / "spark_audit.py"), str(self.corpus),
                "--out", str(out), "--format", "parquet", "--mtaudit", BINARY,
                "--master", "local[2]", "--partitions", str(PARTITIONS),
                "--", *self.mtaudit_args,
            ],
            capture_output=True,
            text=True,
            # Its own score cache, so that this run scores in Spark too.
            env={**os.environ, "MTAUDIT_HOME": str(self.dir / "home-cli")},
            check=False,
        )
        self.assertEqual(run.returncode, 0, run.stderr[-4000:])
        self.assertIn("mtaudit processes started:", run.stdout)
        lines = []
        for row in self.spark.read.parquet(str(out)).collect():
            report = json.loads(row.report)
            if row.error is None:
                self.assertEqual(row.id, report["id"])
                self.assertEqual(row.gate_passed, report["gate"]["passed"])
            lines.append(report)
        self.check_reports(lines)


if __name__ == "__main__":
    unittest.main(verbosity=2)
