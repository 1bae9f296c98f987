"""A merge job's plan and progress as people read them (issue 16), for the operators' console
and the `merge_provinces` command alike: each part of the dry run's report (tenants.merging,
`MergeJob.plan`) becomes a titled table of plain cells, the stages get their names, the verify
stage's counts their match marks. Pure functions of the stored JSON: a plan written by an older
engine, or missing a part, shows what it has and never fails a page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

# The engine's stages in their order (tenants.merging.STAGES), named for people.
STAGE_LABELS: dict[str, StrOrPromise] = {
    "backup": _("Sao lưu tỉnh được hợp nhất"),
    "organization": _("Cơ quan và trang thành phần"),
    "staff": _("Tài khoản và vai trò"),
    "content": _("Bài viết, trang và thủ tục"),
    "questions": _("Hỏi đáp"),
    "records": _("Báo cáo và sổ nhuận bút"),
    "files": _("Tệp"),
    "cutover": _("Chuyển tên miền sang tỉnh mới"),
    "verify": _("Đối chiếu số lượng"),
}
STAGE_STATUS_LABELS: dict[str, StrOrPromise] = {
    "done": _("Xong"),
    "failed": _("Lỗi"),
    "running": _("Đang chạy"),
    "": _("Chưa chạy"),
}
RESOLUTION_LABELS: dict[str, StrOrPromise] = {
    "target": _("Giữ thủ tục của tỉnh nhận"),
    "source": _("Dùng thủ tục của tỉnh được hợp nhất"),
}
MAX_CELL_CHARS = 500  # one cell of a table (a name, a sentence)
MAX_HOSTS_LISTED = 50  # host pairs named in the sites' sentence (the table has every site)


@dataclass
class Section:
    """One part of the plan: a title, sentences before the table, the table (headers and rows
    of text), and what to say when the table is empty."""

    key: str
    title: StrOrPromise
    notes: list[str] = field(default_factory=list)
    headers: list[StrOrPromise] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty: StrOrPromise = ""
    blocking: bool = False  # the problems: the merge cannot run while there are any


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…"


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands: 12.345


def _date(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return _text(value)


def _rows(plan: dict, key: str) -> list[dict]:
    value = plan.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _sentences(plan: dict, key: str) -> list[str]:
    value = plan.get(key)
    return [_text(item) for item in value if item] if isinstance(value, list) else []


def stage_label(stage: str) -> StrOrPromise:
    # The engine's progress ends with "done" once every stage is.
    return STAGE_LABELS.get(stage) or (_("Hoàn tất") if stage == "done" else stage)


def _yes_no(value: Any, yes: StrOrPromise, no: StrOrPromise) -> str:
    return str(yes if value else no)


def plan_sections(plan: dict) -> list[Section]:
    """The dry run's report, part by part, in the order an operator reads it."""
    plan = plan if isinstance(plan, dict) else {}
    sections: list[Section] = []

    profile = plan.get("profile") if isinstance(plan.get("profile"), dict) else {}
    notes = []
    if profile.get("effective_from"):
        notes.append(
            str(
                _("Phiên bản hồ sơ quy chế của tỉnh nhận có hiệu lực từ %(date)s.")
                % {"date": _date(profile["effective_from"])}
            )
        )
    if profile.get("starts_on_date"):
        notes.append(str(_("Phiên bản này bắt đầu có hiệu lực đúng ngày hợp nhất.")))
    if profile.get("note"):
        notes.append(_text(profile["note"]))
    sections.append(
        Section(
            key="profile",
            title=_("Hồ sơ quy chế áp dụng"),
            notes=notes,
            empty=_("Kế hoạch không nêu hồ sơ quy chế áp dụng."),
        )
    )

    sections.append(
        Section(
            key="counts",
            title=_("Số lượng theo loại"),
            headers=[
                _("Loại"),
                _("Bước"),
                _("Hiện có"),
                _("Sẽ chuyển"),
                _("Không chuyển"),
                _("Lý do"),
            ],
            rows=[
                [
                    _text(row.get("label") or row.get("table")),
                    str(stage_label(str(row.get("stage") or ""))),
                    _number(row.get("source")),
                    _number(row.get("to_move")),
                    _number(row.get("not_moved")),
                    _text(row.get("why")),
                ]
                for row in _rows(plan, "counts")
            ],
            empty=_("Tỉnh được hợp nhất không có dữ liệu để chuyển."),
        )
    )

    sections.append(
        Section(
            key="agencies",
            title=_("Cơ quan"),
            headers=[_("Tên hiện tại"), _("Tên sau hợp nhất"), _("Đổi tên")],
            rows=[
                [
                    _text(row.get("name")),
                    _text(row.get("new_name")),
                    _yes_no(row.get("renamed"), _("Có"), _("Không")),
                ]
                for row in _rows(plan, "agencies")
            ],
            empty=_("Không có cơ quan nào."),
        )
    )

    former = plan.get("former_portal") if isinstance(plan.get("former_portal"), dict) else {}
    site_notes = []
    if former:
        site_notes.append(
            str(
                _(
                    "Cổng của tỉnh được hợp nhất trở thành trang thành phần %(label)s của "
                    "%(agency)s (tên miền %(host)s)."
                )
                % {
                    "label": _text(former.get("label")),
                    "agency": _text(former.get("agency")),
                    "host": _text(former.get("host")),
                }
            )
        )
    hosts = _rows(plan, "hosts")
    if hosts:
        site_notes.append(
            str(
                _(
                    "Các tên miền cũ chuyển hướng (301) đến cùng nội dung trên tên miền mới: "
                    "%(pairs)s."
                )
                % {
                    "pairs": "; ".join(
                        f"{_text(row.get('host'))} → {_text(row.get('target_host'))}"
                        for row in hosts[:MAX_HOSTS_LISTED]
                    )
                    + ("; …" if len(hosts) > MAX_HOSTS_LISTED else "")
                }
            )
        )
    sections.append(
        Section(
            key="sites",
            title=_("Trang thành phần và tên miền"),
            notes=site_notes,
            headers=[_("Tên miền cũ"), _("Tên miền mới"), _("Nhãn cũ"), _("Nhãn mới")],
            rows=[
                [
                    _text(row.get("host")),
                    _text(row.get("new_host")),
                    _text(row.get("label")),
                    _text(row.get("new_label")),
                ]
                for row in _rows(plan, "sites")
            ],
            empty=_("Không có trang thành phần nào."),
        )
    )

    rule = plan.get("username_rule")
    sections.append(
        Section(
            key="users",
            title=_("Tài khoản (quy tắc trùng tên)"),
            notes=[_text(rule)] if rule else [],
            headers=[_("Tên đăng nhập"), _("Tên đăng nhập mới"), _("Họ và tên"), _("Đổi tên")],
            rows=[
                [
                    _text(row.get("username")),
                    _text(row.get("new_username")),
                    _text(row.get("full_name")),
                    _yes_no(row.get("renamed"), _("Có"), _("Không")),
                ]
                for row in _rows(plan, "users")
            ],
            empty=_("Không có tài khoản nào."),
        )
    )

    target_roles = {
        str(row.get("code")): _text(row.get("name")) for row in _rows(plan, "role_choices")
    }
    sections.append(
        Section(
            key="roles",
            title=_("Vai trò"),
            headers=[
                _("Vai trò"),
                _("Số người giữ"),
                _("Được chuyển"),
                _("Không chuyển"),
                _("Vai trò ở tỉnh nhận"),
                _("Ghi chú"),
            ],
            rows=[
                [
                    _text(row.get("name") or row.get("code")),
                    _number(row.get("holders")),
                    _number(row.get("mapped")),
                    _number(row.get("not_mapped")),
                    target_roles.get(str(row.get("target_code")), "—"),
                    _text(row.get("note")),
                ]
                for row in _rows(plan, "roles")
            ],
            empty=_("Không có vai trò nào được giao."),
        )
    )

    sections.append(
        Section(
            key="topics",
            title=_("Lĩnh vực hỏi đáp"),
            headers=[_("Lĩnh vực"), _("Địa chỉ cũ"), _("Địa chỉ mới"), _("Sau hợp nhất")],
            rows=[
                [
                    _text(row.get("name")),
                    _text(row.get("slug")),
                    _text(row.get("new_slug")),
                    str(
                        _("Gộp vào lĩnh vực cùng tên của %(agency)s")
                        % {"agency": _text(row.get("agency"))}
                        if row.get("joins")
                        else _("Lĩnh vực mới ở tỉnh nhận")
                    ),
                ]
                for row in _rows(plan, "topics")
            ],
            empty=_("Không có lĩnh vực hỏi đáp nào."),
        )
    )

    sections.append(
        Section(
            key="procedure_conflicts",
            title=_("Thủ tục trùng mã"),
            notes=(
                [
                    str(
                        _(
                            "Hai tỉnh có thủ tục cùng mã quốc gia: chọn giữ thủ tục của tỉnh "
                            "nhận hay dùng thủ tục của tỉnh được hợp nhất."
                        )
                    )
                ]
                if _rows(plan, "procedure_conflicts")
                else []
            ),
            headers=[
                _("Mã thủ tục"),
                _("Thủ tục của tỉnh được hợp nhất"),
                _("Thủ tục của tỉnh nhận"),
                _("Lựa chọn"),
            ],
            rows=[
                [
                    _text(row.get("code")),
                    _text(row.get("source_title")),
                    _text(row.get("target_title")),
                    str(RESOLUTION_LABELS.get(str(row.get("resolution")), _("Chưa chọn"))),
                ]
                for row in _rows(plan, "procedure_conflicts")
            ],
            empty=_("Không có thủ tục nào trùng mã."),
        )
    )

    problems = _sentences(plan, "problems")
    sections.append(
        Section(
            key="problems",
            title=_("Vấn đề cần xử lý"),
            notes=problems,
            empty=_("Không có vấn đề nào: có thể chạy hợp nhất."),
            blocking=bool(problems),
        )
    )
    sections.append(
        Section(
            key="warnings",
            title=_("Lưu ý"),
            notes=_sentences(plan, "warnings"),
            empty=_("Không có lưu ý nào."),
        )
    )
    return sections


