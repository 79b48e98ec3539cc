"""Targets, the printed table and the JSON files in bench/results/."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": memory[1].split()[1] if len(memory) > 1 else "",
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# Targets that say the product is right, not just fast.
CORRECTNESS = (
    "every ticket in exactly once",
    "oversold == 0",
    "sold out exactly",
    "every offline scan in exactly once",
)


def checks(result: dict) -> list[tuple[str, str, bool]]:
    """(what, measured, met?) against the issue's targets."""
    name = result["name"]
    if name == "door_rush":
        first = result["first_pass"]
        return [
            ("check-in scans/s >= 500", f"{first['scans_per_s']}", first["scans_per_s"] >= 500),
            ("check-in p99 < 50 ms", f"{first['latency_ms']['p99_ms']}",
             first["latency_ms"]["p99_ms"] < 50),
            ("check-in >= half the floor", f"{result['ratio_to_floor']}",
             result["ratio_to_floor"] >= 0.5),
            ("every ticket in exactly once", f"{result['tickets_checked_in']}",
             first["expected_answers"] == result["tickets"]
             and result["second_pass"]["expected_answers"] == result["second_pass"]["requests"]),
        ]  # fmt: skip
    if name == "flash_sale":
        return [
            ("orders/s >= 200", f"{result['orders_per_s']}", result["orders_per_s"] >= 200),
            ("oversold == 0", f"{result['oversold']}", result["oversold"] == 0),
            ("sold out exactly", f"{result['seats_taken']}/{result['capacity']}",
             result["seats_taken"] == result["capacity"]),
        ]  # fmt: skip
    if name == "mixed_rush":
        during, hooks, mail = result["door_during_sale"], result["webhooks"], result["emails"]
        p99 = during["latency_ms"]["p99_ms"]
        hook_p99 = hooks["attempts"]["p99_ms"]
        return [
            ("door p99 < 50 ms during the sale", f"{p99}", p99 is not None and p99 < 50),
            ("door >= 400 scans/s during the sale", f"{during['scans_per_s']}",
             during["scans_per_s"] >= 400),
            ("webhooks answered p99 < 200 ms", f"{hook_p99}",
             hook_p99 is not None and hook_p99 < 200),
            ("each paid order emailed exactly once",
             f"{mail['emailed_once']}/{mail['paid_at_stripe']} once, "
             f"{mail['emailed_more_than_once']} twice+, {mail['not_emailed']} none",
             mail["paid_at_stripe"] > 0 and mail["emailed_once"] == mail["paid_at_stripe"]
             and mail["emails_to_unpaid_orders"] == 0),
            ("oversold == 0", f"{result['oversold']}", result["oversold"] == 0),
        ]  # fmt: skip
    if name == "totals":
        last = result["sizes"][-1]
        return [
            (f"totals API < 20 ms at {last['tickets']:,}", f"{last['totals_api']['mean_ms']}",
             last["totals_api"]["mean_ms"] < 20),
            ("totals growth 10k -> 1M < 2x", f"{result['totals_api_growth']}",
             result["totals_api_growth"] < 2),
        ]  # fmt: skip
    if name == "door_sync":
        full, delta, batch = result["full_list"], result["delta_after_checkins"], result["batch"]
        return [
            ("door list of 20,000 gzipped < 1.5 MB", f"{full['gzip_bytes']:,} B",
             full["gzip_bytes"] < 1_500_000),
            ("door list served p50 < 1 s", f"{full['latency_ms']['p50_ms']} ms",
             full["latency_ms"]["p50_ms"] < 1000),
            ("delta after 500 check-ins < 50 KB", f"{delta['gzip_bytes']:,} B",
             delta["gzip_bytes"] < 50_000),
            ("batch of 1,000 offline scans < 2 s", f"{batch['p50_ms']} ms",
             batch["p50_ms"] < 2000),
            ("every offline scan in exactly once", f"{batch['ok']}",
             batch["ok"] == 3000 and delta["entries"] == delta["checkins"]
             and full["codes_found_in_body"] == 0),
        ]  # fmt: skip
    if name == "qr":
        page = result["order_page_10_tickets"]
        return [("order page (10 tickets) < 50 ms", f"{page['mean_ms']}", page["mean_ms"] < 50)]
    return []


def save(result: dict, command: str) -> str:
    os.makedirs(RESULTS, exist_ok=True)
    result = {
        **result,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": command,
        "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in checks(result)],
    }
    path = os.path.join(RESULTS, f"{result['name']}.json")
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2, default=str)
    return path


def _lat(figures: dict) -> str:
    return " / ".join(f"{figures.get(k)}" for k in ("p50_ms", "p95_ms", "p99_ms"))


def _applied(lag: dict | None) -> str:
    if not lag:
        return "not measured"
    return f"{lag['p50_ms']} / {lag['p99_ms']} ({lag['not_applied']})"


def _floor(result: dict) -> str:
    return f"{result['floor_per_s']}, {result['ratio_to_floor']}"


