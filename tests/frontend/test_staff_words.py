"""Staff read names, never codes: on every back-office page of every shipped province, the
visible text carries none of the profile's role, step, SLA or item kind codes, no "platform
default" and no English article abbreviation ("Art."); every page has a title beyond the site
name and a level-1 heading."""

from __future__ import annotations

import re
from html import unescape

import pytest

from accounts.models import User
from core.profiles import current_profile
from editorial.models import Kind
from editorial.services import item_create, item_transition, item_update
from organization.models import Role, RoleAssignment
from qa.models import Topic
from tests.factories.pages import signed_in
from tests.factories.qa import submitted

PROVINCES = ["backan", "dongnai", "hagiang", "thainguyen", "thuathienhue"]

_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL)


def visible_text(html: str) -> str:
    """What a reader sees: no scripts or styles, no tags (so no attribute values)."""
    return " ".join(unescape(_TAG.sub(" ", _HIDDEN.sub(" ", html))).split())


def codes_of(profile) -> set[str]:
    governance = profile.governance
    steps = [
        step
        for workflow in (governance.workflows.portal, governance.workflows.component_site)
        for step in workflow.steps
    ]
    return (
        {role.code for role in governance.roles}
        | {step.code for step in steps}
        | {sla.content_type for sla in profile.update_slas}
        | set(Kind.values)
    )


def _found(text: str, codes: set[str]) -> list[str]:
    """Each code or English phrase on the page, with the words around it."""
    patterns = [rf"(?<![\w-]){re.escape(code)}(?![\w-])" for code in codes]
    patterns += [re.escape(words) for words in ("platform default", "Art.")]
    return sorted(
        text[max(match.start() - 50, 0) : match.end() + 30]
        for pattern in patterns
        if (match := re.search(pattern, text))
    )


def _holder_of_every_role(site) -> User:
    """One member of staff holding every role of the profile (agency roles in the site's
    agency) and the province's administration, named without any code."""
    user = User.objects.create(username="canbo", full_name="Nguyễn Văn Cán Bộ", is_staff=True)
    user.is_superuser = True
    user.save()
    for role in Role.objects.all():
        agency = site.agency if role.scope == Role.Scope.AGENCY else None
        RoleAssignment.objects.create(user=user, role=role, agency=agency)
    return user


def _pages(site, user) -> list[str]:
    """Every staff page, with an item that went through a step and was amended since."""
    item = item_create(
        actor=user, site=site, kind="news", title="Tin kiểm tra", body="<p>Nội dung.</p>"
    )
    item = item_update(item=item, actor=user, body="<p>Nội dung đã sửa.</p>", comment="Sửa câu")
    item_transition(item=item, actor=user, decision="forward", comment="Xin duyệt")
    topic = Topic.objects.create(name="Đất đai", slug="dat-dai", agency=site.agency)
    question = submitted(topic)
    pages = [
        "/staff/",
        "/staff/queue/",
        "/staff/items/",
        "/staff/items/new/",
        f"/staff/items/new/?site={site.label}",
        f"/staff/items/{item.pk}/",
        f"/staff/items/{item.pk}/duyet/",
        f"/staff/items/{item.pk}/history/",
        f"/staff/items/{item.pk}/diff/",
        "/staff/dashboard/",
        "/staff/delegations/",
        "/staff/hoi-dap/",
        f"/staff/hoi-dap/{question.pk}/",
        "/staff/quan-tri/",
        "/staff/quan-tri/can-bo/",
        f"/staff/quan-tri/can-bo/{user.pk}/",
        "/staff/quan-tri/can-bo/them/",
        "/staff/quan-tri/nhat-ky/",
        "/staff/quan-tri/khoa-api/",
        "/staff/quan-tri/linh-vuc/",
        f"/staff/quan-tri/linh-vuc/{topic.pk}/",
        "/staff/quan-tri/co-quan/",
        f"/staff/quan-tri/co-quan/{site.agency.pk}/",
        "/staff/quan-tri/chuyen-muc/",
        "/staff/gop-y/",
        "/staff/password/",
    ]
    pages += [f"/staff/items/new/?kind={kind}&site={site.label}" for kind in Kind.values]
    return pages


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("slug", PROVINCES)
def test_no_staff_page_shows_a_code_and_every_page_is_titled(province_schema, slug, language):
    # given: a member of staff holding every role of the province's profile, and content,
    # reading the back office in Vietnamese or in English
    site, _staff = province_schema(slug)
    user = _holder_of_every_role(site)
    codes = codes_of(current_profile())
    if language == "en":  # "news", "event", "head", "publish" are English words there
        codes = {code for code in codes if "_" in code}
    client = signed_in(site.dev_host, user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    site_name = site.agency.name
    problems = {}
    # when: they open every staff page
    for path in _pages(site, user):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        # then: names, not codes; a title beyond the site's name; a level-1 heading
        found = _found(visible_text(html), codes)
        title = visible_text(_TITLE.search(html).group(1))
        heading = _H1.search(html)
        if title == site_name or not title.endswith(f" – {site_name}") or "– –" in title:
            found.append(f"<title> {title!r}")
        if heading is None or not visible_text(heading.group(1)):
            found.append("no <h1>")
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())
