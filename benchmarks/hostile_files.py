"""Time and memory of every file of the hostile corpus (tests/app_logic/hostile_corpus.py)
through the public functions the pages call: ``inspect_csv`` + ``parse_csv`` for CSVs,
``model_from_json`` (+ ``state_from_import`` when accepted) for model files,
``RunCollection.import_json`` for saved-runs files.

    python benchmarks/hostile_files.py [--repeats 3] [--top 8]

For each file: the best wall time of ``--repeats`` runs and the peak memory traced by
tracemalloc during one run (a separate run, as tracing slows Python down). Prints the
slowest files and the worst time and peak memory of each kind. The issue's budget is 2 s of
server time and ~200 MB of memory per input; the tests hold memory under 80 MB and time
nothing.
"""

import argparse
import pathlib
import sys
import time
import tracemalloc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from app_logic import exports, files, runs, uploads
from tests.app_logic import hostile_corpus as hc


def read_csv(data):
    preview = uploads.inspect_csv(data)
    return uploads.parse_csv(data, preview.suggested_features, preview.suggested_label)


def read_model(data):
    exports.state_from_import(exports.model_from_json(data))


def read_runs(data):
    runs.RunCollection().import_json(data)


READERS = {"csv": read_csv, "model": read_model, "runs": read_runs}


def measure(read, data, repeats):
    def once():
        start = time.perf_counter()
        try:
            read(data)
            outcome = "read"
        except files.FileError:
            outcome = "refused"
        return time.perf_counter() - start, outcome

    times, outcome = [], None
    for _ in range(repeats):
        seconds, outcome = once()
        times.append(seconds)
    tracemalloc.start()
    once()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak, outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    rows = []
    for kind, cases in hc.all_cases().items():
        for case in cases:
            seconds, peak, outcome = measure(READERS[kind], case.data, args.repeats)
            rows.append((kind, case.name, len(case.data), seconds, peak, outcome))
    print(f"{len(rows)} files; slowest {args.top}:")
    print(f"{'kind':6} {'file':38} {'bytes':>10} {'ms':>8} {'peak MB':>8}  outcome")
    for kind, name, size, seconds, peak, outcome in sorted(rows, key=lambda r: -r[3])[:args.top]:
        print(f"{kind:6} {name:38} {size:>10,} {seconds * 1e3:>8.1f} {peak / 1e6:>8.1f}  "
              f"{outcome}")
    print()
    for kind in READERS:
        mine = [r for r in rows if r[0] == kind]
        slow, big = max(mine, key=lambda r: r[3]), max(mine, key=lambda r: r[4])
        print(f"{kind:6} {len(mine):3} files: worst time {slow[3] * 1e3:7.1f} ms ({slow[1]}), "
              f"worst peak memory {big[4] / 1e6:5.1f} MB ({big[1]})")


if __name__ == "__main__":
    main()
