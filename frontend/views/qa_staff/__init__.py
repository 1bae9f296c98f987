"""The staff back office of "Hỏi – Đáp", by concern: the inbox with each item's clock
(inbox.py), who is late (reports.py), an item's page with every action the rules allow
(detail.py, forms.py) and the actions themselves (actions.py)."""

from frontend.views.qa_staff.actions import question_action
from frontend.views.qa_staff.detail import attachment_download, question_detail
from frontend.views.qa_staff.inbox import inbox
from frontend.views.qa_staff.reports import overdue

__all__ = ["attachment_download", "inbox", "overdue", "question_action", "question_detail"]
