"""Sales over time as an SVG drawn by the server: no JavaScript library to vendor.

The line is cumulative raised money, bucketed per hour in the event's time
zone when all sales fall within two days, per day otherwise.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 6, 6, 8, 4
MAX_BUCKETS = 800  # a bit over two years of days


@dataclass
class SalesChart:
    points: list[tuple[str, int]] = field(default_factory=list)  # (label, cumulative minor)
    granularity: str = "day"
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not self.points

    @property
    def top(self) -> int:
        return max([value for _, value in self.points] + [1])

    def _xy(self, index: int, value: int) -> tuple[float, float]:
        span = max(len(self.points) - 1, 1)
        x = PAD_LEFT + (self.width - PAD_LEFT - PAD_RIGHT) * index / span
        usable = self.height - PAD_TOP - PAD_BOTTOM
        y = PAD_TOP + usable * (1 - max(value, 0) / self.top)
        return round(x, 1), round(y, 1)

    @property
    def polyline(self) -> str:
        return " ".join(
            f"{x},{y}" for x, y in (self._xy(i, v) for i, (_, v) in enumerate(self.points))
        )

    @property
    def area(self) -> str:
        """The polygon under the line, closed along the baseline."""
        if not self.points:
            return ""
        base = self.height - PAD_BOTTOM
        first_x, _ = self._xy(0, 0)
        last_x, _ = self._xy(len(self.points) - 1, 0)
        return f"{first_x},{base} {self.polyline} {last_x},{base}"

    @property
    def baseline_y(self) -> int:
        return self.height - PAD_BOTTOM

    @property
    def markers(self) -> list[dict]:
        """One dot per bucket, with a tooltip (kept to the last 60 to stay light)."""
        out = []
        for index, (label, value) in enumerate(self.points):
            x, y = self._xy(index, value)
            out.append({"x": x, "y": y, "label": label, "value": value})
        return out[-60:]

    @property
    def first_label(self) -> str:
        return self.points[0][0] if self.points else ""

    @property
    def last_label(self) -> str:
        return self.points[-1][0] if self.points else ""


def local_buckets(hours: list[tuple[datetime, int]], timezone: str) -> tuple[str, list]:
    """Re-bucket UTC hours into local hours (short spans) or local days, gaps filled with 0.

    Filling the gaps keeps the x axis proportional to time, so a quiet week
    shows as a flat stretch rather than vanishing.
    """
    zone = ZoneInfo(timezone)
    local = [(moment.astimezone(zone).replace(tzinfo=None), amount) for moment, amount in hours]
    if not local:
        return "day", []
    hourly = local[-1][0] - local[0][0] <= timedelta(days=2)
    if hourly:
        step, fmt = timedelta(hours=1), "%Y-%m-%d %H:00"
        start = local[0][0].replace(minute=0, second=0, microsecond=0)
    else:
        step, fmt = timedelta(days=1), "%Y-%m-%d"
        start = local[0][0].replace(hour=0, minute=0, second=0, microsecond=0)
    buckets: dict[str, int] = {}
    cursor, last = start, local[-1][0]
    while cursor <= last and len(buckets) < MAX_BUCKETS:
        buckets[cursor.strftime(fmt)] = 0
        cursor += step
    for moment, amount in local:
        key = moment.strftime(fmt)
        buckets[key] = buckets.get(key, 0) + amount
    return ("hour" if hourly else "day"), sorted(buckets.items())


def sales_chart(hours: list[tuple[datetime, int]], timezone: str) -> SalesChart:
    granularity, buckets = local_buckets(hours, timezone)
    running, points = 0, []
    for label, amount in buckets:
        running += amount
        points.append((label, running))
    return SalesChart(points=points, granularity=granularity)
