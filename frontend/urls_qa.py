"""Hỏi – Đáp pages of a province's hosts. No app_name: frontend/urls_tenant.py includes them
with `path("", include("frontend.urls_qa"))`, so the names below live in its `frontend`
namespace (`frontend:qa_list`, …)."""

from django.urls import path

from frontend.views import qa, qa_staff

urlpatterns = [
    # Citizens, on the province portal's host.
    path("hoi-dap/", qa.question_list, name="qa_list"),
    path("hoi-dap/gui/", qa.question_submit_form, name="qa_submit"),
    path("hoi-dap/da-gui/<str:code>/", qa.question_submitted, name="qa_submitted"),
    path("hoi-dap/tra-cuu/", qa.question_track, name="qa_track"),
    path("hoi-dap/du-lieu-cua-toi/", qa.asker_data, name="qa_my_data"),
    # Staff back office.
    path("staff/hoi-dap/", qa_staff.inbox, name="staff_qa_inbox"),
    path("staff/hoi-dap/tre-han/", qa_staff.overdue, name="staff_qa_overdue"),
    path("staff/hoi-dap/<int:pk>/", qa_staff.question_detail, name="staff_qa_detail"),
    path(
        "staff/hoi-dap/<int:pk>/tep/<int:attachment_pk>/",
        qa_staff.attachment_download,
        name="staff_qa_attachment",
    ),
    path(
        "staff/hoi-dap/<int:pk>/<slug:action>/",
        qa_staff.question_action,
        name="staff_qa_action",
    ),
]
