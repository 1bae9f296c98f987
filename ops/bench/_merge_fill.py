"""Throw-away provinces for the merge benchmark (ops/bench/merge.py): onboarded by the ordinary
path (a profile uploaded and approved by two operators), given their demo staff and content,
and — the source — filled in bulk with set-based SQL.

The bulk rows are copies of rows the services wrote: for each site (the portal and every
component site) one news item is entered, edited (a second revision) and forwarded through
the province's workflow by holders of each step's role, and for each Q&A topic one question is
left open and one answered through a drafted answer the agency head sends. Each copy takes
every column of its model row, with its own id, address, title, body, dates and category
(items), or tracking code, text, receipt and the deadline `provinces.calendar.qa_deadline`
computes for that receipt under the profile in force then (questions); revisions,
workflow runs, transitions, answers and events follow their item or question with their
references mapped. Columns added to these tables later are copied as the services wrote them."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from backup_restore import PLACES, SUBJECTS, paragraphs

PARAGRAPHS = 3000  # the pool the bodies are drawn from
SOURCE_BASE, TARGET_BASE = "backan", "thainguyen"
PAST_REASON = "Tỉnh dùng một lần cho phép đo hiệu năng hợp nhất, theo quy chế của tỉnh gốc."
HEADLINES = ("Đẩy mạnh", "Triển khai", "Tăng cường", "Hội nghị về", "Kiểm tra công tác",
             "Sơ kết công tác", "Tập huấn về", "Tuyên truyền về")  # fmt: skip
CATEGORIES = ("Tin hoạt động", "Chỉ đạo, điều hành", "Tin địa phương")
# The characters of a tracking code (as qa.services draws them).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- profiles and onboarding ----------------------------------------------------------------


def _set(text: str, table: str, key: str, raw: str, *, add: bool = True) -> str:
    """`key = raw` (a TOML value as written) inside `[table]`: the line replaced, or added after
    the header when `add`."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f"[{table}]") + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    for index in range(start, end):
        if lines[index].split("=", 1)[0].strip() == key:
            lines[index] = f"{key} = {raw}"
            return "\n".join(lines)
    if add:
        lines.insert(start, f"{key} = {raw}")
    return "\n".join(lines)


def bench_profile_text(base: str, *, slug: str, name: str) -> str:
    """The shipped TOML of `base`'s latest version under another slug, name and hosts."""
    from provinces.loader import PROFILES_DIR

    text = sorted((PROFILES_DIR / base).glob("*.toml"))[-1].read_text(encoding="utf-8")
    text = _set(text, "province", "slug", f'"{slug}"')
    text = _set(text, "province", "name", f'"{name}"')
    text = _set(text, "province", "portal_name", f'"Cổng Thông tin điện tử tỉnh {name}"')
    text = _set(text, "domains", "portal", f'"{slug}.gov.vn"')
    text = _set(text, "domains", "component_host_pattern", f'"{{label}}.{slug}.gov.vn"')
    text = _set(text, "domains", "aliases", "[]", add=False)
    return _set(text, "domains", "alternate_host_patterns", "[]", add=False)


def operators():
    """Two ministry operators (public schema): one uploads, the other approves."""
    from accounts.services import operator_create

    return [
        operator_create(username=f"dohieunang{n}", full_name=f"Cán bộ đo hiệu năng {n}").user
        for n in (1, 2)
    ]


def province_approved(base: str, *, slug: str, name: str, ops) -> object:
    """A province onboarded by the approval of its first profile version (four eyes)."""
    from tenants.models import Province
    from tenants.profile_versions import version_approve, version_submit

    text = bench_profile_text(base, slug=slug, name=name)
    version = version_submit(text=text, operator=ops[0], past_reason=PAST_REASON)
    version_approve(version=version, operator=ops[1])
    return Province.objects.get(slug=slug)


