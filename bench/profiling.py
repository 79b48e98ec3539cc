"""What bench.profile_checkout and bench.profile_scan share: the product's app
built in this process with the stack's production settings, and one batch of
requests timed (CPU and wall) under cProfile with a CPU clock."""

import cProfile
import os
import pstats
import time


def app_client(stack):
    """The harness's app (the product's plus the floor) in this process, and its
    test client."""
    os.environ.update(stack.env())
    from bench.floor import create_app

    app = create_app()
    return app, app.test_client()


def dispose(app) -> None:
    with app.app_context():
        from ticketing.extensions import db

        db.engine.dispose()


def measured(argv: list[str], run_batch) -> tuple[cProfile.Profile | None, float, float]:
    """Run `run_batch()` under cProfile (unless `--no-profile`); (profile, CPU s, wall s)."""
    profiler = None if "--no-profile" in argv else cProfile.Profile(time.process_time)
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    run_batch()
    if profiler is not None:
        profiler.disable()
    return profiler, time.process_time() - cpu, time.perf_counter() - wall


def report(argv: list[str], profiler, what: str, count: int, cpu: float, wall: float) -> None:
    print(f"{count} {what}: {cpu / count * 1000:.3f} ms CPU per one in this process, "
          f"{wall / count * 1000:.3f} ms wall")  # fmt: skip  # noqa: T201
    if profiler is None:
        return
    if "--out" in argv:  # for pstats (or snakeviz) afterwards
        profiler.dump_stats(argv[argv.index("--out") + 1])
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 35
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
