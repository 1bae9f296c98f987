"""Every write on editorial content: one transaction each, the item row locked, the move
checked against the profile's workflow (editorial.rules), an audit row, side effects on commit.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from smtplib import SMTPException
from typing import Any, cast

from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from core.errors import ErrorKind
from core.profiles import current_profile
from core.text import nfc
from core.uploads import UploadRefused, check_upload
from editorial import rules
from editorial import search as search_documents
from editorial.content import (
    MAX_TITLE,
    MAX_YEAR,
    MIN_YEAR,
    ContentError,
    clean_fields,
    online_level_refusal,
    procedure_missing,
    sanitise_html,
)
from editorial.models import (
    Attachment,
    Category,
    Correction,
    Item,
    Kind,
    PublicComment,
    Revision,
    Transition,
    WorkflowState,
)
from organization.models import Agency, ComponentSite
from organization.selectors import acting_capacity
from provinces.calendar import TZ
from provinces.citations import in_parentheses
from provinces.items import REANCHORED_KINDS
from provinces.languages import content_languages
from provinces.sla import sla_deadline

logger = logging.getLogger(__name__)

PUBLIC_VERSION_KEY = "editorial:public-version"


class EditorialError(ContentError):
    """A refused editorial move: code, message, the field when one is to blame, and its kind
    (a step the actor may not perform is FORBIDDEN; a move the item's state forbids, whatever
    the request says, is a CONFLICT)."""


def public_cache_version() -> int:
    # get_or_set stores and returns the default 1 when the key is missing: never None.
    return cast(int, cache.get_or_set(PUBLIC_VERSION_KEY, 1, None))


def public_cache_version_and(key: str) -> tuple[int, Any]:
    """The content version and the cache entry under `key`, read in one round trip to the
    cache (a cached citizen page costs one, not two)."""
    found = cache.get_many([PUBLIC_VERSION_KEY, key])
    version = found.get(PUBLIC_VERSION_KEY)
    if version is None:
        version = public_cache_version()
    return cast(int, version), found.get(key)


def _public_pages_changed() -> None:
    # Registered after the search document's sync (search_documents.item_changed) wherever both
    # follow a change: on commit the document is current before the pages' cache version moves,
    # so no page is cached in between from the old search results.
    # Cached citizen pages carry this per-province version in their key: bump to drop them.
    try:
        cache.incr(PUBLIC_VERSION_KEY)
    except ValueError:
        cache.set(PUBLIC_VERSION_KEY, 2, None)


# "Leave as it is" for an optional argument whose None means "remove" (item_update's category).
UNCHANGED = object()


def _check_category(category, *, site_id: int | None) -> None:
    # A category files items of one site only: the portal's, or one component site's.
    if category is not None and category.site_id != site_id:
        raise EditorialError(
            "wrong_category",
            _("Chuyên mục '%(name)s' không thuộc trang của bài viết.") % {"name": category.name},
            "category",
        )


def _slug_for(title: str) -> str:
    return slugify(unidecode(title))[:150] or "bai-viet"


def _unique_slug(base: str, *, site, language: str) -> str:
    slug, n = base, 1
    while Item.objects.filter(site=site, slug=slug, language=language).exists():
        n += 1
        slug = f"{base[:140]}-{n}"
    return slug


def _workflow(item: Item, profile=None) -> rules.WorkflowSpec:
    return rules.workflow_for(profile or current_profile(), on_portal=item.site_id is None)


def _active_state(item: Item) -> WorkflowState | None:
    return item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).first()


def _capacity(actor, step: rules.StepSpec, item: Item):
    # A delegate acts only at a step that allows it (the step's own flag, else the
    # workflow's: Huế Art. 19(b), bước 3 "hoặc cán bộ được uỷ quyền"; ADR 0006).
    allowed, on_behalf_of = acting_capacity(
        user=actor,
        role_code=step.role,
        agency_id=item.agency_id,
        delegation_allowed=step.delegation_allowed,
        at=timezone.now(),
    )
    if not allowed:
        raise EditorialError(
            "not_allowed",
            _("Bạn không giữ vai trò “%(role)s” cần cho “%(name)s”%(basis)s.")
            % {
                "role": _role_name(step.role),
                "name": step.name,
                "basis": in_parentheses(step.source),
            },
            kind=ErrorKind.FORBIDDEN,
        )
    return on_behalf_of


def _role_name(code: str) -> str:
    """A role as staff read it: its name in the profile in force (the code only if it has none)."""
    role = current_profile().governance.role(code)
    return role.name if role is not None else code


def _sla_of_item(kind: str, fields: dict, requested: str | None, profile, current: str = ""):
    """(SLA, target) an item takes under the profile (ADR 0005), or (None, None).

    The author may pick an SLA the profile gives the kind by choice (`chosen`); a pick stays
    with the item until the author picks another or none (""). Otherwise the item takes the
    first SLA whose flag it carries (`when`), else its kind's own; naming that one is the same
    as naming none."""
    if requested is None and current:  # an edit that says nothing keeps a pick
        kept = profile.sla(current)
        target = kept.target(kind) if kept is not None else None
        requested = current if target is not None and target.chosen else None
    if requested:
        sla = profile.sla(requested)
        if sla is None:
            known = ", ".join(s.content_type for s in profile.update_slas if s.applies_to)
            raise EditorialError(
                "unknown_sla",
                _("Hồ sơ quy chế không có loại thời hạn '%(requested)s' (%(known)s).")
                % {"requested": requested, "known": known},
                "sla_content_type",
            )
        target = sla.target(kind)
        if target is None:
            raise EditorialError(
                "sla_not_for_kind",
                _("Thời hạn “%(label)s” không áp dụng cho loại nội dung này%(basis)s.")
                % {"label": sla.label, "basis": in_parentheses(sla.source)},
                "sla_content_type",
            )
        if target.when is not None and not fields.get(target.when):
            # The flag is one of the kind's fields: the refusal is shown on it too.
            message = _(
                "Thời hạn “%(label)s” chỉ áp dụng cho bài được đánh dấu ở trường tương ứng"
                "%(basis)s."
            ) % {"label": sla.label, "basis": in_parentheses(sla.source)}
            raise EditorialError(
                "sla_condition_unmet",
                message,
                "sla_content_type",
                fields={"sla_content_type": [message], f"fields.{target.when}": [message]},
            )
        if target.chosen:
            return sla, target
    claims = [(sla, sla.target(kind)) for sla in profile.update_slas]
    flagged = [
        (sla, target)
        for sla, target in claims
        if target is not None and target.when is not None and fields.get(target.when)
    ]
    own = [
        (sla, target)
        for sla, target in claims
        if target is not None and target.when is None and not target.chosen
    ]
    return next(iter(flagged or own), (None, None))


def _sla(kind: str, fields: dict, requested: str | None, profile, current: str = ""):
    """(content type, deadline) of the item, from the profile version in force: the deadline
    is None while the item's anchor field is empty."""
    sla, target = _sla_of_item(kind, fields, requested, profile, current)
    if sla is None:  # the profile sets no update deadline for this item
        return "", None
    value = fields.get(target.anchor_field)
    if not value:
        return sla.content_type, None
    anchor = datetime.fromisoformat(value)
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=TZ)
    return sla.content_type, sla_deadline(profile, sla.content_type, anchor)


