"""Rename, merge and retire agencies of one province (tenants.agencies), from a JSON file of
changes or the shortcuts, with a dry run; the plan is printed in Vietnamese."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from tenants.agencies import (
    AgencyChangeError,
    agency_changes_apply,
    agency_changes_plan,
)
from tenants.selectors import province_list

MAX_FILE_BYTES = 1024 * 1024  # 200 changes of 4 strings of 255 characters fit many times over


def plan_lines(plan: dict) -> list[str]:
    """The plan as an operator reads it on a terminal: each change, what moves, what is
    renamed and redirected, and every problem."""
    lines = [
        _("Tỉnh: %(name)s (%(slug)s)") % {"name": plan["province_name"], "slug": plan["province"]}
    ]
    for change in plan["changes"]:
        agency = change["agency"] or {}
        target = change["target"] or {}
        head = f"{change['index'] + 1}. {change['action_label']}: {agency.get('name', '?')}"
        if target:
            head += f" → {target['name']}"
        lines.append(head)
        rename = change["rename"]
        if rename:
            lines.append(
                "   "
                + _("Tên mới: %(after)s (trước: %(before)s)")
                % {"after": rename["name_after"], "before": rename["name_before"]}
            )
            if rename["short_name_after"] != rename["short_name_before"]:
                lines.append(
                    "   "
                    + _("Tên viết tắt mới: %(short)s")
                    % {"short": rename["short_name_after"] or "—"}
                )
            if rename["label_after"] != rename["label_before"]:
                lines.append(
                    "   " + _("Nhãn trang mới: %(label)s") % {"label": rename["label_after"]}
                )
        moves = change["moves"]
        if moves:
            items = "; ".join(f"{row['label']}: {row['count']}" for row in moves["items"])
            lines.append(
                "   "
                + _("Nội dung chuyển sang: %(total)d mục (%(kinds)s)")
                % {"total": moves["items_total"], "kinds": items or "—"}
            )
            lines.append(
                "   "
                + _(
                    "Chuyên mục: %(categories)d; lĩnh vực Hỏi – Đáp: %(topics)d; câu hỏi đang "
                    "xử lý: %(open)d, đã xong: %(closed)d"
                )
                % {
                    "categories": moves["categories"],
                    "topics": moves["topics"],
                    "open": moves["questions_open"],
                    "closed": moves["questions_closed"],
                }
            )
            lines.append(
                "   "
                + _(
                    "Phân công vai trò: %(moved)d chuyển, %(dropped)d bỏ vì trùng; uỷ quyền "
                    "đang hiệu lực: %(delegations)d"
                )
                % {
                    "moved": moves["role_assignments"],
                    "dropped": moves["role_assignments_dropped"],
                    "delegations": moves["delegations"],
                }
            )
        for role in change["dropped_roles"]:
            lines.append(
                "   "
                + _("Bỏ vai trò trùng: %(user)s – %(role)s")
                % {"user": role["user"], "role": role["role"]}
            )
        for row in change["slug_renames"]:
            lines.append(
                "   "
                + _("Đổi địa chỉ %(what)s: %(old)s → %(new)s")
                % {"what": row["what_label"], "old": row["old_path"], "new": row["new_path"]}
            )
        for host in change["new_hosts"]:
            lines.append("   " + _("Tên miền mới: %(host)s") % {"host": host})
        for redirect in change["host_redirects"]:
            lines.append(
                "   "
                + _("Chuyển hướng: %(host)s → %(target)s")
                % {"host": redirect["host"], "target": redirect["target_host"]}
            )
    if plan["problems"]:
        lines.append(_("Vấn đề (chưa thực hiện gì):"))
        lines += [f"  - {p['path']}: {p['message']}" for p in plan["problems"]]
    elif plan["applied"]:
        lines.append(_("Đã thực hiện."))
    else:
        lines.append(_("Chạy thử: chưa thay đổi gì."))
    return lines


class Command(BaseCommand):
    help = (
        "Rename, merge and retire agencies of one province (the 2025 reform): their content, "
        "questions, roles and hosts follow. Changes from --changes FILE.json first, then the "
        "--rename, --merge and --retire shortcuts in that order; --dry-run prints the plan only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="the province's slug")
        parser.add_argument(
            "--changes", help='a JSON file: a list of {"action": "rename"|"merge"|"retire", …}'
        )
        parser.add_argument(
            "--rename", nargs=2, action="append", default=[], metavar=("AGENCY", "NEW_NAME")
        )
        parser.add_argument(
            "--merge", nargs=2, action="append", default=[], metavar=("AGENCY", "INTO")
        )
        parser.add_argument(
            "--retire", nargs=2, action="append", default=[], metavar=("AGENCY", "SUCCESSOR")
        )
        parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
        parser.add_argument("--operator", help="the operator's username, named in the audit")

    def handle(self, *args, **options):
        if connection.schema_name != get_public_schema_name():
            raise CommandError("run it on the platform (public) schema")
        province = province_list().filter(slug=str(options["province"])[:40]).first()
        if province is None:
            raise CommandError(f"unknown province '{options['province']}'")
        changes = self._changes(options)
        actor = self._operator(options.get("operator"))
        if options["dry_run"]:
            plan = agency_changes_plan(province=province, changes=changes)
        else:
            try:
                plan = agency_changes_apply(province=province, changes=changes, actor=actor)
            except AgencyChangeError as error:
                if not error.plan:
                    raise CommandError(f"{error.code}: {error.message}") from error
                plan = error.plan
        self.stdout.write("\n".join(plan_lines(plan)))
        if plan["problems"]:
            raise CommandError(_("Các thay đổi có vấn đề; chưa thực hiện gì."))

    def _changes(self, options) -> list:
        changes: list = []
        if options.get("changes"):
            path = Path(options["changes"])
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise CommandError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CommandError(f"{path}: {error}") from error
            if isinstance(loaded, dict) and "changes" in loaded:
                loaded = loaded["changes"]
            if not isinstance(loaded, list):
                raise CommandError(f"{path}: expected a list of changes")
            changes += loaded
        changes += [{"action": "rename", "agency": a, "name": n} for a, n in options["rename"]]
        changes += [{"action": "merge", "agency": a, "into": t} for a, t in options["merge"]]
        changes += [{"action": "retire", "agency": a, "successor": s} for a, s in options["retire"]]
        if not changes:
            raise CommandError("no change: give --changes FILE.json, --rename, --merge or --retire")
        return changes

    def _operator(self, username: str | None):
        if not username:
            return None
        from accounts.models import User

        user = User.objects.filter(username=username[:150]).first()
        if user is None:
            raise CommandError(f"unknown operator '{username}'")
        return user
