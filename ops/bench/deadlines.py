"""Deadline computations per second: office hours as one span vs two periods (lunch excluded).

    python ops/bench/deadlines.py [--n N]

Pure Python (no database, no Django): the shipped Thái Nguyên profile (07:30-11:30,
13:30-17:00, clock from 08:00) against the same profile with one period 08:00-17:00 (the
office hours before ADR 0008), and a bare `instant + timedelta(hours=8)` as the floor, all in
the same run on the same 1,000 random instants of 2026 (seeded). Caches are warmed first:
each calendar computes a year's working days once (provinces/calendar.py). The cases run in
interleaved rounds; each keeps its best round.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock

from provinces.calendar import TZ, calendar_for, qa_deadline
from provinces.loader import resolve_profile
from provinces.schema import OfficePeriod
from provinces.sla import sla_deadline


def per_second(fn: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    two = resolve_profile("thainguyen", on=datetime(2026, 3, 2, tzinfo=TZ).date())
    one = two.model_copy(
        update={
            "office_hours": two.office_hours.model_copy(
                update={"periods": [OfficePeriod(start=clock(8, 0), end=clock(17, 0))]}
            )
        }
    )
    cal_two, cal_one = calendar_for(two), calendar_for(one)
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=TZ)
    instants = [start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in range(1000)]
    kinds = list(two.qa.kinds)

    def hours(cal):
        return lambda i: cal.add_working_hours(instants[i % 1000], 8)

    def qa(profile, cal):
        return lambda i: qa_deadline(
            profile, instants[i % 1000], kinds[i % len(kinds)], calendar=cal
        )

    def sla(profile, cal):
        return lambda i: sla_deadline(profile, "news", instants[i % 1000], calendar=cal)

    cases = [
        (
            "floor: `instant + timedelta(hours=8)`",
            lambda i: instants[i % 1000] + timedelta(hours=8),
        ),
        ("`add_working_hours(8)`, one period 08:00-17:00", hours(cal_one)),
        ("`add_working_hours(8)`, two periods", hours(cal_two)),
        ("`sla_deadline` news (8 working hours), one period", sla(one, cal_one)),
        ("`sla_deadline` news (8 working hours), two periods", sla(two, cal_two)),
        ("`qa_deadline` (3 kinds), one period", qa(one, cal_one)),
        ("`qa_deadline` (3 kinds), two periods", qa(two, cal_two)),
    ]
    for _, fn in cases:  # warm the per-year caches and the profile calendars
        for i in range(2000):
            fn(i)
    # Rounds interleave the cases, and each keeps its best round: a busy machine slows a round,
    # never speeds it up, and no case gets all the quiet moments.
    rates = dict.fromkeys((name for name, _ in cases), 0.0)
    for _ in range(args.rounds):
        for name, fn in cases:
            rates[name] = max(rates[name], per_second(fn, args.n))

    machine = f"Python {platform.python_version()}, {platform.machine()}"
    print(f"{machine}, n={args.n} per round, best of {args.rounds} rounds")
    print("| computation | per second | two periods / one period |")
    print("|---|---|---|")
    names = [name for name, _ in cases]
    print(f"| {names[0]} | {rates[names[0]]:,.0f} | |")
    for i in range(1, len(names), 2):
        a, b = names[i], names[i + 1]
        print(f"| {a} | {rates[a]:,.0f} | |")
        print(f"| {b} | {rates[b]:,.0f} | {rates[b] / rates[a]:.2f} |")


if __name__ == "__main__":
    main()