def rows(result: dict) -> list[tuple[str, str, str]]:
    name = result["name"]
    if name == "flash_sale":
        return [
            ("flash sale", "orders/s (201s)", f"{result['orders_per_s']}"),
            ("flash sale", "order p50/p95/p99 ms", _lat(result["order_latency_ms"])),
            ("flash sale", "created / sold out / other",
             f"{result['orders_created']} / {result['sold_out_answers']} / "
             f"{result['other_answers'] or 0}"),
            ("flash sale", "oversold seats", f"{result['oversold']}"),
            ("flash sale", "floor req/s, ratio", _floor(result)),
        ]  # fmt: skip
    if name == "door_rush":
        first, second = result["first_pass"], result["second_pass"]
        return [
            ("door rush", "1st pass scans/s", f"{first['scans_per_s']}"),
            ("door rush", "1st pass p50/p95/p99 ms", _lat(first["latency_ms"])),
            ("door rush", "2nd pass scans/s", f"{second['scans_per_s']}"),
            ("door rush", "2nd pass p50/p95/p99 ms", _lat(second["latency_ms"])),
            ("door rush", "ok / repeats refused",
             f"{first['expected_answers']} / {second['expected_answers']}"),
            ("door rush", "floor req/s, ratio", _floor(result)),
        ]  # fmt: skip
    if name == "mixed_rush":
        during, whole = result["door_during_sale"], result["door_whole_window"]
        sale, hooks, mail = result["sale"], result["webhooks"], result["emails"]
        return [
            ("mixed rush", "code path", result["code_path"]),
            ("mixed rush", "door during sale: scans/s (s)",
             f"{during['scans_per_s']} ({during['seconds']} s)"),
            ("mixed rush", "door during sale p50/p95/p99 ms", _lat(during["latency_ms"])),
            ("mixed rush", "door whole window scans/s, p99 ms",
             f"{whole['scans_per_s']}, {whole['latency_ms']['p99_ms']}"),
            ("mixed rush", "sale created / sold out / other",
             f"{sale['orders_created']} / {sale['sold_out_answers']} / "
             f"{sale['other_answers'] or 0} (unsent {sale['unsent_attempts']})"),
            ("mixed rush", "sale orders/s, p99 ms",
             f"{sale['orders_per_s']}, {sale['order_latency_ms']['p99_ms']}"),
            ("mixed rush", "webhook attempts p50/p95/p99 ms", _lat(hooks["attempts"])),
            ("mixed rush", "webhook answers", f"{hooks['answers']}"),
            ("mixed rush", "payment applied after its webhook p50/p99 ms (not applied)",
             _applied(hooks.get("applied_after_ms"))),
            ("mixed rush", "paid at Stripe / in app / emailed once",
             f"{mail['paid_at_stripe']} / {mail['paid_in_app']} / {mail['emailed_once']}"),
            ("mixed rush", "oversold seats", f"{result['oversold']}"),
            ("mixed rush", "floor req/s, door ratio", _floor(result)),
        ]  # fmt: skip
    if name == "totals":
        out = []
        for row in result["sizes"]:
            out.append(
                (
                    "totals",
                    f"API ms at {row['tickets']:,} (mean, p95)",
                    f"{row['totals_api']['mean_ms']}, {row['totals_api']['p95_ms']}",
                )
            )
            out.append(
                (
                    "totals",
                    f"dashboard ms at {row['tickets']:,} (mean, p95)",
                    f"{row['dashboard']['mean_ms']}, {row['dashboard']['p95_ms']}",
                )
            )
        out.append(
            (
                "totals",
                "growth 10k -> 1M (API, dashboard)",
                f"{result['totals_api_growth']}x, {result['dashboard_growth']}x",
            )
        )
        return out  # fmt: skip
    if name == "door_sync":
        full, delta, batch = result["full_list"], result["delta_after_checkins"], result["batch"]
        return [
            ("door sync", "full list: entries, gzip / JSON bytes",
             f"{full['entries']:,}, {full['gzip_bytes']:,} / {full['json_bytes']:,}"),
            ("door sync", "full list p50 / p95 ms",
             f"{full['latency_ms']['p50_ms']} / {full['latency_ms']['p95_ms']}"),
            ("door sync", "delta after 500 check-ins: entries, gzip bytes, ms",
             f"{delta['entries']}, {delta['gzip_bytes']:,}, {delta['latency_ms']}"),
            ("door sync", "batch of 1,000 scans ms (runs)", f"{batch['runs_ms']}"),
            ("door sync", "floor req/s, list p50 in floor p50s",
             f"{result['floor_per_s']}, {result['ratio_to_floor']}"),
        ]  # fmt: skip
    if name == "qr":
        return [
            ("QR", "SVG ms (mean, p95)", f"{result['svg']['mean_ms']}, {result['svg']['p95_ms']}"),
            ("QR", "PNG ms (mean, p95)", f"{result['png']['mean_ms']}, {result['png']['p95_ms']}"),
            ("QR", "order page, 10 tickets ms (mean, p95)",
             f"{result['order_page_10_tickets']['mean_ms']}, "
             f"{result['order_page_10_tickets']['p95_ms']}"),
        ]  # fmt: skip
    return []


def print_tables(results: list[dict]) -> bool:
    console = Console()
    table = Table(title="Benchmarks")
    for column in ("benchmark", "measure", "value"):
        table.add_column(column)
    for result in results:
        for row in rows(result):
            table.add_row(*row)
    console.print(table)
    targets = Table(title="Targets")
    for column in ("target", "measured", "met"):
        targets.add_column(column)
    all_met = True
    for result in results:
        for what, measured, ok in checks(result):
            all_met &= ok
            targets.add_row(what, measured, "yes" if ok else "NO")
    console.print(targets)
    return all_met
