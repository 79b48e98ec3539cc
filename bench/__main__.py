"""`python -m bench [flash_sale] [door_rush] [totals] [qr] [mixed_rush] [door_sync]`: run, print,
save.

Without names it runs all six (under 10 minutes on 2 cores). Each writes
bench/results/<name>.json and prints every target as met or NOT met. The
exit status is 1 when a result is wrong (seats oversold, a ticket let in
twice), 2 when a benchmark could not run; a speed target missed is reported,
not an error.
"""

import importlib
import sys
import time
import traceback

from bench import report

BENCHMARKS = ("flash_sale", "door_rush", "totals", "qr", "mixed_rush", "door_sync")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    command = "python -m bench " + " ".join(argv) if argv else "make bench"
    results, failed = [], []
    for name in names:
        started = time.monotonic()
        print(f"== {name}", flush=True)
        try:
            result = importlib.import_module(f"bench.{name}").run()
        except Exception:  # report it, run the others, and fail at the end
            traceback.print_exc()
            failed.append(name)
            continue
        result["wall_s"] = round(time.monotonic() - started, 1)
        path = report.save(result, command)
        print(f"   done in {result['wall_s']}s -> {path}", flush=True)
        results.append(result)
    report.print_tables(results)
    if failed:
        print(f"could not run: {', '.join(failed)}")
        return 2
    wrong = [what for r in results for what, _, ok in report.checks(r)
             if not ok and what in report.CORRECTNESS]  # fmt: skip
    if wrong:
        print(f"WRONG RESULTS: {', '.join(wrong)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
