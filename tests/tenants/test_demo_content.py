"""The demo content `manage.py seed_demo` publishes in every province (tenants.demo): enough to
judge the citizens' pages, published through each profile's own workflow, and idempotent.

The five seed provinces are seeded once for this module inside a transaction that is rolled
back when the module ends, so the other tests' provinces stay as onboarding left them."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from editorial.models import Item, Kind, PublicComment
from organization.models import Agency, ComponentSite
from provinces.loader import resolve_profile
from qa.models import Question
from tenants.demo.content import address_of, content_ensure
from tenants.demo.staff import staff_ensure
from tests.conftest import SEED_SLUGS, host_client
from tests.factories.pages import page_text

ARTICLE_LINK = re.compile(r'href="(/(?:en/)?bai-viet/[^"?#]+)"')
LINK = re.compile(r'href="([^"]+)"')
# A demo news item of every portal (tenants/demo/content.toml).
LAND_USE_PLAN = "Công khai quy hoạch sử dụng đất đai năm 2027 của tỉnh {province}"


def _seed(slug: str):
    profile = resolve_profile(slug)
    staff_ensure(profile=profile)
    return content_ensure(profile=profile)


@pytest.fixture(scope="module")
def seeded(provinces, django_db_blocker):
    """{slug: (what the first run created, its seconds)} for the five provinces, seeded in a
    transaction rolled back after the module; the on-commit work (the search index) runs."""
    runs = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for slug in SEED_SLUGS:
            with (
                schema_context(provinces[slug].schema_name),
                TestCase.captureOnCommitCallbacks(execute=True),
            ):
                started = time.monotonic()
                runs[slug] = (_seed(slug), time.monotonic() - started)
        yield runs
        transaction.set_rollback(True)


def _public(**filters):
    return Item.objects.filter(status=Item.Status.PUBLISHED, language="vi", **filters)


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_each_portal_gets_news_in_several_categories_and_every_kind_of_page(
    seeded, tenant_db, in_province, slug
):
    # given the demo content of a province
    first_run, seconds = seeded[slug]
    with in_province(slug):
        news = _public(site=None, kind=Kind.NEWS)
        # then the portal has a dozen news items in at least three categories, some featured
        assert news.count() >= 12
        assert news.exclude(category=None).values("category").distinct().count() >= 3
        assert news.filter(featured=True).exists()
        # and one of every kind a portal's pages show
        for kind in (
            Kind.ANNOUNCEMENT,
            Kind.LEADER_SCHEDULE,
            Kind.SPOKESPERSON,
            Kind.STATISTICS,
            Kind.INVESTMENT,
            Kind.BIDDING,
            Kind.CONTACT_DIRECTORY,
        ):
            assert _public(site=None, kind=kind).exists(), kind
        # and "đất đai" is in several of them (what the search is judged on)
        assert _public(site=None, published_revision__title__icontains="đất đai").count() >= 3
    assert not first_run.gaps
    assert seconds < 60


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_the_leaders_schedule_is_the_current_weeks(seeded, tenant_db, in_province, slug):
    today = timezone.localdate()
    with in_province(slug):
        schedule = _public(site=None, kind=Kind.LEADER_SCHEDULE).get()
        fields = schedule.published_revision.fields
    assert fields["week_of"] == (today - timedelta(days=today.weekday())).isoformat()
    assert len(fields["entries"]) >= 5


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_five_legal_documents_with_their_metadata(seeded, tenant_db, in_province, slug):
    with in_province(slug):
        documents = [
            item.published_revision.fields
            for item in _public(site=None, kind=Kind.LEGAL_DOCUMENT).select_related(
                "published_revision"
            )
        ]
    assert len(documents) == 5
    for fields in documents:
        assert all(fields[key] for key in ("number", "document_type", "issuing_body", "signer"))
        assert fields["issued_on"]
        assert fields["field"]
    assert {"in_force", "expired"} <= {fields["status"] for fields in documents}
    assert "Đất đai" in {fields["field"] for fields in documents}


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_two_drafts_are_open_for_a_month_and_one_is_closed(seeded, tenant_db, in_province, slug):
    today = timezone.localdate()
    with in_province(slug):
        drafts = list(
            _public(site=None, kind=Kind.DRAFT_DOCUMENT).select_related("published_revision")
        )
        open_ = [
            draft
            for draft in drafts
            if draft.published_revision.fields["opens_on"]
            <= today.isoformat()
            <= draft.published_revision.fields["closes_on"]
        ]
        approved = PublicComment.objects.filter(
            item__in=open_, status=PublicComment.Status.VISIBLE
        ).count()
    assert len(open_) == 2
    assert len(drafts) == 3
    for draft in open_:
        closes_on = draft.published_revision.fields["closes_on"]
        assert closes_on >= (today + timedelta(days=30)).isoformat()
    assert approved >= 2


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_the_first_two_component_sites_have_their_own_news_and_announcements(
    seeded, tenant_db, in_province, slug
):
    with in_province(slug):
        sites = list(ComponentSite.objects.order_by("pk")[:2])
        kinds = [set(_public(site=site).values_list("kind", flat=True)) for site in sites]
        counts = [_public(site=site).count() for site in sites]
    assert all(count >= 5 for count in counts)
    assert all({Kind.NEWS, Kind.ANNOUNCEMENT} <= site_kinds for site_kinds in kinds)


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_every_required_section_of_the_profile_has_content(seeded, tenant_db, in_province, slug):
    profile = resolve_profile(slug)
    with in_province(slug):
        for section in profile.required_sections:
            content = section.content
            if content.page is not None:
                filled = _public(site=None, kind=Kind.PAGE, slug=content.page).exists()
            elif content.builtin is not None:
                continue  # the platform's own pages: documents, drafts, questions, contacts
            else:
                filled = (
                    _public(site=None, kind__in=content.kinds).exists()
                    or _public(site=None, category__slug=content.category).exists()
                )
            assert filled, section.code


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_agencies_publish_their_contacts_and_leaders_and_english_names_where_offered(
    seeded, tenant_db, in_province, slug
):
    english = resolve_profile(slug).language.english
    with in_province(slug):
        agencies = list(Agency.objects.prefetch_related("leaders"))
        translations = Item.objects.filter(
            status=Item.Status.PUBLISHED, language="en", translation_of__isnull=False
        ).count()
    assert all(agency.phone and agency.email and agency.address for agency in agencies)
    assert all(agency.leaders.all() for agency in agencies)
    if english:
        assert all(agency.english_name for agency in agencies)
        assert translations >= 3
    else:
        assert not any(agency.english_name for agency in agencies)
        assert translations == 0


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_questions_are_answered_in_several_topics_and_one_is_open(
    seeded, tenant_db, in_province, slug
):
    with in_province(slug):
        answered = Question.objects.filter(is_public=True, status=Question.Status.ANSWERED)
        topics = set(answered.values_list("topic__name", flat=True))
        waiting = Question.objects.filter(status=Question.Status.RECEIVED).count()
    assert len(topics) >= 3
    assert "Đất đai" in topics
    assert waiting >= 1


def test_a_second_run_creates_nothing(seeded, tenant_db, in_province):
    # given the five provinces seeded once
    for slug in SEED_SLUGS:
        with in_province(slug):
            before = (Item.objects.count(), Question.objects.count(), PublicComment.objects.count())
            # when the demo seeding runs again
            again = _seed(slug)
            # then nothing new is created
            after = (Item.objects.count(), Question.objects.count(), PublicComment.objects.count())
        assert again.total == 0, slug
        assert after == before, slug


def _homes(in_province, slug: str) -> list[str]:
    """The province's portal host and its first component site's."""
    with in_province(slug):
        site = ComponentSite.objects.order_by("pk").first()
    return [f"{slug}.localhost", site.dev_host]


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_the_portal_and_a_component_site_home_link_five_articles(
    seeded, tenant_db, in_province, slug
):
    for host in _homes(in_province, slug):
        # when a citizen opens the home page
        response = host_client(host).get("/")
        # then it links at least five articles
        assert response.status_code == 200, host
        assert len(set(ARTICLE_LINK.findall(page_text(response)))) >= 5, host


def _search_links(host: str, query: str) -> set[str]:
    response = host_client(host).get("/tim-kiem/", {"q": query})
    assert response.status_code == 200, (host, query)
    # Every address the page links without a query string: the results, and the same
    # navigation on both pages (links that repeat the query differ by it).
    return {link for link in LINK.findall(page_text(response)) if "?" not in link}


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_searching_without_diacritics_finds_what_searching_with_them_finds(
    seeded, tenant_db, in_province, slug
):
    land_use_plan = address_of(LAND_USE_PLAN.format(province=resolve_profile(slug).province.name))
    for host in _homes(in_province, slug):
        # when a citizen searches for "đất đai", then for "dat dai"
        with_diacritics = _search_links(host, "đất đai")
        without = _search_links(host, "dat dai")
        # then both find the same items, among them the demo's items on land
        assert without == with_diacritics, host
        articles = {link for link in with_diacritics if "/bai-viet/" in link}
        assert articles, host
        if host == f"{slug}.localhost":
            assert f"/bai-viet/{land_use_plan}/" in with_diacritics


def test_the_command_lists_the_sites_and_adds_nothing_to_seeded_provinces(
    seeded, tenant_db, settings, tmp_path, capsys
):
    # given the five provinces seeded, and a fresh place for the demo log-ins
    settings.VAR_DIR = tmp_path
    # when ./ops/run's seeding command runs again
    call_command("seed_demo", "--port", "8123")
    out, err = capsys.readouterr()
    # then it prints the sites and sign-in pages as before, and publishes nothing new
    assert "Cổng Thông tin điện tử tỉnh Thái Nguyên: http://thainguyen.localhost:8123/" in out
    assert "staff sign-in: http://hagiang.localhost:8123/staff/login/" in out
    for slug in SEED_SLUGS:
        assert f"{slug}: demo content, 0 new" in err