def staff_and_demo(province) -> None:
    """The demo staff (one account per role, agency roles held in every agency) and the demo
    content of the province (news, documents, procedures with forms, questions…)."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from core.profiles import current_profile
    from organization.models import Agency, Role, RoleAssignment
    from organization.services import role_grant
    from tenants.demo.content import content_ensure
    from tenants.demo.staff import demo_username, staff_ensure

    with tenant_context(province):
        profile = current_profile()
        staff_ensure(profile=profile)
        agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
        for role in Role.objects.filter(scope=Role.Scope.AGENCY):
            user = User.objects.get(username=demo_username(role.code))
            held = set(
                RoleAssignment.objects.filter(user=user, role=role).values_list(
                    "agency_id", flat=True
                )
            )
            for agency in agencies:
                if agency.pk not in held:
                    role_grant(user=user, role_code=role.code, agency=agency, actor=None)
        content_ensure(profile=profile)


# --- helpers --------------------------------------------------------------------------------


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _clone(cursor, table: str, source_sql: str, overrides: dict[str, str]) -> int:
    """INSERT INTO `table` every column of `t` (the template row in `source_sql`), each column
    named in `overrides` replaced by its expression; the rows inserted."""
    columns = _columns(cursor, table)
    unknown = set(overrides) - set(columns)
    if unknown:
        raise SystemExit(f"{table}: no column {sorted(unknown)}")
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    names = ", ".join(columns)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {select} {source_sql}")
    return cursor.rowcount


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
    return cursor.fetchone()[0]


def _sequence_reset(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
        [table],
    )


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- the source's bulk content --------------------------------------------------------------


@dataclass
class Filled:
    items: int = 0
    revisions: int = 0
    transitions: int = 0
    attachments: int = 0
    attachment_bytes: int = 0
    questions: int = 0
    answered: int = 0
    events: int = 0
    answers: int = 0
    search_documents: int = 0
    body_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # where the fill's time went


def _user(role_code: str):
    from accounts.models import User
    from tenants.demo.staff import demo_username

    return User.objects.get(username=demo_username(role_code))


def _forward_to_the_end(item, spec):
    """Forward `item` through every step of its workflow, each by the demo holder of the step's
    role (as tests.factories.editorial.run_to_the_end does with its own staff)."""
    from editorial.models import WorkflowState
    from editorial.services import item_transition

    item = item_transition(item=item, actor=_user(spec.steps[0].role), decision="forward")
    while True:
        state = item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).first()
        if state is None:
            return item
        step = spec.steps[state.current_step]
        item = item_transition(item=item, actor=_user(step.role), decision="forward")


def _item_templates(profile, pool: list[str]) -> list[tuple[int, list[int]]]:
    """For the portal and each active component site: its categories, and a news item entered,
    edited (a second revision) and forwarded through every step of the site's workflow;
    [(item id, [category ids])]."""
    from editorial import rules
    from editorial.models import Item
    from editorial.services import category_create, item_create, item_update
    from organization.models import ComponentSite

    out = []
    sites = [None, *ComponentSite.objects.filter(is_active=True).order_by("pk")]
    for n, site in enumerate(sites):
        spec = rules.workflow_for(profile, on_portal=site is None)
        categories = [
            category_create(name=name, site=site, position=10 + k).pk
            for k, name in enumerate(CATEGORIES)
        ]
        author = _user(spec.steps[0].role)
        item = item_create(
            actor=author,
            site=site,
            kind="news",
            title=f"Tin mẫu số {n + 1} về {SUBJECTS[n % len(SUBJECTS)]}",
            summary=pool[n][:200],
            body="".join(f"<p>{p}</p>" for p in pool[n : n + 4]),
        )
        item = item_update(
            item=item,
            actor=author,
            body="".join(f"<p>{p}</p>" for p in pool[n : n + 5]),
            comment="Bổ sung đoạn cuối",
        )
        item = _forward_to_the_end(item, spec)
        item.refresh_from_db()
        if item.status != Item.Status.PUBLISHED:
            raise SystemExit(f"template item {item.pk} ended {item.status}, not published")
        out.append((item.pk, categories))
    return out


def _ordinals(cursor, name: str, table: str, key: str, ids: list[int]) -> int:
    """A temporary table `name` (id, key, o, n): each row of `table` whose `key` is in `ids`
    with its rank among its siblings (0-based) and their count; the largest count."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} AS SELECT id, {key} AS parent, "  # noqa: S608
        f"(row_number() OVER (PARTITION BY {key} ORDER BY id) - 1)::int AS o, "
        f"(count(*) OVER (PARTITION BY {key}))::int AS n FROM {table} WHERE {key} = ANY(%s)",
        [ids],
    )
    cursor.execute(f"SELECT coalesce(max(n), 1) FROM {name}")  # noqa: S608
    return cursor.fetchone()[0]


