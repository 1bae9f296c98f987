"""Demo content of a province, published the way staff publish: every item entered by the demo
holder of its workflow's first step and forwarded by the holder of each next step of the
province's own workflow; questions submitted, answered and published through the Q&A services;
contacts through the organization services. The texts are in content.toml; the catalogue of
administrative procedures is tenants.demo.procedures (procedures.toml).

Idempotent: an item is known by its address (derived from its title, as the editorial module
derives it), a question by its title, a comment by its author's name, an agency's contact and
leaders by being filled in at all. What depends on the day is renewed when its day has passed:
the leaders' schedule of the current week, the statistics of the previous month, and drafts
open for comment (a closed one is followed by a fresh one)."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from unidecode import unidecode

from accounts.models import User
from core.text import nfc
from editorial.models import Category, Item, Kind, PublicComment
from editorial.selectors import workflow_of
from editorial.services import (
    category_create,
    item_correct,
    item_create,
    item_transition,
    public_comment_moderate,
    public_comment_submit,
)
from organization.models import Agency, ComponentSite
from organization.selectors import board_for
from organization.services import agency_contacts_update, leader_add
from provinces.calendar import TZ
from provinces.languages import offers_english
from provinces.schema import Profile, Section
from qa.models import Question
from qa.services import question_answer, question_publish, question_submit, topic_ensure
from tenants.demo.procedures import procedures_ensure
from tenants.demo.staff import demo_agencies, demo_sites, demo_username

TEXTS = Path(__file__).with_name("content.toml")


class DemoError(Exception):
    """The demo content could not be published as written (a text or a workflow that does not
    fit the profile): the message says which."""


@cache
def demo_texts() -> dict[str, Any]:
    return tomllib.loads(TEXTS.read_text(encoding="utf-8"))


def address_of(title: str) -> str:
    """The address the editorial module gives an item titled `title` (before numbering)."""
    return slugify(unidecode(nfc(title)))[:150] or "bai-viet"


@dataclass
class Seeded:
    """What one run created in a province."""

    items: Counter[str] = field(default_factory=Counter)  # by kind
    comments: int = 0
    corrections: int = 0
    questions: int = 0
    contacts: int = 0  # agencies whose contact (or English name) was filled in
    leaders: int = 0
    gaps: list[str] = field(default_factory=list)  # sections the demo could not fill

    @property
    def total(self) -> int:
        return (
            sum(self.items.values())
            + self.comments
            + self.corrections
            + self.questions
            + self.contacts
            + self.leaders
        )


def content_ensure(*, profile: Profile, now: datetime | None = None) -> Seeded:
    """Publish what is missing of the demo content in the current province's schema (the demo
    staff must exist: tenants.demo.staff.staff_ensure). One transaction."""
    with transaction.atomic():
        newsroom = _Newsroom(profile, now or timezone.now())
        # Published in this order so that the portal's news come last, the first of the texts
        # the newest: the home page opens on them.
        newsroom.sections()
        newsroom.legal_documents()
        newsroom.drafts()
        newsroom.statistics()
        newsroom.directory()
        newsroom.schedule()
        newsroom.procedures()
        newsroom.portal()
        newsroom.gaps()
        newsroom.component_sites()
        newsroom.contacts()
        newsroom.questions()
    return newsroom.seeded


class _Newsroom:
    def __init__(self, profile: Profile, now: datetime):
        self.profile = profile
        self.now = now
        self.today = now.astimezone(TZ).date()
        self.texts = demo_texts()
        self.values = {"province": profile.province.name}
        self.english = offers_english(profile)
        self.users = {
            user.username: user for user in User.objects.filter(username__startswith="demo_")
        }
        # (site id or None for the portal, language, address) of every item there is
        self.known: set[tuple[int | None, str, str]] = set(
            Item.objects.values_list("site_id", "language", "slug")
        )
        self.categories: dict[tuple[int | None, str], Category] = {}
        self.seeded = Seeded()

    # --- the desk: an item through the province's workflow ---------------------------------

    def user(self, role_code: str) -> User:
        user = self.users.get(demo_username(role_code))
        if user is None:
            raise DemoError(f"no demo account holds the role '{role_code}' (staff_ensure first)")
        return user

    def publish(
        self,
        *,
        site: ComponentSite | None,
        title: str,
        language: str = "vi",
        fresh=False,
        **content,
    ) -> Item | None:
        """Enter the item and forward it through every step until it is published; None when an
        item of that address exists (unless `fresh`: numbered beside it)."""
        site_id = site.pk if site else None
        if not fresh and (site_id, language, address_of(title)) in self.known:
            return None
        spec = workflow_of(site=site)
        item = item_create(
            actor=self.user(spec.steps[0].role),
            title=title,
            site=site,
            language=language,
            **content,
        )
        # Forwarding performs the current step and moves to the next (editorial.rules.next_move):
        # one forward per step runs the workflow from entry to publication and its check.
        for step in spec.steps:
            item = item_transition(item=item, actor=self.user(step.role), decision="forward")
        if item.status != Item.Status.PUBLISHED:
            raise DemoError(f"'{title}' ended its workflow {item.status}, not published")
        self.known.add((site_id, language, item.slug))
        self.seeded.items[item.kind] += 1
        return item

    def existing(self, *, site: ComponentSite | None, title: str) -> Item | None:
        return Item.objects.filter(site=site, language="vi", slug=address_of(title)).first()

    def category(self, slug: str, *, site: ComponentSite | None = None) -> Category:
        """The site's category at `slug`, created when missing: on the portal, named after the
        section that names it (as onboarding names it), else as content.toml names it."""
        key = (site.pk if site else None, slug)
        if key not in self.categories:
            found = Category.objects.filter(site=site, slug=slug).first()
            if found is None:
                names = self.texts["site_categories" if site else "categories"]
                section = None if site else self._section_of_category(slug)
                name = section.title if section is not None else names[slug]
                found = category_create(name=name, site=site)
            self.categories[key] = found
        return self.categories[key]

    def _section_of_category(self, slug: str) -> Section | None:
        return next((s for s in self.profile.required_sections if s.content.category == slug), None)

    # --- texts to items --------------------------------------------------------------------

    def fill(self, text: str, **values) -> str:
        return nfc(text.format_map({**self.values, **values})).strip()

    def fields_of(self, entry: dict) -> dict:
        """A kind's fields from an entry's relative dates and plain values."""
        fields: dict[str, Any] = {}
        if "hours_ago" in entry:
            fields["event_at"] = (self.now - timedelta(hours=entry["hours_ago"])).isoformat()
        if "event_in_days" in entry:
            fields["event_at"] = self.at(self.today + timedelta(days=entry["event_in_days"]))
        if "days_ago" in entry:
            fields["issued_on"] = (self.today - timedelta(days=entry["days_ago"])).isoformat()
        if "closes_in_days" in entry:
            fields["closes_on"] = (self.today + timedelta(days=entry["closes_in_days"])).isoformat()
        for name in ("location", "reference", "spokesperson"):
            if name in entry:
                fields[name] = entry[name]
        return fields

    def at(self, day: date, clock: str = "08:00") -> str:
        return datetime.combine(day, time.fromisoformat(clock), tzinfo=TZ).isoformat()

    def content(self, entry: dict, *, site: ComponentSite | None = None, **values) -> dict:
        content = {
            "kind": entry["kind"],
            "title": self.fill(entry["title"], **values),
            "summary": self.fill(entry.get("summary", ""), **values),
            "body": self.fill(entry.get("body", ""), **values),
            "fields": self.fields_of(entry),
            "featured": entry.get("featured", False),
        }
        if "category" in entry:
            content["category"] = self.category(entry["category"], site=site)
        return content

    # --- the portal ------------------------------------------------------------------------

    def portal(self) -> None:
        corrected = self.fill(self.texts["correction"]["item"])
        for entry in reversed(self.texts["portal"]):
            content = self.content(entry)
            item = self.publish(site=None, **content)
            if self.english and "english" in entry:
                self._english(item or self.existing(site=None, title=content["title"]), entry)
            if content["title"] == corrected:
                # Corrected before the newer items: a correction republishes the item now.
                self.correction(item or self.existing(site=None, title=corrected))

    def _english(self, original: Item | None, entry: dict) -> None:
        if original is None:
            return  # the Vietnamese item was renamed by staff: nothing to translate
        english = entry["english"]
        self.publish(
            site=None,
            kind=original.kind,
            language="en",
            translation_of=original,
            title=self.fill(english["title"]),
            summary=self.fill(english.get("summary", "")),
            body=self.fill(english.get("body", "")),
            fields=self.fields_of(entry),
            category=original.category,
        )

    def legal_documents(self) -> None:
        for entry in self.texts["legal_documents"]:
            fields = {
                "number": entry["number"],
                "document_type": entry["document_type"],
                "issuing_body": self.fill(entry["issuing_body"]),
                "signer": entry["signer"],
                "issued_on": entry["issued_on"].isoformat(),
                "effective_on": entry["effective_on"].isoformat(),
                "status": entry["status"],
                "field": entry["field"],
            }
            self.publish(
                site=None,
                kind=Kind.LEGAL_DOCUMENT,
                title=self.fill(entry["title"]),
                summary=self.fill(entry["summary"]),
                body=self.fill(entry["body"]),
                fields=fields,
            )

    def drafts(self) -> None:
        for entry in self.texts["drafts"]:
            title = self.fill(entry["title"])
            opens_on = self.today - timedelta(days=entry["opens_days_ago"])
            if entry["state"] == "open":
                closes_on = self.today + timedelta(days=entry["closes_in_days"])
            else:
                closes_on = self.today - timedelta(days=entry["closed_days_ago"])
            fields = {
                "drafting_body": entry["drafting_body"],
                "opens_on": opens_on.isoformat(),
                "closes_on": closes_on.isoformat(),
            }
            if "comment_summary" in entry:
                fields["comment_summary"] = entry["comment_summary"]
            content: dict[str, Any] = {
                "kind": Kind.DRAFT_DOCUMENT,
                "title": title,
                "summary": self.fill(entry["summary"]),
                "body": self.fill(entry["body"]),
                "fields": fields,
            }
            if entry["state"] != "open":
                self.publish(site=None, **content)
                continue
            # Open today: the one published earlier if it still is, else a fresh one.
            draft = self._open_draft(title) or self.publish(site=None, fresh=True, **content)
            assert draft is not None  # a fresh item is always published
            self._comments(draft, entry.get("comments", []))

    def _open_draft(self, title: str) -> Item | None:
        today = self.today.isoformat()
        drafts = Item.objects.filter(
            site=None,
            language="vi",
            kind=Kind.DRAFT_DOCUMENT,
            status=Item.Status.PUBLISHED,
            slug__startswith=address_of(title)[:140],
        ).select_related("published_revision")
        for draft in drafts:
            fields = draft.published_revision.fields if draft.published_revision else {}
            if fields.get("opens_on", "") <= today <= fields.get("closes_on", ""):
                return draft
        return None

    def _comments(self, draft: Item, comments: list[dict]) -> None:
        """Citizens' comments on an open draft, approved by the staff who entered it (who may
        moderate: editorial.selectors.comment_moderation_allowed)."""
        given = set(PublicComment.objects.filter(item=draft).values_list("name", flat=True))
        for entry in comments:
            if entry["name"] in given:
                continue
            comment = public_comment_submit(
                item=draft,
                name=entry["name"],
                email=entry["email"],
                text=entry["text"],
                consent=True,
            )
            public_comment_moderate(comment=comment, decision="approve", acting_user=draft.author)
            self.seeded.comments += 1

    def schedule(self) -> None:
        """The leaders' work schedule of the current week (Monday to Friday)."""
        entry = self.texts["schedule"]
        monday = self.today - timedelta(days=self.today.weekday())
        entries = [
            {
                "starts_at": self.at(monday + timedelta(days=line["day"]), line["time"]),
                "leader": line["leader"],
                "activity": line["activity"],
                "place": line["place"],
            }
            for line in entry["entries"]
        ]
        self.publish(
            site=None,
            kind=Kind.LEADER_SCHEDULE,
            title=self.fill(
                entry["title"],
                week_start=f"{monday:%d/%m/%Y}",
                week_end=f"{monday + timedelta(days=4):%d/%m/%Y}",
            ),
            summary=self.fill(entry["summary"]),
            body=self.fill(entry["body"]),
            fields={"week_of": monday.isoformat(), "entries": entries},
            category=self.category(entry["category"]),
        )

    def statistics(self) -> None:
        """The statistics report of the previous month."""
        entry = self.texts["statistics"]
        period_end = self.today.replace(day=1) - timedelta(days=1)
        period_start = period_end.replace(day=1)
        month_year = f"{period_end.month}/{period_end.year}"
        self.publish(
            site=None,
            kind=Kind.STATISTICS,
            title=self.fill(entry["title"], month_year=month_year),
            summary=self.fill(entry["summary"]),
            body=self.fill(entry["body"], month_year=month_year),
            fields={
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "issued_on": self.today.isoformat(),
            },
        )

    def directory(self) -> None:
        entry = self.texts["directory"]
        self.publish(
            site=None,
            kind=Kind.CONTACT_DIRECTORY,
            title=self.fill(entry["title"]),
            summary=self.fill(entry["summary"]),
            body=self.fill(entry["body"]),
            fields={"contacts": entry["contacts"]},
        )

    def correction(self, item: Item | None) -> None:
        """A public correction on a demo item, by the holder of its publishing step."""
        entry = self.texts["correction"]
        if item is None or item.status != Item.Status.PUBLISHED or item.corrections.exists():
            return
        spec = workflow_of(site=None)
        publisher = next(step.role for step in spec.steps if step.action == "publish")
        old, new = entry["replace"]
        body = item.published_revision.body if item.published_revision else ""
        item_correct(
            item=item,
            actor=self.user(publisher),
            reason=entry["reason"],
            text=entry["text"],
            body=body.replace(old, new),
        )
        self.seeded.corrections += 1

    # --- the profile's sections ------------------------------------------------------------

    def sections(self) -> None:
        """Fill what each required section shows (ADR 0016): its static page, or, for a section
        of items that no other demo text fills, an item in its category. The built-in pages
        show the documents, drafts, questions and contacts seeded here."""
        portal = self.texts["portal"]
        kinds = {entry["kind"] for entry in portal} | {
            Kind.LEGAL_DOCUMENT,
            Kind.DRAFT_DOCUMENT,
            Kind.STATISTICS,
            Kind.CONTACT_DIRECTORY,
            Kind.LEADER_SCHEDULE,
        }
        categories = {entry.get("category") for entry in portal} | {
            self.texts["schedule"]["category"]
        }
        for section in self.profile.required_sections:
            content = section.content
            if content.page is not None:
                self._page(section, content.page)
                continue
            if content.category is None or content.builtin is not None:
                continue
            if kinds & set(content.kinds) or content.category in categories:
                continue  # the news, documents and notices below fill it
            if not self._filled(section):
                entries = self.texts["section_items"]
                entry = entries.get(content.category) or entries["_generic"]
                self.publish(
                    site=None,
                    category=self.category(content.category),
                    **self.content(entry, section=section.title),
                )

    def gaps(self) -> None:
        """Report each section of items the demo left empty (a text to add to content.toml)."""
        for section in self.profile.required_sections:
            content = section.content
            if content.page is None and content.builtin is None and not self._filled(section):
                self.seeded.gaps.append(f"{section.code}: no published item fills it")

    def _filled(self, section: Section) -> bool:
        content = section.content
        public = Item.objects.filter(site=None, status=Item.Status.PUBLISHED)
        return public.filter(kind__in=content.kinds).exists() or (
            content.category is not None and public.filter(category__slug=content.category).exists()
        )

    def _page(self, section: Section, address: str) -> None:
        if (None, "vi", address) in self.known:
            return
        pages = self.texts["pages"]
        page = pages.get(address, pages["_generic"])
        # A static page's address is its title's: the first title that reads as the address.
        titles = [self.fill(page.get("title", "")), section.title, section.name]
        title = next((t for t in titles if t and address_of(t) == address), None)
        if title is None:
            self.seeded.gaps.append(f"{section.code}: no page title gives the address {address}")
            return
        self.publish(
            site=None,
            kind=Kind.PAGE,
            title=title,
            summary=self.fill(page["summary"], section=section.title),
            body=self.fill(page["body"], section=section.title),
        )

    # --- the catalogue of procedures (tenants/demo/procedures.toml) --------------------------

    def procedures(self) -> None:
        self.seeded.items[Kind.PROCEDURE] += procedures_ensure(
            profile=self.profile, now=self.now, user=self.user
        )

    # --- component sites -------------------------------------------------------------------

    def component_sites(self) -> None:
        for site in demo_sites():
            for entry in reversed(self.texts["site"]):  # the first text the newest
                self.publish(site=site, **self.content(entry, site=site, agency=site.agency.name))

    # --- contacts --------------------------------------------------------------------------

    def contacts(self) -> None:
        """Each agency's public contact and leaders where it has none, and its English name
        where the portal publishes in English (Decree 42/2022 Art. 7), as the command line."""
        texts = self.texts["contacts"]
        for number, agency in enumerate(Agency.objects.filter(is_active=True).order_by("pk"), 1):
            values = {}
            if not (agency.address or agency.phone or agency.email):
                values = {
                    name: self.fill(texts[name], n=number) for name in ("address", "phone", "email")
                }
            if self.english and not agency.english_name:
                values["english_name"] = self.english_name(agency.name)
            if any(values.values()):
                agency_contacts_update(agency=agency, acting_user=None, **values)
                self.seeded.contacts += 1
            if not agency.leaders.exists():
                for leader in texts["leaders"].get(agency.kind, []):
                    leader_add(
                        agency=agency, name=leader["name"], title=leader["title"], acting_user=None
                    )
                    self.seeded.leaders += 1

    def english_name(self, name: str) -> str:
        exact = self.texts["english_names"].get(name)
        if exact:
            return exact
        for prefix, english in self.texts["english_prefixes"].items():
            if name.startswith(prefix):
                return english.format(rest=name.removeprefix(prefix))
        return ""

    # --- questions and answers -------------------------------------------------------------

    def questions(self) -> None:
        """Questions submitted by citizens in several topics; those with an answer in the texts
        are answered by the agency's head and published (by the board where the profile has
        the board publish answers), the others stay open."""
        agencies = demo_agencies()
        topics = {
            name: topic_ensure(name=name, agency=agencies[index % len(agencies)], position=index)
            for index, name in enumerate(self.texts["qa"]["topics"])
        }
        asked = set(Question.objects.values_list("title", flat=True))
        for entry in self.texts["questions"]:
            if entry["title"] in asked:
                continue
            question = question_submit(
                name=entry["name"],
                email=entry.get("email", ""),
                phone=entry.get("phone", ""),
                topic=topics[entry["topic"]].slug,
                title=entry["title"],
                text=entry["text"],
                consent=True,
                received_at=self.now - timedelta(days=entry["days_ago"]),
            )
            self.seeded.questions += 1
            if "answer" not in entry:
                continue
            question = question_answer(
                question=question,
                actor=self.user(self.profile.qa.answer_role),
                text=entry["answer"],
                channel="portal",
                publish=True,
            )
            if question.publication_pending:
                seats = board_for(profile=self.profile, agency_id=question.agency_id)
                board = next(
                    (s.user for s in seats if s.user.username.startswith("demo_")), seats[0].user
                )
                question_publish(question=question, actor=board, publish=True)