def plan_problems(plan: dict) -> list[str]:
    """The blocking problems of the dry run (the merge cannot run while there are any)."""
    return _sentences(plan if isinstance(plan, dict) else {}, "problems")


def procedure_conflicts(plan: dict) -> list[dict[str, str]]:
    """The procedures both provinces hold under one national code, as the answers' form reads
    them: code, both titles, the stored answer ("target", "source" or "")."""
    return [
        {
            "code": str(row.get("code") or ""),
            "source_title": _text(row.get("source_title")),
            "target_title": _text(row.get("target_title")),
            "resolution": str(row.get("resolution") or ""),
        }
        for row in _rows(plan if isinstance(plan, dict) else {}, "procedure_conflicts")
        if row.get("code")
    ]


def role_answers(plan: dict, resolutions: dict) -> list[dict[str, Any]]:
    """The merged province's roles someone holds, as the answers' form reads them: code, name,
    holders, the role it maps to now, the operator's stored answer ("" for none), and the
    receiving province's roles held per agency it may map to."""
    plan = plan if isinstance(plan, dict) else {}
    chosen = resolutions.get("roles") if isinstance(resolutions, dict) else None
    chosen = chosen if isinstance(chosen, dict) else {}
    return [
        {
            "code": str(row.get("code")),
            "name": _text(row.get("name") or row.get("code")),
            "holders": row.get("holders") if isinstance(row.get("holders"), int) else 0,
            "target_code": str(row.get("target_code") or ""),
            "chosen": str(chosen.get(row.get("code")) or ""),
        }
        for row in _rows(plan, "roles")
        if row.get("code") and isinstance(row.get("holders"), int) and row["holders"] > 0
    ]