def fill_items(*, count: int, attach_every: int, seed: int, filled: Filled) -> None:
    """`count` published news items in the active province (the templates included), spread
    over its portal and component sites, each with two revisions, its workflow run and its
    transitions; an attachment on one item in `attach_every`."""
    from django.db import connection
    from django.utils.text import slugify
    from unidecode import unidecode

    from core.profiles import current_profile
    from core.text import nfc

    rng = random.Random(seed)
    profile = current_profile()
    pool = paragraphs(rng, PARAGRAPHS)
    templates = _item_templates(profile, pool)
    clones = max(0, count - len(templates))
    filled.items += len(templates)
    cursor = connection.cursor()
    cursor.execute("DROP TABLE IF EXISTS bench_para")
    cursor.execute("CREATE TEMP TABLE bench_para (n int PRIMARY KEY, text text)")
    _copy(cursor, "bench_para", ("n", "text"), enumerate(pool))
    R = _ordinals(
        cursor, "bench_tpl_revision", "editorial_revision", "item_id", [t for t, _ in templates]
    )
    W = _ordinals(
        cursor, "bench_tpl_state", "editorial_workflowstate", "item_id", [t for t, _ in templates]
    )
    K = _ordinals(
        cursor, "bench_tpl_transition", "editorial_transition", "item_id", [t for t, _ in templates]
    )
    ibase = _next_id(cursor, "editorial_item")
    rbase, wbase, tbase = (
        _next_id(cursor, t)
        for t in ("editorial_revision", "editorial_workflowstate", "editorial_transition")
    )

    def plan_rows():
        for i in range(clones):
            tpl, categories = templates[i % len(templates)]
            subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
            title = nfc(f"{rng.choice(HEADLINES)} {subject} tại {place} (tin số {i + 1})")
            paras = rng.sample(range(PARAGRAPHS), rng.randint(4, 9))
            shift = timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
            category = None if i % 10 == 9 else categories[i % len(categories)]
            # As editorial.services names an item: its title without diacritics, unique.
            slug = f"{slugify(unidecode(title))[:140]}-{i + 1}"
            yield (i, ibase + i, tpl, category, shift, slug, title, pool[paras[0]][:200], paras)

    cursor.execute("DROP TABLE IF EXISTS bench_item_plan")
    cursor.execute(
        "CREATE TEMP TABLE bench_item_plan (i int PRIMARY KEY, item_id bigint, tpl bigint, "
        "category_id bigint, shift interval, slug text, title text, summary text, paras int[])"
    )
    columns = ("i", "item_id", "tpl", "category_id", "shift", "slug", "title", "summary", "paras")
    _copy(cursor, "bench_item_plan", columns, plan_rows())
    cursor.execute("ANALYZE bench_item_plan")
    shifted = {
        c: f"t.{c} - p.shift"
        for c in (
            "created_at",
            "first_published_at",
            "published_at",
            "sla_anchor_at",
            "sla_due_at",
            "sla_met_at",
        )
    }
    filled.items += _clone(
        cursor,
        "editorial_item",
        "FROM bench_item_plan p JOIN editorial_item t ON t.id = p.tpl",
        {"id": "p.item_id", "slug": "p.slug", "category_id": "p.category_id",
         "current_revision_id": "NULL", "published_revision_id": "NULL", **shifted},
    )  # fmt: skip
    body = (
        "(SELECT string_agg('<p>' || bp.text || '</p>', '' ORDER BY u.o) "  # noqa: S608
        "FROM unnest(p.paras) WITH ORDINALITY AS u(n, o) JOIN bench_para bp ON bp.n = u.n "
        f"WHERE u.o <= cardinality(p.paras) - ({R} - 1 - x.o))"
    )
    filled.revisions += _clone(
        cursor,
        "editorial_revision",
        "FROM bench_item_plan p JOIN bench_tpl_revision x ON x.parent = p.tpl "
        "JOIN editorial_revision t ON t.id = x.id",
        {"id": f"{rbase} + p.i * {R} + x.o", "item_id": "p.item_id", "title": "p.title",
         "summary": "p.summary", "body": body, "created_at": "t.created_at - p.shift"},
    )  # fmt: skip
    cursor.execute(
        f"UPDATE editorial_item i SET current_revision_id = {rbase} + p.i * {R} + c.o, "  # noqa: S608
        f"published_revision_id = {rbase} + p.i * {R} + pr.o "
        "FROM bench_item_plan p JOIN editorial_item t ON t.id = p.tpl "
        "JOIN bench_tpl_revision c ON c.id = t.current_revision_id "
        "JOIN bench_tpl_revision pr ON pr.id = t.published_revision_id WHERE i.id = p.item_id"
    )
    _clone(
        cursor,
        "editorial_workflowstate",
        "FROM bench_item_plan p JOIN bench_tpl_state x ON x.parent = p.tpl "
        "JOIN editorial_workflowstate t ON t.id = x.id",
        {"id": f"{wbase} + p.i * {W} + x.o", "item_id": "p.item_id",
         "started_at": "t.started_at - p.shift", "finished_at": "t.finished_at - p.shift"},
    )  # fmt: skip
    filled.transitions += _clone(
        cursor,
        "editorial_transition",
        "FROM bench_item_plan p JOIN bench_tpl_transition x ON x.parent = p.tpl "
        "JOIN editorial_transition t ON t.id = x.id "
        "LEFT JOIN bench_tpl_revision r ON r.id = t.revision_id "
        "LEFT JOIN bench_tpl_state s ON s.id = t.workflow_state_id",
        {"id": f"{tbase} + p.i * {K} + x.o", "item_id": "p.item_id",
         "workflow_state_id": f"{wbase} + p.i * {W} + s.o",
         "revision_id": f"{rbase} + p.i * {R} + r.o", "created_at": "t.created_at - p.shift"},
    )  # fmt: skip
    cursor.execute(
        "SELECT coalesce(sum(octet_length(body)), 0) FROM editorial_revision WHERE id >= %s",
        [rbase],
    )
    filled.body_bytes += cursor.fetchone()[0]
    for table in ("editorial_item", "editorial_revision", "editorial_workflowstate",
                  "editorial_transition"):  # fmt: skip
        _sequence_reset(cursor, table)
    _attachments(cursor, first=ibase, clones=clones, every=attach_every, rng=rng, filled=filled)
    for name in ("bench_para", "bench_item_plan", "bench_tpl_revision", "bench_tpl_state",
                 "bench_tpl_transition"):  # fmt: skip
        cursor.execute(f"DROP TABLE {name}")


