"""Due dates of a question received at the edges of the working calendar, for each province's
profile, each checkable by hand (Thái Nguyên Art. 14(4): 5 working days within competence,
the clock from 08:00; the others: Decree 43/2011 Art. 17, 15 working days, as their text cites
or as the platform default).

Calendar used (2026): Tết holidays Mon 16 – Fri 20 Feb; the government's swap of Mon 31 Aug
(off) for Sat 22 Aug (worked); National Day Tue 1 – Wed 2 Sep. Due = 17:00 of the N-th working
day, day 1 being the day the clock starts (ADR 0004)."""

from datetime import datetime

import pytest

from provinces.calendar import TZ
from qa.models import Question
from tests.factories.qa import submitted


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# received → (due for 5 working days, due for 15 working days)
CASES = {
    # Wed 4 Mar, before 08:00: day 1 = Wed 4 → 5th: Tue 10; 15th: Tue 24
    "working day 07:59": ("2026-03-04 07:59", "2026-03-10", "2026-03-24"),
    # 08:00 sharp is "from 08:00": the same day counts (ADR 0004)
    "working day 08:00": ("2026-03-04 08:00", "2026-03-10", "2026-03-24"),
    # 16:59: the clock starts Thu 5 → 5th: Wed 11; 15th: Wed 25
    "working day 16:59": ("2026-03-04 16:59", "2026-03-11", "2026-03-25"),
    # Sat 7 Mar: Mon 9 is day 1 → 5th: Fri 13; 15th: Fri 27
    "saturday": ("2026-03-07 10:00", "2026-03-13", "2026-03-27"),
    # Fri 13 Feb, the day before the Tết holidays: Mon 23 is day 1 → Fri 27 Feb; Fri 13 Mar
    "day before tet": ("2026-02-13 10:00", "2026-02-27", "2026-03-13"),
    # Sat 22 Aug is a make-up working day: 07:30 → day 1 = Sat 22 → 5th: Thu 27 Aug;
    # 15th: Aug 22, 24-28 (6), 31 Aug-2 Sep off, Sep 3, 4, 7-11, 14, 15 → Tue 15 Sep
    "make-up saturday 07:30": ("2026-08-22 07:30", "2026-08-27", "2026-09-15"),
    # the same Saturday at 10:00 → day 1 = Mon 24 → 5th: Fri 28; 15th: Wed 16 Sep
    "make-up saturday 10:00": ("2026-08-22 10:00", "2026-08-28", "2026-09-16"),
}
PROVINCE_DAYS = {
    "thainguyen": (5, "QĐ 40/2012 Art. 14(4)(a)"),
    "hagiang": (15, "Decree 43/2011 Art. 17"),
    "dongnai": (15, "Decree 43/2011 Art. 17"),
    "backan": (15, "platform default"),
    "thuathienhue": (15, "platform default"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("slug", list(PROVINCE_DAYS))
def test_due_date_by_hand(qa_province, slug, case):
    _site, _staff, topic = qa_province(slug)
    received, due_5, due_15 = CASES[case]
    days, article = PROVINCE_DAYS[slug]
    question = submitted(topic, received_at=_at(received))
    expected = due_5 if days == 5 else due_15
    assert question.due_at.astimezone(TZ) == _at(f"{expected} 17:00")
    assert question.deadline_working_days == days
    assert article in question.deadline_source
    assert question.status == Question.Status.RECEIVED


def test_a_later_profile_version_does_not_move_a_stored_deadline(qa_province, tmp_path):
    _site, _staff, topic = qa_province("thainguyen")
    question = submitted(topic, email="", phone="0912345678", received_at=_at("2026-03-04 10:00"))
    stored = (question.due_at, question.deadline_rule, question.profile_effective_from)
    question.refresh_from_db()
    assert (question.due_at, question.deadline_rule, question.profile_effective_from) == stored
    assert question.profile_effective_from.isoformat() == "2012-11-16"
