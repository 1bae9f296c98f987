"""Pages of a province's hosts: the portal, its component sites and the staff back office."""

from django.urls import include, path, re_path

from frontend.views import (
    backoffice,
    catalogue_staff,
    comments,
    contacts,
    dashboard,
    delegations,
    discovery,
    documents,
    drafts,
    english,
    language,
    look,
    portal,
    procedures,
    public,
    review,
    search,
    staff,
    staff_editor,
    two_factor,
)
from frontend.views import sections as section_pages

app_name = "frontend"

urlpatterns = [
    path("", portal.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/", language.choose_language, name="choose_language"),
    # The profile's colour as a stylesheet (no inline style under the Content-Security-Policy).
    re_path(
        r"^giao-dien/(?P<colour>[0-9a-f]{6})\.css$",
        look.theme_stylesheet,
        name="theme_stylesheet",
    ),
    # Citizens: the news list and an item's page on the portal and every component site.
    path("tin-tuc/", public.item_list, name="item_list"),
    # The profile's required sections and the portal's legal basis (frontend/views/sections.py).
    path("chuyen-muc/<slug:slug>/", section_pages.section_page, name="section"),
    path("co-so-phap-ly/", section_pages.legal_basis, name="legal_basis"),
    path("tim-kiem/", search.search, name="search"),
    path("bai-viet/<slug:slug>/", public.item_page, name="item"),
    path("tep/<int:pk>/", public.attachment_download, name="attachment"),
    path("bai-viet/<slug:slug>/gop-y/", drafts.draft_comment, name="item_comment"),
    # Legal documents and drafts open for comment (frontend/views/documents.py, drafts.py).
    path("van-ban/", documents.document_list, name="documents"),
    path("du-thao/", drafts.draft_list, name="drafts"),
    # The public-service catalogue and a procedure's page (frontend/views/procedures.py).
    path("thu-tuc/", procedures.procedure_list, name="procedures"),
    path("thu-tuc/<str:code>/", procedures.procedure_page, name="procedure"),
    path(
        "en/article/<slug:slug>/",
        public.item_page,
        {"language": "en"},
        name="item_translation",
    ),
    # Feeds, sitemap, robots.txt and an article saved as one file (frontend/views/discovery.py).
    path("rss.xml", discovery.rss, name="rss"),
    path("rss/<slug:slug>.xml", discovery.category_rss, name="category_rss"),
    path("sitemap.xml", discovery.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", discovery.sitemap_section, name="sitemap_section"),
    path("robots.txt", discovery.robots, name="robots"),
    path("bai-viet/<slug:slug>/luu/", discovery.item_save, name="item_save"),
    path(
        "en/article/<slug:slug>/save/",
        discovery.item_save,
        {"language": "en"},
        name="item_translation_save",
    ),
    # Contacts, and the English pages where the profile has an English version.
    path("lien-he/", contacts.contacts, name="contacts"),
    path("en/", english.home, name="en_home"),
    path("en/organisation/", english.organisation, name="en_organisation"),
    path("en/contacts/", english.contacts, name="en_contacts"),
    # Staff.
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/login/", staff.login, name="login"),
    path("staff/logout/", staff.logout, name="logout"),
    path("staff/password/", staff.password_change, name="password_change"),
    # The second factor (ADR 0022): the code after the password, enrolment, the account's page.
    path("staff/login/xac-thuc/", two_factor.verify, name="two_factor_verify"),
    path("staff/bao-mat/", two_factor.security, name="two_factor_security"),
    path("staff/bao-mat/dang-ky/", two_factor.enrol, name="two_factor_enrol"),
    path(
        "staff/bao-mat/ma-khoi-phuc/",
        two_factor.recovery_renew,
        name="two_factor_recovery_renew",
    ),
    path("staff/queue/", backoffice.queue, name="staff_queue"),
    path("staff/items/", backoffice.item_list, name="staff_items"),
    path("staff/items/new/", backoffice.item_new, name="staff_item_new"),
    path("staff/items/<int:pk>/", backoffice.item_edit, name="staff_item"),
    path(
        "staff/items/<int:pk>/tep/<int:attachment_pk>/",
        backoffice.item_attachment,
        name="staff_item_attachment",
    ),
    path("staff/items/<int:pk>/decide/", review.item_decide, name="staff_item_decide"),
    path("staff/items/<int:pk>/duyet/", review.item_review, name="staff_item_review"),
    path("staff/items/<int:pk>/correct/", backoffice.item_correct_view, name="staff_item_correct"),
    path(
        "staff/items/<int:pk>/withdraw/", backoffice.item_withdraw_view, name="staff_item_withdraw"
    ),
    path(
        "staff/items/<int:pk>/unpublish/",
        backoffice.item_unpublish_view,
        name="staff_item_unpublish",
    ),
    path("staff/items/<int:pk>/attachments/", backoffice.item_attach, name="staff_item_attach"),
    path("staff/items/<int:pk>/share/", backoffice.item_share, name="staff_item_share"),
    path("staff/items/<int:pk>/history/", backoffice.item_history_view, name="staff_item_history"),
    path("staff/items/<int:pk>/diff/", backoffice.item_diff, name="staff_item_diff"),
    path("staff/items/<int:pk>/xem-truoc/", staff_editor.item_preview, name="staff_item_preview"),
    path("staff/delegations/", delegations.delegations, name="staff_delegations"),
    path(
        "staff/delegations/<int:pk>/revoke/",
        delegations.delegation_revoke_view,
        name="staff_delegation_revoke",
    ),
    path("staff/dashboard/", dashboard.dashboard, name="staff_dashboard"),
    # The catalogue of procedures: list, import with its progress, export (catalogue_staff.py).
    path("staff/thu-tuc/", catalogue_staff.procedures, name="staff_procedures"),
    path("staff/thu-tuc/nhap/", catalogue_staff.procedure_import, name="staff_procedure_import"),
    path(
        "staff/thu-tuc/nhap/<int:pk>/",
        catalogue_staff.import_progress,
        name="staff_procedure_import_job",
    ),
    path(
        "staff/thu-tuc/xuat.<slug:fmt>",
        catalogue_staff.procedure_export,
        name="staff_procedure_export",
    ),
    # Citizens' comments on drafts: moderation and the synthesis (frontend/views/comments.py).
    path("staff/gop-y/", comments.overview, name="staff_comments"),
    path("staff/gop-y/<int:pk>/", comments.draft_page, name="staff_comments_draft"),
    path("staff/gop-y/<int:pk>/tong-hop/", comments.synthesis, name="staff_comments_synthesis"),
    path("staff/gop-y/<int:pk>/tong-hop.csv", comments.synthesis_csv, name="staff_comments_csv"),
    path("staff/gop-y/<int:pk>/tong-hop.xlsx", comments.synthesis_xlsx, name="staff_comments_xlsx"),
    path("staff/gop-y/y-kien/<int:pk>/", comments.comment_decide, name="staff_comment_decide"),
    # Hỏi – Đáp (citizens and staff): its own module, same namespace.
    path("", include("frontend.urls_qa")),
    path("", include("frontend.urls_reports")),
    path("", include("frontend.urls_royalties")),
    # The province administrator's pages (/staff/quan-tri/): same namespace.
    path("", include("frontend.urls_administration")),
]
