"""`site` in every template: which portal or component site is answering, its names, who runs
it (the footer), its look and its main navigation (ADR 0016)."""

from __future__ import annotations

import logging
import re
from functools import cached_property

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from config.hosts import host_url, is_development_request
from frontend.profiles import english_offered, in_back_office, profile_for
from frontend.public_cache import cached
from frontend.sections import component_site_menu, mark_current, portal_menu, site_content
from provinces.schema import DUBLIN_CORE
from tenants.selectors import province_portal_host
from tenants.services import dev_host_for

logger = logging.getLogger(__name__)

# The platform's own colour where no profile names one (white text on it reads at 8.4:1).
DEFAULT_COLOUR = "#1d4e89"


class SiteContext:
    """Lazy: a page that never shows a value never pays for it."""

    def __init__(self, request):
        self._request = request
        tenant = getattr(request, "tenant", None)
        self.is_platform = tenant is None or tenant.schema_name == get_public_schema_name()
        self.province = None if self.is_platform else tenant
        self.component_site = getattr(request, "component_site", None)

    @cached_property
    def portal_name(self) -> str:
        if self.province is None:
            return _("Nền tảng Cổng thông tin điện tử các tỉnh")
        return self.province.portal_name or self.province.name

    @cached_property
    def site_name(self) -> str:
        """The name this host answers under: the agency's on a component site."""
        if self.component_site is not None:
            return self.component_site.agency.name
        return self.portal_name

    @cached_property
    def portal_url(self) -> str | None:
        """The province portal's home page, as a link from a component site."""
        if self.province is None:
            return None
        development = is_development_request(self._request)
        profile = profile_for(self._request)
        if development:
            host = dev_host_for(self.province.slug)
        elif profile is not None:
            # The portal Domain row is created from this same profile value at onboarding;
            # reading it here saves a query on every page of every component site.
            host = profile.domains.portal
        else:
            host = province_portal_host(self.province, development=False)
        return host_url(self._request, host) if host else None

    @cached_property
    def regulation(self):
        """The province's operating regulation as its profile names it (.title, .instrument)."""
        profile = profile_for(self._request)
        return profile.province if profile is not None else None

    @cached_property
    def language_switch(self) -> bool:
        """Offer the language switch: not to the citizens of a portal without an English
        version (language.english = false); staff choose their back office's language."""
        return english_offered(self._request) or in_back_office(self._request)

    @cached_property
    def submission_mailbox(self) -> str | None:
        """The address agencies send content to the portal's board (Hà Giang Art. 10, Thái
        Nguyên Art. 9(1), Bắc Kạn Art. 7(1)); None where the regulation names none."""
        profile = profile_for(self._request)
        return profile.language.submission_mailbox if profile is not None else None

    @cached_property
    def dublin_core(self) -> tuple[str, ...]:
        """The Dublin Core elements the province's pages carry (page_metadata.elements; Decree
        43/2011 Art. 14, Circular 24/2011/TT-BTTTT); none without the table."""
        profile = profile_for(self._request)
        metadata = profile.page_metadata if profile is not None else None
        if metadata is None or metadata.standard != DUBLIN_CORE:
            return ()
        return tuple(metadata.elements)

    @cached_property
    def managing_body(self):
        """Who runs the portal and how to reach them (the profile's `portal` table: managing
        body, address, phone, e-mail, the person responsible, licence), or None."""
        profile = profile_for(self._request)
        return profile.portal if profile is not None else None

    @cached_property
    def managing_body_facts(self) -> list[dict[str, str]]:
        """What the footer says of who runs the portal, [{label, value, href}], in order; the
        licence only where the profile has one."""
        portal = self.managing_body
        if portal is None:
            return []
        facts = [
            (_("Cơ quan quản lý"), portal.managing_body, ""),
            (_("Địa chỉ"), portal.address, ""),
            (_("Điện thoại"), portal.phone, "tel:" + re.sub(r"[^0-9+]", "", portal.phone)),
            (_("Thư điện tử"), portal.email, f"mailto:{portal.email}"),
            (_("Chịu trách nhiệm nội dung"), portal.responsible, ""),
            (_("Giấy phép"), portal.licence or "", ""),
        ]
        return [
            {"label": label, "value": value, "href": href} for label, value, href in facts if value
        ]

    @cached_property
    def theme(self) -> dict[str, str | None]:
        """The portal's colour and emblem (portal.colour, portal.emblem), for the look."""
        portal = self.managing_body
        emblem_url = None
        if portal is not None and portal.emblem:
            try:
                emblem_url = static(portal.emblem)
            except ValueError:  # not among the collected static files: the default emblem
                logger.warning("emblem %s of the profile is not a static file", portal.emblem)
        return {
            "colour": portal.colour if portal is not None else DEFAULT_COLOUR,
            "emblem_url": emblem_url,
        }

    @cached_property
    def links(self) -> list[dict[str, str]]:
        """The systems the portal is connected to that citizens can visit (an integration of
        the profile with `settings.host`: QĐ 40/2012 Art. 8(1), QĐ 11/2024 Art. 3(2))."""
        profile = profile_for(self._request)
        if profile is None:
            return []
        return [
            {"label": integration.name, "url": f"https://{integration.settings['host']}/"}
            for integration in profile.integrations
            if integration.settings.get("host")
        ]

    @cached_property
    def menu(self) -> list[dict]:
        """The main navigation, [{label, url, current}]: on the portal, home and the required
        sections that have published content, then the pages no section stands for; on a
        component site, its news, its categories, its Q&A and contacts. Built once per host,
        language and published-content version (frontend.public_cache); `current` per page."""
        if self.province is None:
            return []
        request = self._request
        if request.path.startswith("/en/") and english_offered(request):
            # The English pages (Decree 42/2022 Art. 7) have their own menu: the sections are
            # named in Vietnamese by the profile.
            return mark_current(
                english_menu(), path=request.path, full_path=request.get_full_path()
            )
        site = self.component_site
        if site is not None:
            part = cached(
                request,
                "menu",
                ("site", site.pk),
                lambda: {"menu": component_site_menu(site, site_content(request, site))},
            )
        else:
            profile = profile_for(request)
            if profile is None:
                return []
            baseline = profile.baseline.effective_from if profile.baseline is not None else None
            part = cached(
                request,
                "menu",
                ("portal", profile.effective_from, baseline),
                lambda: {"menu": portal_menu(profile, site_content(request))},
            )
        return mark_current(
            (part or {}).get("menu", []), path=request.path, full_path=request.get_full_path()
        )


def english_menu() -> list[dict]:
    """The menu of the English pages: their home, the organisation, contacts, and the way back to
    the Vietnamese portal."""
    return [
        {"label": _("Trang chủ"), "url": reverse("frontend:en_home")},
        {"label": _("Cơ cấu tổ chức"), "url": reverse("frontend:en_organisation")},
        {"label": _("Liên hệ"), "url": reverse("frontend:en_contacts")},
        {"label": "Tiếng Việt", "url": reverse("frontend:home"), "lang": "vi"},
    ]


def site(request):
    context = SiteContext(request)
    return {
        "site": context,
        "province": context.province,
        "component_site": context.component_site,
    }
