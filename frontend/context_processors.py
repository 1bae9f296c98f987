"""`site` in every template: which portal or component site is answering, and its names."""

from __future__ import annotations

from functools import cached_property

from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from frontend.links import host_url, is_development_request
from frontend.profiles import english_offered, in_back_office, profile_for
from provinces.schema import DUBLIN_CORE
from tenants.selectors import province_portal_host
from tenants.services import dev_host_for


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


def site(request):
    context = SiteContext(request)
    return {
        "site": context,
        "province": context.province,
        "component_site": context.component_site,
    }