def role_choices(plan: dict) -> list[tuple[str, str]]:
    """(code, name) of each role the receiving province holds per agency: what a merged
    province's role may be mapped to (a merge never grants a province-wide role)."""
    plan = plan if isinstance(plan, dict) else {}
    return [
        (str(row.get("code")), _text(row.get("name") or row.get("code")))
        for row in _rows(plan, "role_choices")
        if row.get("code")
    ]


def stage_rows(stages: dict, *, order: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Each stage with its status in words, its rows and its error; the engine's order."""
    stages = stages if isinstance(stages, dict) else {}
    names = list(order or STAGE_LABELS)
    names += [name for name in stages if name not in names]
    rows = []
    for name in names:
        state = stages.get(name) if isinstance(stages.get(name), dict) else {}
        status = str(state.get("status") or "")
        rows.append(
            {
                "stage": name,
                "label": stage_label(name),
                "status": status,
                "status_label": STAGE_STATUS_LABELS.get(status, _text(status)),
                "rows": state.get("rows") if isinstance(state.get("rows"), int) else None,
                "error": _text(state.get("error")) if state.get("error") else "",
                "started_at": state.get("started_at") or "",
                "finished_at": state.get("finished_at") or "",
            }
        )
    return rows


def verify_rows(stages: dict) -> list[dict[str, Any]]:
    """The verify stage's before/after counts: each table's count in the merged province, what
    arrived in the province it joined, what was not moved on purpose, and whether they match."""
    verify = stages.get("verify") if isinstance(stages, dict) else None
    counts = verify.get("counts") if isinstance(verify, dict) else None
    if not isinstance(counts, list):
        return []
    return [
        {
            "label": _text(row.get("label") or row.get("table")),
            "source": _number(row.get("source")),
            "arrived": _number(row.get("arrived")),
            "not_moved": _number(row.get("not_moved")),
            "match": bool(row.get("match")),
        }
        for row in counts
        if isinstance(row, dict)
    ]
