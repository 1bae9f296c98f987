"""Onboarding one province: cloning the migrated template schema vs running every migration;
and `migrate_schemas` with nothing to apply at 5 and at 50 provinces.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python ops/bench/onboarding.py [--rounds 5]

Works on a scratch database `portal_bench` that it drops and re-creates. Prints a Markdown
table (medians, min–max) and the ratios, for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from _django import ROOT, create_database, scratch_database_url, setup, synthetic_profile
from _timing import timed


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def migrate_schemas_seconds(url: str, rounds: int) -> list[float]:
    env = dict(os.environ, DATABASE_URL=url)
    cmd = [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--noinput", "-v0"]
    return [
        timed(lambda: subprocess.run(cmd, env=env, check=True, cwd=ROOT)) for _ in range(rounds)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--provinces", type=int, default=50)
    args = parser.parse_args()

    url = scratch_database_url("portal_bench")
    create_database(url)
    setup("portal_bench")
    from django.core.management import call_command
    from django.test.utils import override_settings

    from provinces.loader import resolve_profile
    from tenants.services import platform_tenant_ensure, province_onboard, template_schema_ensure

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_tenant_ensure()
    template_schema_ensure()
    base = resolve_profile("hagiang")

    from tenants.models import Province

    def provinces_now() -> int:
        return Province.objects.filter(is_template=False).exclude(schema_name="public").count()

    index = 0

    def fill_to(target: int) -> None:
        nonlocal index
        while provinces_now() < target:
            index += 1
            province_onboard(
                profile=synthetic_profile(base, index), dev_hosts=False, shipped_only=False
            )

    # migrate_schemas with nothing to apply: public + template + N provinces
    noop_rounds = max(3, args.rounds // 2 + 1)
    fill_to(5)
    noop = {5: migrate_schemas_seconds(url, noop_rounds)}

    clone, migrate = [], []
    for _ in range(args.rounds):  # interleaved, so both see the same machine load
        index += 1
        clone.append(
            timed(
                lambda i=index: province_onboard(
                    profile=synthetic_profile(base, i), dev_hosts=False, shipped_only=False
                )
            )
        )
        index += 1
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            migrate.append(
                timed(
                    lambda i=index: province_onboard(
                        profile=synthetic_profile(base, i), dev_hosts=False, shipped_only=False
                    )
                )
            )

    fill_to(args.provinces)
    noop[args.provinces] = migrate_schemas_seconds(url, noop_rounds)

    print("| onboarding one province | median (min–max) |")
    print("|---|---|")
    print(f"| clone the template schema | {summary(clone)} |")
    print(f"| run every migration | {summary(migrate)} |")
    ratio = statistics.median(migrate) / statistics.median(clone)
    print(f"| ratio migrate / clone | {ratio:.1f}× |")
    print()
    print("| `migrate_schemas`, nothing to apply | median (min–max) |")
    print("|---|---|")
    for target, values in noop.items():
        print(f"| {target} provinces | {summary(values)} |")
    small, large = (statistics.median(v) for v in noop.values())
    print(f"| ratio {args.provinces} / 5 | {large / small:.1f}× |")


if __name__ == "__main__":
    main()