def _apply_sla(item: Item, deadline, content_type: str) -> list[str]:
    values = {
        "sla_content_type": content_type,
        "sla_anchor_at": deadline.anchor_at if deadline else None,
        "sla_due_at": deadline.due_at if deadline else None,
        "sla_rule": deadline.rule if deadline else "",
        "sla_source": deadline.source if deadline else "",
    }
    changed = [key for key, value in values.items() if getattr(item, key) != value]
    for key in changed:
        setattr(item, key, values[key])
    return changed


def _revision(item: Item, *, actor, title, summary, body, fields, source_name, source_url):
    title = nfc(title)
    if not title:
        raise EditorialError("title_required", _("Tiêu đề không được để trống."), "title")
    if len(title) > MAX_TITLE:
        raise EditorialError(
            "too_long", _("Tiêu đề tối đa %(limit)s ký tự.") % {"limit": MAX_TITLE}, "title"
        )
    number = (item.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return Revision.objects.create(
        item=item,
        number=number,
        title=title,
        summary=nfc(summary),
        body=sanitise_html(body),
        fields=fields,
        source_name=nfc(source_name),
        source_url=nfc(source_url),
        author=actor,
    )


def _check_attribution(*, profile, source_name: str, is_repost: bool) -> None:
    # Huế Art. 19a: news reposted from elsewhere must name its source.
    if is_repost and profile.attribution.reposts_must_cite_source and not nfc(source_name):
        raise EditorialError(
            "source_required",
            _("Tin đăng lại phải ghi rõ nguồn%(basis)s.")
            % {"basis": in_parentheses(profile.attribution.source)},
            "source_name",
        )


def _audit(
    item,
    *,
    action,
    actor,
    state=None,
    step=None,
    from_status,
    on_behalf_of=None,
    comment="",
    revision=None,
) -> Transition:
    return Transition.objects.create(
        item=item,
        workflow_state=state,
        action=action,
        step_code=step.code if step else "",
        step_name=step.name if step else "",
        from_status=from_status,
        to_status=item.status,
        revision=revision,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=nfc(comment),
    )


def _check_online_level(kind: str, fields: dict, profile) -> None:
    """A procedure's online service level must be one the profile's regulation uses."""
    message = online_level_refusal(fields, profile.public_services)
    if kind == Kind.PROCEDURE and message:
        raise EditorialError(
            "online_level_not_offered",
            message,
            "fields.online_level",
            fields={"fields.online_level": [message]},
        )


def _check_code_free(kind: str, language: str, code: str) -> None:
    if code and Item.objects.filter(kind=kind, language=language, code=code).exists():
        message = _("Mã thủ tục %(code)s đã có trong danh mục.") % {"code": code}
        raise EditorialError(
            "duplicate_code",
            message,
            "fields.code",
            kind=ErrorKind.CONFLICT,
            fields={"fields.code": [message]},
        )


def _check_procedure_complete(item: Item, revision: Revision, profile) -> None:
    """A procedure is published only with every part its regulation requires (ADR 0019)."""
    if item.kind != Kind.PROCEDURE:
        return
    rules_ = profile.public_services
    problems = procedure_missing(
        title=revision.title,
        fields=revision.fields,
        has_agency=item.agency_id is not None,
        attachment_names=set(item.attachments.values_list("original_name", flat=True)),
        required=rules_.required_fields,
    )
    if problems:
        raise EditorialError(
            "procedure_incomplete",
            _("Thủ tục chưa đủ thông tin bắt buộc nên chưa đăng được%(basis)s.")
            % {"basis": in_parentheses(rules_.source)},
            next(iter(problems)),
            kind=ErrorKind.CONFLICT,
            fields=problems,
        )


@transaction.atomic
def item_create(
    *,
    actor,
    kind: str,
    title: str,
    summary: str = "",
    body: str = "",
    fields: dict | None = None,
    site: ComponentSite | None = None,
    category: Category | None = None,
    language: str = "vi",
    translation_of: Item | None = None,
    source_name: str = "",
    source_url: str = "",
    is_repost: bool = False,
    featured: bool = False,
    sla_content_type: str | None = None,
    agency: Agency | None = None,
) -> Item:
    """A draft on the portal (site=None) or a component site, by someone who may act at the
    first step of that site's workflow. `agency`: whose item it is on the portal (a procedure's
    implementing agency; default: the actor's agency); on a component site, the site's."""
    profile = current_profile()
    clean = clean_fields(kind, fields)
    _check_online_level(kind, clean, profile)
    if language not in ("vi", "en"):
        raise EditorialError("invalid_language", _("Ngôn ngữ phải là 'vi' hoặc 'en'."), "language")
    if language not in content_languages(profile):
        # language.english = false: the regulation provides no English version of the portal.
        raise EditorialError(
            "language_not_offered",
            _("Theo quy chế, cổng không có phiên bản tiếng Anh: chỉ đăng bài bằng tiếng Việt."),
            "language",
        )
    if language != "vi" and translation_of is None:
        raise EditorialError(
            "translation_needs_original", _("Bản tiếng Anh phải gắn với bài gốc."), "translation_of"
        )
    if translation_of is not None and translation_of.language == language:
        raise EditorialError("same_language", _("Bản dịch phải khác ngôn ngữ bài gốc."), "language")
    _check_category(category, site_id=site.pk if site else None)
    _check_attribution(profile=profile, source_name=source_name, is_repost=is_repost)
    spec = rules.workflow_for(profile, on_portal=site is None)
    first = spec.steps[0]
    if site is not None and agency is not None and agency.pk != site.agency_id:
        raise EditorialError(
            "agency_not_of_site",
            _("Nội dung của trang thành phần thuộc cơ quan của trang đó."),
            "agency",
        )
    agency_id: int | None
    if site is not None:
        agency_id = site.agency_id
    elif agency is not None:
        agency_id = agency.pk
    else:
        agency_id = _agency_of_actor(actor, first.role)
    if kind == Kind.PROCEDURE and agency_id is None:
        # The implementing agency is part of what citizens read and is never changed afterwards
        # (ADR 0019): a procedure starts with one.
        raise EditorialError("agency_required", _("Hãy chọn cơ quan thực hiện thủ tục."), "agency")
    probe = Item(site=site, agency_id=agency_id)
    _capacity(actor, first, probe)
    content_type, deadline = _sla(kind, clean, sla_content_type, profile)
    code = clean.get("code", "") if kind == Kind.PROCEDURE else ""
    _check_code_free(kind, language, code)
    item = Item(
        kind=kind,
        site=site,
        agency_id=agency_id,
        category=category,
        slug=_unique_slug(_slug_for(title), site=site, language=language),
        code=code,
        language=language,
        translation_of=translation_of,
        featured=featured,
        author=actor,
    )
    _apply_sla(item, deadline, content_type)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        raise EditorialError(
            "duplicate", _("Đường dẫn bài viết đã tồn tại."), "slug", kind=ErrorKind.CONFLICT
        ) from error
    revision = _revision(
        item,
        actor=actor,
        title=title,
        summary=summary,
        body=body,
        fields=clean,
        source_name=source_name,
        source_url=source_url,
    )
    item.current_revision = revision
    item.save(update_fields=["current_revision"])
    _audit(item, action=Transition.Action.CREATE, actor=actor, from_status="", revision=revision)
    return item


def _agency_of_actor(actor, role_code: str) -> int | None:
    from organization.models import RoleAssignment

    return (
        RoleAssignment.objects.filter(user=actor, role__code=role_code, agency__isnull=False)
        .order_by("pk")
        .values_list("agency_id", flat=True)
        .first()
    )


def _lock(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


def _state_steps(state: WorkflowState) -> tuple[rules.StepSpec, ...]:
    return rules.steps_from_snapshot(state.steps, delegation_allowed=state.delegation_allowed)


# --- scheduled publication (ADR 0010) ------------------------------------------------------


def _schedule_clear(item: Item) -> list[str]:
    item.publish_at = None
    item.scheduled_revision = None
    item.scheduled_by = None
    item.scheduled_on_behalf_of = None
    return ["publish_at", "scheduled_revision", "scheduled_by", "scheduled_on_behalf_of"]


@dataclass(frozen=True)
class _Cancelled:
    """A schedule an edit cancelled: what it would have published, when, and in whose name."""

    publish_at: datetime
    revision: Revision | None
    scheduled_by: Any  # a User or None (the model's FK, typed by the django plugin)
    scheduled_on_behalf_of: Any
    fields: list[str]


def _schedule_cancel(item: Item, *, state: WorkflowState | None) -> _Cancelled:
    """The item changed after its approval was scheduled: the schedule goes, and the run still
    under way (a check after publishing, Đồng Nai Art. 8(2)(đ)) with it. The item waits at
    the first step of its workflow, as before it was submitted; a published item keeps
    what the public reads."""
    assert item.publish_at is not None  # only a scheduled item is cancelled
    cancelled = _Cancelled(
        publish_at=item.publish_at,
        revision=item.scheduled_revision,
        scheduled_by=item.scheduled_by,
        scheduled_on_behalf_of=item.scheduled_on_behalf_of,
        fields=_schedule_clear(item),
    )
    if state is not None:
        state.status = WorkflowState.Status.CANCELLED
        state.finished_at = timezone.now()
        state.save(update_fields=["status", "finished_at"])
    if item.status == Item.Status.IN_WORKFLOW:
        item.status = Item.Status.DRAFT
        cancelled.fields.append("status")
    return cancelled


def _schedule_cancelled(
    item: Item, cancelled: _Cancelled, *, actor, on_behalf_of, from_status: str
) -> None:
    """The audit row of a cancellation, and a notice to whoever approved and scheduled it."""
    when = f"{cancelled.publish_at.astimezone(TZ):%H:%M %d/%m/%Y}"
    _audit(
        item,
        action=Transition.Action.UNSCHEDULE,
        actor=actor,
        from_status=from_status,
        on_behalf_of=on_behalf_of,
        comment=f"Huỷ hẹn giờ đăng lúc {when}: bài được sửa sau khi duyệt, phải duyệt lại "
        "từ bước đầu.",
        revision=cancelled.revision,
    )
    approvers = {
        user.pk
        for user in (cancelled.scheduled_by, cancelled.scheduled_on_behalf_of)
        if user is not None and user.pk != actor.pk
    }
    if approvers:
        notice = {
            "item_pk": item.pk,
            "recipient_pks": sorted(approvers),
            "editor_pk": actor.pk,
            "publish_at": cancelled.publish_at,
            "revision_pk": cancelled.revision.pk if cancelled.revision else None,
        }
        transaction.on_commit(lambda: schedule_cancelled_notify(**notice))


def schedule_cancelled_notify(
    *, item_pk: int, recipient_pks: list[int], editor_pk: int, publish_at, revision_pk
) -> int:
    """Tell the approvers of a schedule that an edit cancelled it (after the commit that did).
    A mail server that is down loses the notice, never the cancellation: the failure is
    logged; the history page and the queue show the item waiting at the first step."""
    from django.contrib.auth import get_user_model

    item = Item.objects.filter(pk=item_pk).select_related("current_revision").first()
    editor = get_user_model().objects.filter(pk=editor_pk).first()
    if item is None or editor is None:
        return 0
    revision = Revision.objects.filter(pk=revision_pk).first() if revision_pk else None
    title = revision.title if revision else str(item)
    profile = current_profile()
    first = _workflow(item, profile).steps[0]
    editor_name = getattr(editor, "full_name", "") or editor.get_username()
    sent = 0
    for recipient in get_user_model().objects.filter(pk__in=recipient_pks).order_by("pk"):
        if not recipient.email:
            continue
        name = getattr(recipient, "full_name", "") or recipient.get_username()
        message = EmailMessage(
            subject=f"[{profile.province.portal_name}] Đã huỷ hẹn giờ đăng: {title}",
            body="\n".join(
                [
                    f"Kính gửi {name},",
                    "",
                    f"Tin bài “{title}” anh/chị đã duyệt và hẹn đăng lúc "
                    f"{publish_at.astimezone(TZ):%H:%M %d/%m/%Y} sẽ không được đăng: "
                    f"{editor_name} đã sửa bài lúc {timezone.now().astimezone(TZ):%H:%M %d/%m/%Y}.",
                    f"Lịch hẹn đăng đã bị huỷ; bài trở về “{first.name}” và phải được duyệt lại "
                    "theo quy trình trước khi đăng.",
                    "",
                    "Thư gửi tự động. Xem lịch sử xử lý của bài tại Trang cán bộ.",
                ]
            ),
            to=[recipient.email],
        )
        try:
            message.send()
        except (OSError, SMTPException):
            logger.warning("schedule cancellation notice for item %s not sent", item_pk)
            continue
        sent += 1
    return sent


@transaction.atomic
def item_update(
    *,
    item: Item,
    actor,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    fields: dict | None = None,
    source_name: str | None = None,
    source_url: str | None = None,
    is_repost: bool = False,
    featured: bool | None = None,
    sla_content_type: str | None = None,
    category: Category | object | None = UNCHANGED,
    comment: str = "",
) -> Item:
    """A new revision of the working copy. Before a run (or between runs) the first step's role
    edits; during a run only the current step's holder, and only where the step may amend.
    What the public reads changes only when a workflow publishes, except the item's category
    (`category=None` removes it; a category of another site is refused), which is the site's
    filing of the item rather than its content."""
    item = _lock(item)
    if item.status == Item.Status.WITHDRAWN:
        raise EditorialError(
            "withdrawn", _("Bài đã thu hồi không sửa được."), kind=ErrorKind.CONFLICT
        )
    if category is not UNCHANGED:
        _check_category(category, site_id=item.site_id)
    profile = current_profile()
    spec = _workflow(item, profile)
    state = _active_state(item)
    if state is None:
        step = spec.steps[0]
    else:
        step = _state_steps(state)[state.current_step]
        if not step.may_amend:
            raise EditorialError(
                "may_not_amend",
                _("“%(name)s” không được sửa nội dung%(basis)s.")
                % {"name": step.name, "basis": in_parentheses(step.source)},
                kind=ErrorKind.CONFLICT,
            )
    on_behalf_of = _capacity(actor, step, item)
    current = item.current_revision
    assert current is not None  # an item is created with its first revision
    new_fields = clean_fields(item.kind, fields) if fields is not None else current.fields
    if item.code and new_fields.get("code", item.code) != item.code:
        message = _("Mã thủ tục không thay đổi được (đang là %(code)s).") % {"code": item.code}
        raise EditorialError(
            "code_immutable", message, "fields.code", fields={"fields.code": [message]}
        )
    _check_online_level(item.kind, new_fields, profile)
    new_source = current.source_name if source_name is None else source_name
    _check_attribution(profile=profile, source_name=new_source, is_repost=is_repost)
    revision = _revision(
        item,
        actor=actor,
        title=current.title if title is None else title,
        summary=current.summary if summary is None else summary,
        body=current.body if body is None else body,
        fields=new_fields,
        source_name=new_source,
        source_url=current.source_url if source_url is None else source_url,
    )
    item.current_revision = revision
    update = ["current_revision"]
    if featured is not None and featured != item.featured:
        item.featured = featured
        update.append("featured")
    if category is not UNCHANGED and getattr(category, "pk", None) != item.category_id:
        item.category = cast("Category | None", category)  # not UNCHANGED: a Category or None
        update.append("category")
        if item.is_public:  # the public list and page show the category at once
            search_documents.item_changed(item.pk)
            transaction.on_commit(_public_pages_changed)
    if item.first_published_at is None:  # a published item keeps the deadline it was judged by
        content_type, deadline = _sla(
            item.kind, new_fields, sla_content_type, profile, current=item.sla_content_type
        )
        update += _apply_sla(item, deadline, content_type)
    elif item.kind in REANCHORED_KINDS:
        # A new version (a new effective date) is a new change to publish in time: its own
        # deadline, owed until the revision carrying it is published (ADR 0019).
        content_type, deadline = _sla(
            item.kind, new_fields, sla_content_type, profile, current=item.sla_content_type
        )
        if deadline is not None and deadline.anchor_at != item.sla_anchor_at:
            update += _apply_sla(item, deadline, content_type)
            item.sla_met_at = None
            update.append("sla_met_at")
    from_status = item.status
    cancelled = None
    if item.publish_at is not None:
        # ADR 0010: what was approved and scheduled is no longer what the item says.
        cancelled = _schedule_cancel(item, state=state)
        update += cancelled.fields
    item.save(update_fields=update)
    _audit(
        item,
        action=Transition.Action.EDIT,
        actor=actor,
        state=state,
        step=step,
        from_status=from_status,
        on_behalf_of=on_behalf_of,
        comment=comment,
        revision=revision,
    )
    if cancelled is not None:
        _schedule_cancelled(
            item, cancelled, actor=actor, on_behalf_of=on_behalf_of, from_status=from_status
        )
    return item


def _check_plausible(at: datetime | None, field: str) -> None:
    # A year like 0001 or 9999 is a slip of the keyboard: it would publish at once, or store a
    # schedule no run ever reaches (and overflow the calendar arithmetic of the pages).
    if at is not None and not MIN_YEAR <= at.year <= MAX_YEAR:
        raise EditorialError(
            "implausible_date",
            _("Năm phải trong khoảng %(first)s–%(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR},
            field,
        )


@transaction.atomic
def item_transition(
    *,
    item: Item,
    actor,
    decision: rules.Decision,
    comment: str = "",
    publish_at: datetime | None = None,
) -> Item:
    """Move an item through its workflow: `forward` performs the current step (submit, approve,
    publish, confirm the post-publication check); `reject` sends it back to its author with a
    reason. Anything else the profile does not allow is refused with EditorialError."""
    item = _lock(item)
    if item.status == Item.Status.WITHDRAWN:
        raise EditorialError("withdrawn", _("Bài đã thu hồi."), kind=ErrorKind.CONFLICT)
    _check_plausible(publish_at, "publish_at")
    if decision == "reject" and not nfc(comment):
        raise EditorialError("reason_required", _("Trả lại phải kèm lý do."), "comment")
    state = _active_state(item)
    if state is None:
        if decision != "forward":
            raise EditorialError(
                "not_in_workflow", _("Bài chưa được gửi duyệt."), kind=ErrorKind.CONFLICT
            )
        spec = _workflow(item)
        state = WorkflowState.objects.create(
            item=item,
            workflow=spec.key,
            profile_effective_from=current_profile().effective_from,
            steps=spec.snapshot(),
            delegation_allowed=spec.delegation_allowed,
        )
    steps = _state_steps(state)
    step = steps[state.current_step]
    on_behalf_of = _capacity(actor, step, item)
    try:
        move = rules.next_move(steps, state.current_step, decision)
    except rules.IllegalMove as error:
        raise EditorialError(error.code, error.message) from error
    from_status = item.status
    now = timezone.now()
    item_fields: list[str] = []
    action = move.transition
    if move.kind in ("publish", "publish_then_check"):
        assert item.current_revision is not None  # an item is created with its first revision
        _check_procedure_complete(item, item.current_revision, current_profile())
        if publish_at is not None and publish_at > now:
            # ADR 0010: the revision approved now is the one the run will publish, in the
            # name of whoever approved and scheduled it.
            item.publish_at = publish_at
            item.scheduled_revision = item.current_revision
            item.scheduled_by = actor
            item.scheduled_on_behalf_of = on_behalf_of
            item_fields += [
                "publish_at",
                "scheduled_revision",
                "scheduled_by",
                "scheduled_on_behalf_of",
            ]
            action = Transition.Action.SCHEDULE
        else:
            item_fields += _publish(item, now)
    elif publish_at is not None:
        raise EditorialError(
            "not_publish_step", _("Chỉ bước xuất bản mới hẹn giờ đăng được."), "publish_at"
        )
    if move.kind == "unpublish" and item.publish_at is not None:
        # The check refused a revision still waiting for its time: the schedule goes, what
        # the public reads (if anything) stays, and the item returns to its author.
        item_fields += _schedule_clear(item)
        if item.status == Item.Status.IN_WORKFLOW:
            item.status = Item.Status.DRAFT
            item_fields.append("status")
    elif move.kind == "unpublish":
        item_fields += _unpublish(item)
    if move.kind in ("advance", "publish_then_check"):
        assert move.next_step is not None  # only a move that ends the run has none
        state.current_step = move.next_step
        state.save(update_fields=["current_step"])
    else:
        state.status = (
            WorkflowState.Status.REJECTED
            if move.kind in ("return", "unpublish")
            else WorkflowState.Status.COMPLETED
        )
        state.finished_at = now
        state.save(update_fields=["status", "finished_at"])
    if item.status == Item.Status.DRAFT and move.kind in ("advance", "complete"):
        item.status = Item.Status.IN_WORKFLOW
        item_fields.append("status")
    if move.kind == "return" and item.status == Item.Status.IN_WORKFLOW:
        item.status = Item.Status.DRAFT
        item_fields.append("status")
    if item_fields:
        item.save(update_fields=sorted(set(item_fields)))
    _audit(
        item,
        action=action,
        actor=actor,
        state=state,
        step=step,
        from_status=from_status,
        on_behalf_of=on_behalf_of,
        comment=comment,
        revision=item.current_revision,
    )
    return item


def _publish(item: Item, now, *, revision: Revision | None = None) -> list[str]:
    item.status = Item.Status.PUBLISHED
    item.published_revision = revision or item.current_revision
    item.published_at = now
    fields = ["status", "published_revision", "published_at", *_schedule_clear(item)]
    if item.first_published_at is None:
        item.first_published_at = now
        fields.append("first_published_at")
    if item.sla_due_at is not None and item.sla_met_at is None:
        item.sla_met_at = now
        fields.append("sla_met_at")
    search_documents.item_changed(item.pk)
    transaction.on_commit(_public_pages_changed)
    return fields


def _unpublish(item: Item) -> list[str]:
    item.status = Item.Status.UNPUBLISHED
    item.unpublish_at = None
    search_documents.item_changed(item.pk)
    transaction.on_commit(_public_pages_changed)
    return ["status", "unpublish_at"]


def _publisher_capacity(item: Item, actor):
    """Corrections, withdrawals and unpublishing belong to whoever holds the publish step."""
    spec = _workflow(item)
    step = spec.steps[rules.publish_step_index(spec.steps)]
    return step, _capacity(actor, step, item)


@transaction.atomic
def item_correct(
    *, item: Item, actor, reason: str, text: str, title: str | None = None, body: str | None = None
) -> Correction:
    """Correct published information at once, in the same place, with a public notice of the
    date and reason (Bắc Kạn Art. 8; Law on Access to Information Art. 22). History stays."""
    item = _lock(item)
    if item.status != Item.Status.PUBLISHED:
        raise EditorialError(
            "not_published", _("Chỉ đính chính bài đang đăng."), kind=ErrorKind.CONFLICT
        )
    if not nfc(reason) or not nfc(text):
        raise EditorialError(
            "reason_required", _("Đính chính phải có lý do và nội dung."), "reason"
        )
    step, on_behalf_of = _publisher_capacity(item, actor)
    published = item.published_revision
    assert published is not None  # a published item has its published revision
    revision = _revision(
        item,
        actor=actor,
        title=published.title if title is None else title,
        summary=published.summary,
        body=published.body if body is None else body,
        fields=published.fields,
        source_name=published.source_name,
        source_url=published.source_url,
    )
    now = timezone.now()
    item.current_revision = revision
    item.published_revision = revision
    item.published_at = now
    item.save(update_fields=["current_revision", "published_revision", "published_at"])
    correction = Correction.objects.create(
        item=item,
        reason=nfc(reason),
        text=nfc(text),
        revision=revision,
        actor=actor,
        published_at=now,
    )
    _audit(
        item,
        action=Transition.Action.CORRECT,
        actor=actor,
        step=step,
        from_status=Item.Status.PUBLISHED,
        on_behalf_of=on_behalf_of,
        comment=reason,
        revision=revision,
    )
    search_documents.item_changed(item.pk)
    transaction.on_commit(_public_pages_changed)
    return correction


@transaction.atomic
def item_withdraw(*, item: Item, actor, reason: str) -> Item:
    """Withdraw a published item; the public reason stays visible in its place."""
    item = _lock(item)
    if not nfc(reason):
        raise EditorialError("reason_required", _("Thu hồi phải nêu lý do công khai."), "reason")
    if item.status not in (Item.Status.PUBLISHED, Item.Status.UNPUBLISHED):
        raise EditorialError(
            "not_published", _("Chỉ thu hồi bài đã đăng."), kind=ErrorKind.CONFLICT
        )
    step, on_behalf_of = _publisher_capacity(item, actor)
    from_status = item.status
    item.status = Item.Status.WITHDRAWN
    item.withdrawal_reason = nfc(reason)
    item.save(update_fields=["status", "withdrawal_reason"])
    item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).update(
        status=WorkflowState.Status.CANCELLED, finished_at=timezone.now()
    )
    _audit(
        item,
        action=Transition.Action.WITHDRAW,
        actor=actor,
        step=step,
        from_status=from_status,
        on_behalf_of=on_behalf_of,
        comment=reason,
    )
    search_documents.item_changed(item.pk)
    transaction.on_commit(_public_pages_changed)
    return item


@transaction.atomic
def item_unpublish(*, item: Item, actor, reason: str = "") -> Item:
    item = _lock(item)
    if item.status != Item.Status.PUBLISHED:
        raise EditorialError(
            "not_published", _("Bài không ở trạng thái đang đăng."), kind=ErrorKind.CONFLICT
        )
    step, on_behalf_of = _publisher_capacity(item, actor)
    item.save(update_fields=_unpublish(item))
    _audit(
        item,
        action=Transition.Action.UNPUBLISH,
        actor=actor,
        step=step,
        from_status=Item.Status.PUBLISHED,
        on_behalf_of=on_behalf_of,
        comment=reason,
    )
    return item


@transaction.atomic
def item_schedule_unpublish(*, item: Item, actor, at: datetime) -> Item:
    item = _lock(item)
    step, on_behalf_of = _publisher_capacity(item, actor)
    _check_plausible(at, "unpublish_at")
    if at <= timezone.now():
        raise EditorialError("in_the_past", _("Thời điểm gỡ phải ở tương lai."), "unpublish_at")
    item.unpublish_at = at
    item.save(update_fields=["unpublish_at"])
    _audit(
        item,
        action=Transition.Action.SCHEDULE,
        actor=actor,
        step=step,
        from_status=item.status,
        on_behalf_of=on_behalf_of,
        comment=f"unpublish at {at.astimezone(TZ).isoformat()}",
    )
    return item


def items_publish_scheduled(*, now: datetime | None = None) -> int:
    """Publish the items whose scheduled time has come (beat task; safe to run twice): exactly
    the revision approved and scheduled, in the name of whoever approved and scheduled it
    (and as whose delegate), with the step and run of that approval (ADR 0010)."""
    now = now or timezone.now()
    done = 0
    for pk in Item.objects.filter(publish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            item = Item.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if item is None or item.publish_at is None or item.publish_at > now:
                continue
            revision, publisher = item.scheduled_revision, item.scheduled_by
            if item.status == Item.Status.WITHDRAWN or revision is None or publisher is None:
                # Withdrawn since, or nothing approved to publish: the schedule lapses.
                logger.warning("schedule of item %s lapsed unpublished", item.pk)
                item.save(update_fields=_schedule_clear(item))
                continue
            on_behalf_of = item.scheduled_on_behalf_of
            approval = (
                item.transitions.filter(
                    action=Transition.Action.SCHEDULE,
                    revision=revision,
                    actor=publisher,
                    workflow_state__isnull=False,
                )
                .select_related("workflow_state")
                .order_by("-pk")
                .first()
            )
            from_status = item.status
            item.save(update_fields=_publish(item, now, revision=revision))
            Transition.objects.create(
                item=item,
                workflow_state=approval.workflow_state if approval else None,
                action=Transition.Action.PUBLISH,
                step_code=approval.step_code if approval else "",
                step_name=approval.step_name if approval else "",
                from_status=from_status,
                to_status=item.status,
                revision=revision,
                actor=publisher,
                on_behalf_of=on_behalf_of,
                comment="Đăng theo lịch hẹn giờ",
            )
            done += 1
    return done


def items_unpublish_scheduled(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for pk in Item.objects.filter(unpublish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            item = Item.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if item is None or item.unpublish_at is None or item.unpublish_at > now:
                continue
            if item.status != Item.Status.PUBLISHED:
                item.unpublish_at = None
                item.save(update_fields=["unpublish_at"])
                continue
            item.save(update_fields=_unpublish(item))
            Transition.objects.create(
                item=item,
                action=Transition.Action.UNPUBLISH,
                from_status=Item.Status.PUBLISHED,
                to_status=item.status,
                actor=item.author,
                comment="scheduled unpublication",
            )
            done += 1
    return done


@transaction.atomic
def item_share_to_portal(*, item: Item, actor) -> Item:
    """Share a component site's published item with the provincial portal: a portal draft
    linked to its original, which then runs the portal's own workflow."""
    if item.site_id is None:
        raise EditorialError("already_on_portal", _("Bài đã thuộc Cổng tỉnh."))
    if not item.is_public:
        raise EditorialError(
            "not_published", _("Chỉ chia sẻ bài đã đăng."), kind=ErrorKind.CONFLICT
        )
    published = item.published_revision
    assert published is not None  # is_public: published with a published revision
    site = item.site
    assert site is not None  # site_id was checked above
    site_name = site.agency.name
    shared = item_create(
        actor=actor,
        kind=item.kind,
        title=published.title,
        summary=published.summary,
        body=published.body,
        fields=published.fields,
        language=item.language,
        source_name=published.source_name or site_name,
        source_url=published.source_url,
        featured=item.featured,
        sla_content_type=item.sla_content_type or None,
    )
    shared.shared_from = item
    shared.save(update_fields=["shared_from"])
    _audit(
        item,
        action=Transition.Action.SHARE,
        actor=actor,
        from_status=item.status,
        comment=f"shared to the portal as item {shared.pk}",
    )
    return shared


@transaction.atomic
def attachment_add(*, item: Item, actor, uploaded) -> Attachment:
    item = _lock(item)
    if item.status == Item.Status.WITHDRAWN:
        raise EditorialError("withdrawn", _("Bài đã thu hồi."), kind=ErrorKind.CONFLICT)
    if item.status == Item.Status.PUBLISHED:
        # A file on a published item is public at once: only the publisher may add one.
        _publisher_capacity(item, actor)
    else:
        spec = _workflow(item)
        state = _active_state(item)
        step = _state_steps(state)[state.current_step] if state else spec.steps[0]
        on_behalf_of = _capacity(actor, step, item)
        if item.publish_at is not None:
            # A file goes public with the item: one added after scheduling was never approved.
            from_status = item.status
            cancelled = _schedule_cancel(item, state=state)
            item.save(update_fields=cancelled.fields)
            _schedule_cancelled(
                item, cancelled, actor=actor, on_behalf_of=on_behalf_of, from_status=from_status
            )
    try:
        content_type, digest, size = check_upload(uploaded)
    except UploadRefused as refused:
        raise ContentError(refused.code, refused.message, "file", kind=refused.kind) from refused
    name = unicodedata.normalize("NFC", uploaded.name or "tep")[-255:]
    return Attachment.objects.create(
        item=item,
        file=uploaded,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )


@transaction.atomic
def public_comment_submit(
    *, item: Item, name: str, email: str, text: str, consent: bool
) -> PublicComment:
    """A citizen's comment on a draft document open for comment (held for moderation). The
    citizen must agree that their name and comment may be published (their e-mail never is):
    without that consent nothing is stored."""
    if not consent:
        raise EditorialError(
            "consent_required",
            _("Hãy đồng ý cho công khai họ tên và nội dung góp ý để gửi góp ý."),
            "consent",
        )
    if item.kind != "draft_document" or not item.is_public:
        raise EditorialError("not_open", _("Văn bản này không lấy ý kiến."))
    published = item.published_revision
    assert published is not None  # is_public: published with a published revision
    fields = published.fields
    today = timezone.localdate()
    if not (fields["opens_on"] <= today.isoformat() <= fields["closes_on"]):
        raise EditorialError("closed", _("Đã hết thời hạn góp ý."))
    name, text = nfc(name), nfc(text)
    if not name or not text:
        raise EditorialError("required", _("Họ tên và nội dung góp ý là bắt buộc."), "text")
    if len(text) > 20_000:
        raise EditorialError("too_long", _("Góp ý tối đa 20.000 ký tự."), "text")
    if len(nfc(email)) > 254:
        raise EditorialError("email_too_long", _("Thư điện tử dài quá 254 ký tự."), "email")
    return PublicComment.objects.create(
        item=item,
        name=name[:200],
        email=nfc(email),
        text=text,
        consented_at=timezone.now(),
    )


COMMENT_DECISIONS = {
    "approve": PublicComment.Status.VISIBLE,
    "reject": PublicComment.Status.HIDDEN,
}


@transaction.atomic
def public_comment_moderate(*, comment: PublicComment, decision: str, acting_user) -> PublicComment:
    """Approve (publish on the draft's page) or reject (keep off it) a citizen's comment. Only
    staff who may edit the draft in the back office decide (editorial.selectors
    .comment_moderation_allowed); a decision may be reversed, the same one twice is refused."""
    from accounts.services import audit_record
    from editorial.selectors import comment_moderation_allowed

    status = COMMENT_DECISIONS.get(decision)
    if status is None:
        raise EditorialError(
            "unknown_decision", _("Quyết định phải là duyệt hoặc không duyệt."), "decision"
        )
    locked = (
        PublicComment.objects.select_for_update(of=("self",))
        .select_related("item", "item__site")
        .get(pk=comment.pk)
    )
    if not comment_moderation_allowed(item=locked.item, user=acting_user):
        raise EditorialError(
            "not_allowed",
            _("Bạn không có quyền duyệt góp ý cho dự thảo này."),
            kind=ErrorKind.FORBIDDEN,
        )
    if locked.status == status:
        raise EditorialError(
            "already_decided",
            _("Góp ý này đã ở trạng thái “%(status)s”.") % {"status": locked.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )
    was_public = locked.status == PublicComment.Status.VISIBLE
    locked.status = status
    locked.moderated_at = timezone.now()
    locked.moderated_by = acting_user
    locked.save(update_fields=["status", "moderated_at", "moderated_by"])
    audit_record(
        actor=acting_user,
        action="draft_comment_approved" if decision == "approve" else "draft_comment_rejected",
        target=f"comment {locked.pk} on item {locked.item_id}",
        site=locked.item.site.host if locked.item.site is not None else "portal",
    )
    if was_public or status == PublicComment.Status.VISIBLE:
        # The draft's page shows approved comments: cached copies must go.
        transaction.on_commit(_public_pages_changed)
    return locked


CATEGORY_NAME_MAX = 200


def _category_name(name: str, *, site_id: int | None, exclude_pk: int | None = None):
    """(NFC name, the site's category of that name or None), or a refusal naming the fault."""
    name = nfc(name)
    if not name:
        raise EditorialError("name_required", _("Tên chuyên mục không được để trống."), "name")
    if len(name) > CATEGORY_NAME_MAX:
        raise EditorialError(
            "name_too_long",
            _("Tên chuyên mục dài quá %(limit)s ký tự.") % {"limit": CATEGORY_NAME_MAX},
            "name",
        )
    if not slugify(unidecode(name)):
        raise EditorialError("invalid_name", _("Tên chuyên mục phải có chữ hoặc số."), "name")
    # exclude(pk=None) is meant (Django makes it IS NULL: nothing excluded); the stubs refuse None.
    same = Category.objects.filter(site_id=site_id, name__iexact=name).exclude(pk=exclude_pk)  # type: ignore[misc]
    return name, same.first()


def _check_position(position: int | None) -> None:
    if position is not None and position < 0:
        raise EditorialError("invalid_position", _("Thứ tự phải là số không âm."), "position")


def _category_audit(action: str, category: Category, actor) -> None:
    from accounts.services import audit_record

    audit_record(
        actor=actor,
        action=action,
        target=f"category {category.slug}",
        site=category.site.host if category.site is not None else "portal",
    )


@transaction.atomic
def category_create(
    *,
    name: str,
    site: ComponentSite | None = None,
    position: int | None = 0,
    actor=None,
    existing_ok: bool = True,
) -> Category:
    """A category of the portal (site=None) or of a component site. A name the site already
    has returns that category (existing_ok, for idempotent seeding) or is refused. The slug —
    the category's public address, `?chuyen-muc=<slug>` — is unique per site and never changes;
    position None puts it last."""
    site_id = site.pk if site else None
    name, same = _category_name(name, site_id=site_id)
    if same is not None:
        if existing_ok:
            return same
        raise EditorialError(
            "category_exists",
            _("Trang này đã có chuyên mục '%(name)s'.") % {"name": same.name},
            "name",
        )
    _check_position(position)
    siblings = Category.objects.filter(site_id=site_id)
    if position is None:
        last = siblings.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    # A renamed category keeps its slug: a new name may need a numbered one.
    base = slugify(unidecode(name))[:110]
    slug, n = base, 1
    while siblings.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    try:
        with transaction.atomic():
            category = Category.objects.create(site=site, name=name, slug=slug, position=position)
    except IntegrityError as error:
        raise EditorialError(
            "category_exists", _("Chuyên mục vừa được tạo cùng lúc; hãy tải lại trang."), "name"
        ) from error
    _category_audit("category_created", category, actor)
    transaction.on_commit(_public_pages_changed)
    return category


@transaction.atomic
def category_update(
    *, category: Category, name: str | None = None, position: int | None = None, actor
) -> Category:
    """Rename or reorder a category. Its slug stays, so links to its list keep working."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    values: dict = {}
    if name is not None:
        name, same = _category_name(name, site_id=locked.site_id, exclude_pk=locked.pk)
        if same is not None:
            raise EditorialError(
                "category_exists",
                _("Trang này đã có chuyên mục '%(name)s'.") % {"name": same.name},
                "name",
            )
        if name != locked.name:
            values["name"] = name
    _check_position(position)
    if position is not None and position != locked.position:
        values["position"] = position
    for key, value in values.items():
        setattr(locked, key, value)
    if values:
        locked.save(update_fields=list(values))
        _category_audit("category_updated " + ",".join(values), locked, actor)
        transaction.on_commit(_public_pages_changed)
        if "name" in values:
            search_documents.category_changed(locked.pk)
    return locked


@transaction.atomic
def category_delete(*, category: Category, actor) -> None:
    """Delete a category no item is filed under; one in use is refused (move its items first)."""
    locked = Category.objects.select_for_update().filter(pk=category.pk).first()
    if locked is None:
        return  # already gone: deleting twice is harmless
    used = Item.objects.filter(category=locked).count()
    if used:
        raise EditorialError(
            "category_in_use",
            _(
                "Chuyên mục '%(name)s' đang có %(used)s bài viết: hãy chuyển các bài "
                "sang chuyên mục khác trước khi xoá."
            )
            % {"name": locked.name, "used": used},
        )
    _category_audit("category_deleted", locked, actor)
    locked.delete()
    transaction.on_commit(_public_pages_changed)


def public_comments_purge(*, today=None) -> int:
    """Erase the e-mail addresses citizens left with comments on drafts once the province's
    retention period for citizens' personal data has passed (profile qa.retention_days, the
    one retention rule the profiles carry). Safe to run twice."""
    from datetime import timedelta

    today = today or timezone.localdate()
    cutoff = today - timedelta(days=current_profile().qa.retention_days)
    return (
        PublicComment.objects.filter(created_at__date__lt=cutoff).exclude(email="").update(email="")
    )
