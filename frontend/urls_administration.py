"""The province administrator's pages (/staff/quan-tri/). No app_name: frontend/urls_tenant.py
includes them with `path("", include("frontend.urls_administration"))`, so the names below live
in its `frontend` namespace (`frontend:staff_admin_home`, …)."""

from django.urls import path

from frontend.views import administration, administration_agencies

urlpatterns = [
    path("staff/quan-tri/", administration.home, name="staff_admin_home"),
    path("staff/quan-tri/nhat-ky/", administration.audit_log, name="staff_admin_audit"),
    path("staff/quan-tri/khoa-api/", administration.api_keys, name="staff_admin_api_keys"),
    path(
        "staff/quan-tri/khoa-api/<int:pk>/thu-hoi/",
        administration.api_key_revoke_view,
        name="staff_admin_api_key_revoke",
    ),
    # Staff accounts and their roles.
    path("staff/quan-tri/can-bo/", administration.users, name="staff_admin_users"),
    path("staff/quan-tri/can-bo/them/", administration.user_new, name="staff_admin_user_new"),
    path("staff/quan-tri/can-bo/<int:pk>/", administration.user_detail, name="staff_admin_user"),
    path(
        "staff/quan-tri/can-bo/<int:pk>/cap-lai-mat-khau/",
        administration.user_reset,
        name="staff_admin_user_reset",
    ),
    path(
        "staff/quan-tri/can-bo/<int:pk>/xac-thuc-hai-lop/",
        administration.user_second_factor_reset_view,
        name="staff_admin_user_otp_reset",
    ),
    path(
        "staff/quan-tri/can-bo/<int:pk>/trang-thai/",
        administration.user_active,
        name="staff_admin_user_active",
    ),
    path(
        "staff/quan-tri/can-bo/<int:pk>/vai-tro/",
        administration.user_role_add,
        name="staff_admin_user_role_add",
    ),
    path(
        "staff/quan-tri/can-bo/<int:pk>/vai-tro/<int:assignment_pk>/go/",
        administration.user_role_remove,
        name="staff_admin_user_role_remove",
    ),
    # Hỏi – Đáp topics and the agency each routes to.
    path("staff/quan-tri/linh-vuc/", administration.topics, name="staff_admin_topics"),
    path("staff/quan-tri/linh-vuc/<int:pk>/", administration.topic_edit, name="staff_admin_topic"),
    path(
        "staff/quan-tri/linh-vuc/<int:pk>/trang-thai/",
        administration.topic_active,
        name="staff_admin_topic_active",
    ),
    # The agencies' public contacts and leaders (/lien-he/, /en/contacts/).
    path(
        "staff/quan-tri/co-quan/",
        administration_agencies.agencies,
        name="staff_admin_agencies",
    ),
    path(
        "staff/quan-tri/co-quan/<int:pk>/",
        administration_agencies.agency_contacts,
        name="staff_admin_agency",
    ),
    path(
        "staff/quan-tri/co-quan/<int:pk>/lanh-dao/them/",
        administration_agencies.leader_new,
        name="staff_admin_leader_add",
    ),
    path(
        "staff/quan-tri/co-quan/<int:pk>/lanh-dao/<int:leader_pk>/",
        administration_agencies.leader_edit,
        name="staff_admin_leader",
    ),
    path(
        "staff/quan-tri/co-quan/<int:pk>/lanh-dao/<int:leader_pk>/go/",
        administration_agencies.leader_delete,
        name="staff_admin_leader_remove",
    ),
    # News categories of the portal and of each component site.
    path("staff/quan-tri/chuyen-muc/", administration.categories, name="staff_admin_categories"),
    path(
        "staff/quan-tri/trinh-don-va-chan-trang/",
        administration.site_details,
        name="staff_admin_site_details",
    ),
    path(
        "staff/quan-tri/chuyen-muc/<int:pk>/",
        administration.category_edit,
        name="staff_admin_category",
    ),
    path(
        "staff/quan-tri/chuyen-muc/<int:pk>/xoa/",
        administration.category_remove,
        name="staff_admin_category_remove",
    ),
]