def _attachments(cursor, *, first: int, clones: int, every: int, rng, filled: Filled) -> None:
    """One small file (2–16 KB, a PDF's header and random bytes) on every `every`th copied
    item, saved through the province's media storage, with its Attachment row."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from editorial.models import Attachment, Item

    if every <= 0:
        return
    wanted = [first + i for i in range(0, clones, every)]
    items = Item.objects.filter(pk__in=wanted).values_list("pk", "author_id", "published_at")
    rows = []
    for pk, author_id, published_at in items:
        data = b"%PDF-1.4\n" + rng.randbytes(rng.randint(2048, 16384))
        name = default_storage.save(
            f"editorial/{published_at:%Y/%m}/bao-cao-{pk}.pdf", ContentFile(data)
        )
        rows.append(
            Attachment(
                item_id=pk,
                file=name,
                original_name=f"Báo cáo kèm theo tin số {pk}.pdf",
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by_id=author_id,
            )
        )
        filled.attachment_bytes += len(data)
    Attachment.objects.bulk_create(rows, batch_size=1000)
    filled.attachments += len(rows)


# --- questions ------------------------------------------------------------------------------

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
         "Vũ Thị Giang", "Đặng Văn Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", "Ngô Thị Nga"]  # fmt: skip


def _question_templates(profile) -> list[tuple[int, int | None, str]]:
    """For each active topic: a question left open, and one answered (an agency officer drafts
    the answer, the holder of the answer role sends it on the portal); [(open id, answered id,
    answer text)] per topic."""
    from organization.models import Role
    from qa.models import Topic
    from qa.services import answer_draft, question_answer, question_submit

    answer_role = profile.qa.answer_role
    drafter_role = (
        Role.objects.filter(scope=Role.Scope.AGENCY)
        .exclude(code=answer_role)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    ) or answer_role
    channel = "portal" if "portal" in profile.qa.channels else profile.qa.channels[0]
    out = []
    for n, topic in enumerate(Topic.objects.filter(is_active=True).order_by("pk")):
        asker = {"name": NAMES[n % len(NAMES)], "email": f"mau{n}@example.vn", "consent": True,
                 "topic": topic.slug}  # fmt: skip
        opened = question_submit(
            title=f"Hỏi về {topic.name}", text=f"Xin hỏi thủ tục về {topic.name}?", **asker
        )
        asked = question_submit(
            title=f"Đề nghị hướng dẫn về {topic.name}",
            text=f"Đề nghị cơ quan hướng dẫn hồ sơ về {topic.name}.",
            **asker,
        )
        text = f"Trả lời: hồ sơ về {topic.name} nộp tại bộ phận một cửa, kèm giấy tờ tùy thân."
        draft = answer_draft(question=asked, author=_user(drafter_role), text=text)
        question_answer(
            question=asked, actor=_user(answer_role), text=text, channel=channel, publish=True,
            answer=draft,
        )  # fmt: skip
        out.append((opened.pk, asked.pk, text))
    return out


def fill_questions(*, count: int, seed: int, filled: Filled) -> None:
    """`count` questions in the active province (the templates included), half open (received
    in the last 30 days), half answered (received over the last year, answered 1–12 days
    later), each with the deadline the calendar gives its receipt and its events and answer."""
    from django.db import connection
    from django.utils import timezone

    from core.profiles import profile_at
    from core.text import fold, nfc
    from provinces.calendar import qa_deadline
    from qa.clocks import receipt_counted_at
    from qa.models import Question

    rng = random.Random(seed)
    templates = _question_templates(profile_at(timezone.now()))
    filled.questions += 2 * len(templates)
    filled.answered += len(templates)
    clones = max(0, count - 2 * len(templates))
    codes = set(Question.objects.values_list("tracking_code", flat=True))
    cursor = connection.cursor()
    ids = [q for t in templates for q in t[:2]]
    Q = _ordinals(cursor, "bench_tpl_event", "qa_event", "question_id", ids)
    A = _ordinals(cursor, "bench_tpl_answer", "qa_answer", "question_id", ids)
    qbase, ebase, abase = (_next_id(cursor, t) for t in ("qa_question", "qa_event", "qa_answer"))
    now = timezone.now()
    pool = paragraphs(rng, 200)

    def code() -> str:
        while True:
            body = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
            value = f"{body[:4]}-{body[4:]}"
            if value not in codes:
                codes.add(value)
                return value

    def plan_rows():
        for j in range(clones):
            opened, answered, answer_text = templates[(j // 2) % len(templates)]
            is_answered = j % 2 == 1
            if is_answered:
                received = now - timedelta(seconds=rng.randint(14 * 86400, 365 * 86400))
                delay = timedelta(seconds=rng.randint(86400, 12 * 86400))
            else:
                received = now - timedelta(seconds=rng.randint(600, 30 * 86400))
                delay = timedelta(0)
            profile = profile_at(received)
            counted = receipt_counted_at(profile, received)
            deadline = qa_deadline(profile, counted, profile.qa.default_kind)
            subject = rng.choice(SUBJECTS)
            title = nfc(f"Hỏi về {subject} tại {rng.choice(PLACES)} (số {j + 1})")
            text = nfc(pool[j % len(pool)])
            folded = fold(f"{title} {text} {answer_text}" if is_answered else f"{title} {text}")
            yield (
                j, qbase + j, answered if is_answered else opened, received, delay, code(),
                title, text, folded, NAMES[j % len(NAMES)], f"nguoihoi{j}@example.vn",
                (received + timedelta(days=profile.qa.retention_days)).date(),
                profile.effective_from, deadline.kind, deadline.working_days,
                deadline.clock_start, deadline.due, deadline.rule[:300], deadline.source[:300],
                counted.isoformat() if counted != received else None,
            )  # fmt: skip

    cursor.execute("DROP TABLE IF EXISTS bench_q_plan")
    cursor.execute(
        "CREATE TEMP TABLE bench_q_plan (j int PRIMARY KEY, qid bigint, tpl bigint, "
        "received_at timestamptz, delay interval, tracking_code text, title text, text text, "
        "search_text text, name text, email text, retention_until date, "
        "profile_effective_from date, deadline_kind text, deadline_working_days int, "
        "clock_start_at timestamptz, due_at timestamptz, deadline_rule text, "
        "deadline_source text, counted_from text)"
    )
    columns = ("j", "qid", "tpl", "received_at", "delay", "tracking_code", "title", "text",
               "search_text", "name", "email", "retention_until", "profile_effective_from",
               "deadline_kind", "deadline_working_days", "clock_start_at", "due_at",
               "deadline_rule", "deadline_source", "counted_from")  # fmt: skip
    _copy(cursor, "bench_q_plan", columns, plan_rows())
    cursor.execute("ANALYZE bench_q_plan")
    after = "p.received_at + p.delay"
    same = ("tracking_code", "title", "text", "search_text", "name", "email", "retention_until",
            "received_at", "profile_effective_from", "deadline_kind", "deadline_working_days",
            "clock_start_at", "due_at", "deadline_rule", "deadline_source")  # fmt: skip
    filled.questions += _clone(
        cursor,
        "qa_question",
        "FROM bench_q_plan p JOIN qa_question t ON t.id = p.tpl",
        {"id": "p.qid", **{c: f"p.{c}" for c in same}, "consent_at": "p.received_at",
         "first_due_at": "p.due_at",
         "answered_at": f"CASE WHEN t.answered_at IS NULL THEN NULL ELSE {after} END",
         "published_at": f"CASE WHEN t.published_at IS NULL THEN NULL ELSE {after} END"},
    )  # fmt: skip
    cursor.execute("SELECT count(*) FROM bench_q_plan WHERE delay > interval '0'")
    filled.answered += cursor.fetchone()[0]
    # The receipt first, the answer's draft an hour before it is sent, the sending last.
    at = (
        "CASE WHEN x.o = 0 THEN p.received_at WHEN x.o = x.n - 1 THEN p.received_at + p.delay "
        "ELSE p.received_at + p.delay - interval '1 hour' END"
    )
    data = (
        "CASE WHEN t.data ? 'answer' THEN jsonb_set(t.data, '{answer}', "  # noqa: S608
        f"to_jsonb({abase} + p.j * {A} + (SELECT a.o FROM bench_tpl_answer a "
        "WHERE a.id = (t.data->>'answer')::bigint))) "
        "WHEN t.action = 'received' THEN (t.data - 'counted_from') || CASE WHEN "
        "p.counted_from IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('counted_from', "
        "p.counted_from) END ELSE t.data END"
    )
    filled.events += _clone(
        cursor,
        "qa_event",
        "FROM bench_q_plan p JOIN bench_tpl_event x ON x.parent = p.tpl "
        "JOIN qa_event t ON t.id = x.id",
        {"id": f"{ebase} + p.j * {Q} + x.o", "question_id": "p.qid", "created_at": at,
         "data": data},
    )  # fmt: skip
    filled.answers += _clone(
        cursor,
        "qa_answer",
        "FROM bench_q_plan p JOIN bench_tpl_answer x ON x.parent = p.tpl "
        "JOIN qa_answer t ON t.id = x.id",
        {"id": f"{abase} + p.j * {A} + x.o", "question_id": "p.qid",
         "created_at": f"{after} - interval '1 hour'",
         "decided_at": f"CASE WHEN t.decided_at IS NULL THEN NULL ELSE {after} END"},
    )  # fmt: skip
    for table in ("qa_question", "qa_event", "qa_answer"):
        _sequence_reset(cursor, table)
    for name in ("bench_q_plan", "bench_tpl_event", "bench_tpl_answer"):
        cursor.execute(f"DROP TABLE {name}")


def fill_source(province, *, items: int, questions: int, attach_every: int, seed: int) -> Filled:
    """The source province's bulk content (one transaction), its search documents rebuilt
    from it as `search_reindex` does, then ANALYZE."""
    from django.db import connection, transaction
    from django_tenants.utils import tenant_context

    from search.registry import sources
    from search.services import documents_rebuild_all

    filled = Filled()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        filled.seconds[name] = now - clock
        clock = now

    with tenant_context(province):
        with transaction.atomic():
            fill_items(count=items, attach_every=attach_every, seed=seed, filled=filled)
            lap("items")
            fill_questions(count=questions, seed=seed + 1, filled=filled)
            lap("questions")
        counts = documents_rebuild_all(sources())
        filled.search_documents = sum(upserted for upserted, _ in counts.values())
        lap("search")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        lap("analyze")
    return filled


def schema_rows(schema: str) -> int:
    """The rows of every table of `schema` (exact counts)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
            [schema],
        )
        total = 0
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608
            total += cursor.fetchone()[0]
    return total
