"""The sales chart buckets money by the event's own days and hours."""

from datetime import UTC, datetime

import pytest

from ticketing.reports.chart import sales_chart

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_days_follow_the_event_time_zone():
    hours = [
        (datetime(2026, 11, 1, 20, tzinfo=UTC), 1000),  # 23:00 on the 1st in Istanbul
        (datetime(2026, 11, 1, 21, tzinfo=UTC), 500),  # 00:00 on the 2nd in Istanbul
        (datetime(2026, 11, 5, 9, tzinfo=UTC), -200),  # a refund
    ]

    chart = sales_chart(hours, "Europe/Istanbul")

    assert chart.granularity == "day"
    assert chart.points == [
        ("2026-11-01", 1000), ("2026-11-02", 1500), ("2026-11-03", 1500),
        ("2026-11-04", 1500), ("2026-11-05", 1300),
    ]  # fmt: skip
    assert chart.top == 1500


def test_a_short_span_is_drawn_per_hour_and_fits_the_box():
    hours = [
        (datetime(2026, 11, 10, 10, tzinfo=UTC), 300),
        (datetime(2026, 11, 10, 12, tzinfo=UTC), 100),
    ]

    chart = sales_chart(hours, "America/New_York")

    assert chart.granularity == "hour"
    assert [label for label, _ in chart.points] == ["2026-11-10 05:00", "2026-11-10 06:00",
                                                    "2026-11-10 07:00"]  # fmt: skip
    xs = [float(pair.split(",")[0]) for pair in chart.polyline.split()]
    ys = [float(pair.split(",")[1]) for pair in chart.polyline.split()]
    assert xs == sorted(xs) and min(xs) >= 0 and max(xs) <= chart.width
    assert min(ys) >= 0 and max(ys) <= chart.height
    assert ys[-1] == min(ys)  # the highest point is the last (400 raised)


def test_no_money_no_chart():
    assert sales_chart([], "UTC").empty
