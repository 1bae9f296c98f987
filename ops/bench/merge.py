"""Merging a province of 100,000 items and 10,000 questions into another (issue 16, the 2025
reform), against a backup and a restore of the same province measured in the same run.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/5 python ops/bench/merge.py \\
        [--items 100000] [--questions 10000] [--rounds 1] [--attach-every 25]

Works on a scratch database `portal_bench_merge` (dropped and re-created), files under a
scratch MEDIA_ROOT and archives under a scratch BACKUP_ROOT (`var/bench_merge/`); give
REDIS_URL a database of its own. Everything it made — the databases (the backups' scratch ones
included), files, archives, its cache keys — is removed at the end, also when a step fails.

Each round makes a new pair of throw-away provinces, onboarded the ordinary way (a profile
version uploaded by one operator and approved by another): the source a copy of Bắc Kạn's
profile under the slug `bmsrc<round>`, the target a copy of Thái Nguyên's under `bmtgt<round>`,
each with the demo staff (one account per role, agency roles held in every agency) and the
demo content. The source is then filled in bulk (ops/bench/_merge_fill.py: copies of rows
written by the services, made with INSERT … SELECT): `--items` published news items over the
portal and the component sites (two revisions, the workflow run and its transitions, a
category for nine in ten, a small PDF attachment on one in `--attach-every`), `--questions`
questions (half open, half answered with a drafted answer and their events, deadlines from
the calendar), its search documents rebuilt, then ANALYZE. The fill is timed apart.

Timed in each round, in this order (the merge changes the source, so the baseline goes first):
(a) the baseline: `backup_create` of the source and `backup_restore` of that backup into a new
schema (the comparable operation: the province's whole schema and files copied into another
schema), whole time; (b) the merge: `merge_plan`, the operator's answers to procedure conflicts
(`merge_resolve`, keeping the target's), and `merge_run`, whole time, with its stages from
`job.stages` (the engine's own backup and verification reported apart from the copy stages).
Prints Markdown tables for docs/benchmarks.md.

The rounds share the database: from the second on, the merge runs where earlier merges left
their rows in `tenants_mergerow`, as on a platform that has merged before (docs/benchmarks.md
says what that costs); for first merges only, run single rounds. `--database` names another
scratch database and its folder under `var/` (two runs at once)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import time
from datetime import date, datetime

from _django import ROOT, clear_cache, create_database, scratch_database_url, setup

DATABASE = "portal_bench_merge"
WORK = ROOT / "var" / "bench_merge"
MEDIA = WORK / "media"
ARCHIVES = WORK / "archives"
# The run's stages (tenants.merging.STAGES) grouped for the report.
COPY = "copy: organization, staff, content, questions, records, files"
GROUPS = {
    "backup: the engine's own `backup_create` + `backup_verify` of the source": ("backup",),
    COPY: ("organization", "staff", "content", "questions", "records", "files"),
    "cutover (hosts, redirects, publication)": ("cutover",),
    "verify (counts, search index)": ("verify",),
}


def prepare() -> list:
    """The scratch database migrated, with the platform tenant, the template schema and two
    operators; returns the operators."""
    os.environ["BACKUP_ROOT"] = str(ARCHIVES)
    create_database(scratch_database_url(DATABASE))
    setup(DATABASE)
    from django.core.management import call_command
    from django.test.utils import override_settings

    # The files of these provinces live in the scratch folder, never in the platform's media.
    override_settings(MEDIA_ROOT=str(MEDIA)).enable()
    from _merge_fill import operators

    from tenants.services import platform_tenant_ensure, template_schema_ensure

    clear_cache()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_tenant_ensure()
    template_schema_ensure()
    return operators()


def pair(round_no: int, ops):
    """A new source (Bắc Kạn's rules) and target (Thái Nguyên's), with staff and demo content."""
    from _merge_fill import SOURCE_BASE, TARGET_BASE, province_approved, staff_and_demo

    source = province_approved(
        SOURCE_BASE, slug=f"bmsrc{round_no}", name=f"Bắc Kạn thử {round_no}", ops=ops
    )
    target = province_approved(
        TARGET_BASE, slug=f"bmtgt{round_no}", name=f"Thái Nguyên thử {round_no}", ops=ops
    )
    for province in (source, target):
        staff_and_demo(province)
    return source, target


# --- (a) the baseline -----------------------------------------------------------------------


def baseline(source) -> dict:
    """`backup_create` + `backup_restore` into a new schema, timed whole; the copy dropped
    after (untimed)."""
    from backups.services import backup_create, backup_restore, kept_schema_drop

    start = time.perf_counter()
    backup = backup_create(province=source)
    made = time.perf_counter()
    restore = backup_restore(
        backup=backup, mode="into", target_schema=f"{source.schema_name}_copie"
    )
    end = time.perf_counter()
    kept_schema_drop(restore=restore)
    return {
        "seconds": end - start,
        "backup": made - start,
        "restore": end - made,
        "archive": backup.size_bytes or 0,
        "rows": sum(t["rows"] for t in (backup.manifest or {}).get("tables", {}).values()),
    }


# --- (b) the merge --------------------------------------------------------------------------


def _instant(value) -> datetime | None:
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def merge(source, target, *, effective_from: date, actor) -> dict:
    """`merge_plan`, the answers to its procedure conflicts (the target's record kept), and
    `merge_run`, timed whole; the stages as the job records them."""
    from backups.models import Verification
    from tenants.merging import STAGES, merge_plan, merge_resolve, merge_run

    start = time.perf_counter()
    job = merge_plan(source=source, target=target, effective_from=effective_from, actor=actor)
    planned = time.perf_counter()
    conflicts = job.plan.get("procedure_conflicts") or []
    if conflicts:
        job = merge_resolve(
            job=job, procedures={c["code"]: "target" for c in conflicts}, actor=actor
        )
    if job.plan.get("problems"):
        raise SystemExit(f"the plan has blocking problems: {job.plan['problems']}")
    resolved = time.perf_counter()
    job = merge_run(job=job, actor=actor)
    end = time.perf_counter()
    job.refresh_from_db()
    stages = []
    for name in STAGES:
        record = (job.stages or {}).get(name) or {}
        begun, ended = _instant(record.get("started_at")), _instant(record.get("finished_at"))
        seconds = (ended - begun).total_seconds() if begun and ended else None
        stages.append((name, seconds, record.get("rows"), record.get("status")))
    verify = (job.stages or {}).get("verify", {}).get("counts") or []
    # The backup stage's two halves, from the records the backups module keeps.
    halves: dict[str, float | None] = {"backup_create": None, "backup_verify": None}
    if job.backup is not None:
        backup = job.backup
        if backup.started_at and backup.finished_at:
            halves["backup_create"] = (backup.finished_at - backup.started_at).total_seconds()
        check = Verification.objects.filter(backup=backup).order_by("-pk").first()
        if check is not None and check.finished_at:
            halves["backup_verify"] = (check.finished_at - check.started_at).total_seconds()
    return {
        "seconds": end - start,
        "plan": planned - start,
        "resolve": resolved - planned,
        "run": end - resolved,
        "status": job.status,
        "stages": stages,
        "conflicts": len(conflicts),
        "counts": job.plan.get("counts") or [],
        "verify": verify,
        "halves": halves,
        "warnings": job.plan.get("warnings") or [],
    }


# --- report ---------------------------------------------------------------------------------


def summary(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f} s"
    return f"{statistics.median(values):.1f} s ({min(values):.1f}–{max(values):.1f})"


def median(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report(rounds: list[dict]) -> None:
    first = rounds[0]
    filled = first["filled"]
    print(
        f"\nSource per round: {filled.items:,} items ({filled.revisions:,} revisions copied, "
        f"{filled.body_bytes / 1e6:,.0f} MB of bodies), {filled.transitions:,} transitions "
        f"copied, {filled.attachments:,} attachments ({filled.attachment_bytes / 1e6:,.1f} MB), "
        f"{filled.questions:,} questions ({filled.answered:,} answered; {filled.events:,} "
        f"events, {filled.answers:,} answers copied), {filled.search_documents:,} search "
        f"documents; {first['source_rows']:,} rows in its schema, "
        f"{first['target_rows']:,} in the target's before the merge; filled in "
        + ", ".join(f"{r['fill']:.0f} s" for r in rounds)
        + " (untimed)."
    )
    base = [r["baseline"]["seconds"] for r in rounds]
    merged = [r["merge"]["seconds"] for r in rounds]
    ratio = median(merged) / median(base)
    print("\n| operation | median (min–max) | ratio to backup + restore |")
    print("|---|---|---|")
    print(f"| baseline: `backup_create` + `backup_restore` into a new schema | {summary(base)} "
          "| 1.0× |")  # fmt: skip
    print(f"| of which `backup_create` | {summary([r['baseline']['backup'] for r in rounds])} | |")
    print(
        f"| of which `backup_restore` into a new schema | "
        f"{summary([r['baseline']['restore'] for r in rounds])} | |"
    )
    print(f"| **merge**: `merge_plan` + `merge_resolve` + `merge_run` | {summary(merged)} | "
          f"**{ratio:.2f}×** |")  # fmt: skip
    print(f"| of which `merge_plan` (dry run) | {summary([r['merge']['plan'] for r in rounds])} "
          "| |")  # fmt: skip
    print(f"| of which `merge_run` | {summary([r['merge']['run'] for r in rounds])} | |")

    print("\n| merge stage | median (min–max) | rows | share of `merge_run` |")
    print("|---|---|---|---|")
    names = [name for name, *_ in first["merge"]["stages"]]
    run = median([r["merge"]["run"] for r in rounds]) or 1.0
    for index, name in enumerate(names):
        seconds = [r["merge"]["stages"][index][1] for r in rounds]
        rows = first["merge"]["stages"][index][2]
        shown = median(seconds)
        share = f"{shown / run:.0%}" if shown is not None else ""
        rows_text = f"{rows:,}" if isinstance(rows, int) else ""
        print(f"| {name} | {summary(seconds)} | {rows_text} | {share} |")
    groups: dict[str, list[float]] = {label: [] for label in GROUPS}
    copy_rows: list[int] = []
    for r in rounds:
        by_name = {name: (seconds or 0.0, rows) for name, seconds, rows, _ in r["merge"]["stages"]}
        for label, members in GROUPS.items():
            groups[label].append(sum(by_name.get(m, (0.0, 0))[0] for m in members))
        copy_rows.append(
            sum(rows for m in GROUPS[COPY] if isinstance(rows := by_name.get(m, (0, 0))[1], int))
        )
    print("\n| the merge's run, grouped | median (min–max) | share of `merge_run` |")
    print("|---|---|---|")
    for label, values in groups.items():
        print(f"| {label} | {summary(values)} | {(median(values) or 0) / run:.0%} |")
        if label.startswith("backup"):
            for half in ("backup_create", "backup_verify"):
                values = [r["merge"]["halves"][half] for r in rounds]
                print(f"| of which `{half}` | {summary(values)} | "
                      f"{(median(values) or 0) / run:.0%} |")  # fmt: skip
    rates = [rows / s for rows, s in zip(copy_rows, groups[COPY], strict=True) if s]
    if rates:
        print(f"\nrows moved per second by the copy stages: {statistics.median(rates):,.0f} "
              f"({copy_rows[0]:,} rows as the stages report them); the baseline's backup holds "
              f"{first['baseline']['rows']:,} rows")  # fmt: skip
    statuses = {r["merge"]["status"] for r in rounds}
    print(f"merge status: {', '.join(sorted(statuses))}; procedure conflicts answered: "
          f"{first['merge']['conflicts']}")  # fmt: skip
    bad = [c for r in rounds for c in r["merge"]["verify"] if not c.get("match", True)]
    print(f"verify: {len(first['merge']['verify'])} tables counted, {len(bad)} mismatch(es)"
          + (f": {bad[:5]}" if bad else ""))  # fmt: skip
    counts = first["merge"]["counts"]
    print(f"plan: {sum(c.get('to_move') or 0 for c in counts):,} rows to move, "
          f"{sum(c.get('not_moved') or 0 for c in counts):,} not moved, "
          f"{len(first['merge']['warnings'])} warning(s)")  # fmt: skip
    moved = [c for c in counts if c.get("not_moved")]
    if moved:
        print("not moved (the plan's reasons): " + "; ".join(
            f"{c.get('label') or c.get('table')}: {c['not_moved']} ({c.get('why') or '–'})"
            for c in moved))  # fmt: skip


# --- clean-up -------------------------------------------------------------------------------


def clean_up() -> None:
    """Remove what the run made: cache keys, databases (the scratch one and any scratch
    database a backup step left: `<database>_scratch…`), files and archives."""
    import psycopg

    with contextlib.suppress(Exception):
        clear_cache()
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    admin = scratch_database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
            [DATABASE, f"{DATABASE}\\_scratch%"],
        ).fetchall()
        for (name,) in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(WORK, ignore_errors=True)


def main() -> None:
    global DATABASE, WORK, MEDIA, ARCHIVES
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--attach-every", type=int, default=25, help="one item in N has a file")
    parser.add_argument(
        "--effective-from",
        type=date.fromisoformat,
        default=None,
        help="the merge's effective date (default: today in Vietnam)",
    )
    parser.add_argument("--database", default=DATABASE, help="the scratch database's name")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--skip-merge", action="store_true", help="the fill and the baseline only")
    args = parser.parse_args()
    if not args.database.startswith("portal_bench_"):
        raise SystemExit("--database: a scratch name starting with portal_bench_")
    DATABASE = args.database
    if DATABASE != "portal_bench_merge":  # another run's files are not this one's
        WORK = WORK.parent / DATABASE
        MEDIA, ARCHIVES = WORK / "media", WORK / "archives"
    if not 1 <= args.items <= 1_000_000 or not 0 <= args.questions <= 200_000:
        raise SystemExit("--items within 1..1,000,000, --questions within 0..200,000")
    if not 1 <= args.rounds <= 20 or not 0 <= args.attach_every <= 1_000_000:
        raise SystemExit("--rounds within 1..20, --attach-every within 0..1,000,000")

    began = time.perf_counter()
    shutil.rmtree(WORK, ignore_errors=True)
    rounds: list[dict] = []
    try:
        ops = prepare()
        from _merge_fill import fill_source, schema_rows

        from provinces.loader import today_in_vietnam

        effective_from = args.effective_from or today_in_vietnam()
        for round_no in range(1, args.rounds + 1):
            start = time.perf_counter()
            source, target = pair(round_no, ops)
            made = time.perf_counter() - start
            filled = fill_source(
                source,
                items=args.items,
                questions=args.questions,
                attach_every=args.attach_every,
                seed=round_no,
            )
            fill = time.perf_counter() - start
            parts = ", ".join(
                f"{k} {v:.0f} s" for k, v in {"onboarding": made, **filled.seconds}.items()
            )
            print(f"round {round_no}: provinces made and filled in {fill:.0f} s ({parts})",
                  flush=True)  # fmt: skip
            result = {
                "filled": filled,
                "fill": fill,
                "source_rows": schema_rows(source.schema_name),
                "target_rows": schema_rows(target.schema_name),
            }
            result["baseline"] = baseline(source)
            print(f"round {round_no}: backup + restore {result['baseline']['seconds']:.1f} s",
                  flush=True)  # fmt: skip
            rounds.append(result)
            if args.skip_merge:
                continue
            source.refresh_from_db()
            result["merge"] = merge(source, target, effective_from=effective_from, actor=ops[0])
            print(f"round {round_no}: merge {result['merge']['seconds']:.1f} s "
                  f"({result['merge']['status']})", flush=True)  # fmt: skip
        if not args.skip_merge:
            report(rounds)
    finally:
        if not args.keep:
            clean_up()
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
