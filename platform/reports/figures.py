"""Activity figures of a province, an agency or a component site over a period (issue 14, Must
have 1): what the reports are drafted from, what the compliance pages and the API show.

CONTRACT (the shape other code builds on; the computation is in this module):

    activity_figures(*, start: date, end: date, agency: Agency | None = None,
                     site: ComponentSite | None = None, now: datetime | None = None) -> Figures

`start`..`end` are Vietnam dates, both inclusive. agency and site None: the whole province
(its portal and every component site). Every figure is computed by PostgreSQL aggregates (a
bounded number of queries whatever the number of rows).

`Figures.as_dict()` is JSON (stored in Report.figures, served by the API); `Figures.from_dict`
reads it back; `Figures.tables()` gives the tables a report prints (a title, column headings,
rows of plain values) in Vietnamese.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class KindCount:
    kind: str  # editorial Kind value
    label: str  # its Vietnamese name
    count: int


@dataclass(frozen=True)
class CategoryCount:
    category: str  # the category's name ("" for none)
    count: int


@dataclass(frozen=True)
class QuotaFigure:
    agency: str
    content_type: str
    required: int
    supplied: int
    met: bool


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    scope_label: str  # "Toàn tỉnh", the agency's or the site's name
    published_by_kind: list[KindCount] = field(default_factory=list)
    published_by_category: list[CategoryCount] = field(default_factory=list)
    published_total: int = 0
    # Update deadlines (items with an SLA published in the period): on time, late, how late.
    sla_on_time: int = 0
    sla_late: int = 0
    sla_late_max_hours: int = 0
    sla_late_median_hours: int = 0
    sla_overdue_open: int = 0  # past due at `end` and still not published
    quotas: list[QuotaFigure] = field(default_factory=list)
    questions_received: int = 0
    questions_answered: int = 0
    questions_answered_late: int = 0
    questions_open_late: int = 0  # received, not answered, past due at the period's end
    appointments: int = 0  # questions given an appointment (Huế Art. 14(4)(c))
    complaints_received: int = 0
    feedback_received: int = 0
    corrections: int = 0
    withdrawals: int = 0
    procedure_changes: int = 0
    procedure_changes_late: int = 0
    backups: int = 0
    backups_failed: int = 0
    verifications: int = 0
    verifications_failed: int = 0
    page_views: int = 0
    page_views_by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        values = dict(data)
        values["start"] = date.fromisoformat(values["start"])
        values["end"] = date.fromisoformat(values["end"])
        values["published_by_kind"] = [
            KindCount(**row) for row in values.get("published_by_kind", [])
        ]
        values["published_by_category"] = [
            CategoryCount(**row) for row in values.get("published_by_category", [])
        ]
        values["quotas"] = [QuotaFigure(**row) for row in values.get("quotas", [])]
        return cls(**values)

    def tables(self) -> list[Table]:
        raise NotImplementedError  # reports.figures: to be written


def activity_figures(*, start, end, agency=None, site=None, now=None) -> Figures:
    raise NotImplementedError  # reports.figures: to be written
