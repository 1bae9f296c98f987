"""Timing helpers shared by the benchmarks (plain Python: no Django needed)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(fn: Callable[[], object]) -> float:
    """The seconds one call of `fn` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(values: list[float], p: int) -> float:
    """The `p`th percentile of `values` (inclusive method: within their min and max)."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def ms(value: float) -> str:
    """Seconds as milliseconds, two decimals: "1.23 ms"."""
    return f"{value * 1000:.2f} ms"


def interleaved(cases: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Each case's seconds over `rounds` rounds: every case runs once untimed first (warm-up:
    query plans, connections, caches), then once per round in turn, so that all see the same
    machine load."""
    for fn in cases.values():
        fn()
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            results[name].append(timed(fn))
    return results
