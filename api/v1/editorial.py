"""Editorial content on a province's hosts, through editorial.services and editorial.selectors.

Citizens and read keys see what a workflow published on this host's site (the portal host
shows the portal's items, a component site's host that site's), always from the published
revision. Staff (a user holding a role of this province's workflow, signed in or through their
key) ask for `view=staff` to see working copies of the whole province, and move items through
the province's own workflow: the services decide who may do what, and api.errors turns their
refusals into 4xx by kind.
"""

from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.fields import BoundedDateTimeField
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import (
    IsProvinceStaff,
    ItemWriteScope,
    is_province_staff,
    require_write_scope,
)
from api.views import ServiceActionView
from core.errors import ErrorKind, ServiceError
from editorial import selectors, services
from editorial.content import MAX_BODY, MAX_TITLE
from editorial.models import Item, Kind, Transition
from organization.selectors import component_site_list

TAGS = ["editorial"]
MAX_SUMMARY = 20_000
MAX_COMMENT = 10_000
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]

ERRORS = {
    400: ErrorOutput,
    401: ErrorOutput,
    403: ErrorOutput,
    404: ErrorOutput,
}
STATE_ERRORS = {**ERRORS, 409: ErrorOutput}


STAFF_ONLY = "Only staff holding a role in this province's editorial workflow may see this."


def require_staff(request) -> None:
    if not (request.user and request.user.is_authenticated):
        raise exceptions.NotAuthenticated()
    if not is_province_staff(request):
        raise exceptions.PermissionDenied(STAFF_ONLY)


def staff_item_or_404(pk: int) -> Item:
    item = selectors.staff_item(pk=pk)
    if item is None:
        raise exceptions.NotFound("No item with this id in this province.")
    return item


# --- output shapes -------------------------------------------------------------------------


class CategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class CorrectionOutput(serializers.Serializer):
    reason = serializers.CharField()
    text = serializers.CharField()
    published_at = serializers.DateTimeField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField(help_text="from the file's bytes, not its name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.CharField(source="file.url")
    uploaded_at = serializers.DateTimeField()


class PublicItemSummary(serializers.Serializer):
    """What a citizen reads: the published revision, never the working copy."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    slug = serializers.CharField()
    language = serializers.CharField()
    category = CategoryOutput(allow_null=True)
    featured = serializers.BooleanField()
    title = serializers.CharField(source="published_revision.title")
    summary = serializers.CharField(source="published_revision.summary")
    # (a declared field named `fields` is fine: DRF's metaclass takes it off the class)
    fields = serializers.DictField(
        source="published_revision.fields", help_text="the fields of the item's kind"
    )
    source_name = serializers.CharField(source="published_revision.source_name")
    source_url = serializers.CharField(source="published_revision.source_url")
    first_published_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(help_text="last published or corrected")


class PublicItemOutput(PublicItemSummary):
    body = serializers.CharField(source="published_revision.body", help_text="sanitised HTML")
    translation_of = serializers.IntegerField(source="translation_of_id", allow_null=True)
    corrections = CorrectionOutput(many=True, help_text="public correction notices, oldest first")
    attachments = AttachmentOutput(many=True)


class StaffItemSummary(serializers.Serializer):
    """What staff see: the working copy (`current_revision`) and where the item stands."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    site = serializers.CharField(
        source="site.label", allow_null=True, help_text="component site label; null: the portal"
    )
    agency = serializers.CharField(source="agency.name", allow_null=True)
    category = serializers.IntegerField(source="category_id", allow_null=True)
    slug = serializers.CharField()
    language = serializers.CharField()
    status = serializers.ChoiceField(choices=Item.Status.choices)
    featured = serializers.BooleanField()
    title = serializers.CharField(source="current_revision.title")
    summary = serializers.CharField(source="current_revision.summary")
    revision = serializers.IntegerField(
        source="current_revision.number", help_text="number of the working copy"
    )
    is_public = serializers.BooleanField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    publish_at = serializers.DateTimeField(allow_null=True, help_text="scheduled publication")
    sla_due_at = serializers.DateTimeField(allow_null=True, help_text="update deadline")


class SlaOutput(serializers.Serializer):
    content_type = serializers.CharField(source="sla_content_type")
    anchor_at = serializers.DateTimeField(source="sla_anchor_at", allow_null=True)
    due_at = serializers.DateTimeField(source="sla_due_at", allow_null=True)
    rule = serializers.CharField(source="sla_rule")
    source = serializers.CharField(source="sla_source", help_text="the article setting it")


class StepOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    action = serializers.CharField()
    may_amend = serializers.BooleanField()
    source = serializers.CharField(help_text="the article of the province's regulation")


class WorkflowOutput(serializers.Serializer):
    workflow = serializers.CharField(help_text="portal or component_site")
    current_step = serializers.IntegerField(help_text="index of the step waiting")
    step = StepOutput(help_text="the step waiting, and who may act on it")
    started_at = serializers.DateTimeField()
    profile_effective_from = serializers.DateField()


class StaffItemOutput(StaffItemSummary):
    body = serializers.CharField(source="current_revision.body", help_text="sanitised HTML")
    fields = serializers.DictField(source="current_revision.fields")
    source_name = serializers.CharField(source="current_revision.source_name")
    source_url = serializers.CharField(source="current_revision.source_url")
    published_revision = serializers.IntegerField(
        source="published_revision.number", allow_null=True, help_text="what the public reads"
    )
    first_published_at = serializers.DateTimeField(allow_null=True)
    unpublish_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField()
    translation_of = serializers.IntegerField(source="translation_of_id", allow_null=True)
    shared_from = serializers.IntegerField(source="shared_from_id", allow_null=True)
    sla = SlaOutput(source="*")
    workflow = serializers.SerializerMethodField(help_text="the active run; null when none")
    corrections = CorrectionOutput(many=True)
    attachments = AttachmentOutput(many=True)

    @extend_schema_field(WorkflowOutput(allow_null=True))
    def get_workflow(self, item):
        active = getattr(item, "active_states", None)
        return WorkflowOutput(active[0]).data if active else None


ItemListEntry = PolymorphicProxySerializer(
    component_name="ItemListEntry",
    serializers=[PublicItemSummary, StaffItemSummary],
    resource_type_field_name=None,
    many=True,
)
ItemRead = PolymorphicProxySerializer(
    component_name="ItemRead",
    serializers=[PublicItemOutput, StaffItemOutput],
    resource_type_field_name=None,
)


def staff_output(item: Item) -> dict:
    return StaffItemOutput(selectors.staff_item(pk=item.pk)).data


# --- items: list, create, read, update ------------------------------------------------------


class ItemListQuery(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=["public", "staff"],
        default="public",
        help_text="staff: working copies of the whole province (staff only)",
    )
    status = serializers.ChoiceField(
        choices=Item.Status.choices, required=False, help_text="view=staff only"
    )
    site = serializers.SlugField(
        required=False, help_text="view=staff only: a component site's label, or 'portal'"
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    category = serializers.IntegerField(min_value=1, required=False, help_text="category id")

    def validate(self, attrs):
        if attrs["view"] != "staff":
            staff_only = {"status", "site"} & set(attrs)
            if staff_only:
                raise serializers.ValidationError(
                    {name: ["Only with view=staff."] for name in sorted(staff_only)}
                )
        return attrs


class ItemCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=MAX_TITLE)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY,
        help_text="HTML, stored sanitised (scripts, event handlers, javascript: links removed)",
    )
    fields = serializers.DictField(
        required=False,
        help_text="the fields of the kind (event_at, number, entries…), with the marks an "
        "update deadline depends on: major_event (news, event: “hội nghị sơ kết, tổng kết, "
        "chuyên đề hoặc sự kiện quan trọng”), urgent and received_at (announcement: "
        "“thông tin khẩn cấp”, counted from receipt), ready_at (when the information was "
        "complete), issued_on",
    )
    site = serializers.SlugRelatedField(
        slug_field="label",
        queryset=component_site_list(),
        required=False,
        allow_null=True,
        help_text="a component site's label; null: the provincial portal; "
        "default: the site of the host called",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=selectors.category_list(), required=False, allow_null=True
    )
    language = serializers.ChoiceField(choices=LANGUAGES, default="vi")
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=selectors.staff_items(), required=False, allow_null=True
    )
    source_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    source_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    is_repost = serializers.BooleanField(default=False)
    featured = serializers.BooleanField(default=False)
    sla_content_type = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=60,
        help_text="an update deadline the profile lets the author pick for this kind; "
        "empty: the deadline of the kind and its marks (ADR 0005)",
    )


class ItemListCreateView(GenericAPIView):
    permission_classes = [ItemWriteScope]
    pagination_class = CursorPagination
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="items_list",
        parameters=[ItemListQuery],
        responses={200: ItemListEntry, **ERRORS},
        description="Published items of this host's site (public shape), newest first; "
        "staff pass `view=staff` for the working copies of the province (staff shape).",
    )
    def get(self, request):
        query = ItemListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params["view"] == "staff":
            require_staff(request)
            items = selectors.staff_items(status=params.get("status"))
            if params.get("kind"):
                items = items.filter(kind=params["kind"])
            if params.get("site") == "portal":
                items = items.filter(site__isnull=True)
            elif params.get("site"):
                items = items.filter(site__label=params["site"])
            output = StaffItemSummary
        else:
            items = selectors.public_items(site=request.component_site, kind=params.get("kind"))
            output = PublicItemSummary
        if params.get("category"):
            items = items.filter(category_id=params["category"])
        page = self.paginate_queryset(items)
        return self.get_paginated_response(output(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="items_create",
        request=ItemCreateInput,
        responses={201: StaffItemOutput, **ERRORS, 413: ErrorOutput},
        description="A draft, by someone who may act at the first step of its site's "
        "workflow. Needs a signed-in user or a key with the write scope (the catalogue scope "
        "for kind procedure).",
    )
    def post(self, request):
        payload = ItemCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        require_write_scope(request, kind=data["kind"])
        site = data.get("site", request.component_site)  # null: the portal
        item = services.item_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            fields=data.get("fields"),
            site=site,
            category=data.get("category"),
            language=data["language"],
            translation_of=data.get("translation_of"),
            source_name=data.get("source_name", ""),
            source_url=data.get("source_url", ""),
            is_repost=data["is_repost"],
            featured=data["featured"],
            sla_content_type=data.get("sla_content_type") or None,
        )
        return Response(staff_output(item), status=status.HTTP_201_CREATED)


class ItemReadQuery(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=["public", "staff"],
        default="public",
        help_text="staff: the working copy and where the item stands (staff only)",
    )


NOT_CHANGEABLE = ("kind", "site", "language", "translation_of")


class ItemUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=MAX_TITLE)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY,
        help_text="HTML, stored sanitised",
    )
    fields = serializers.DictField(
        required=False,
        help_text="replaces the kind's fields (with the marks major_event, urgent, "
        "received_at, ready_at that update deadlines depend on)",
    )
    source_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    source_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    is_repost = serializers.BooleanField(required=False)
    featured = serializers.BooleanField(required=False)
    sla_content_type = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=60,
        help_text="an update deadline the profile lets the author pick for this kind; "
        "empty: back to the deadline of the kind and its marks; absent: unchanged",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=selectors.category_list(),
        required=False,
        allow_null=True,
        help_text="a category id of the item's own site (another site's is refused with "
        "`wrong_category`); null removes the category",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT)

    def validate(self, attrs):
        fixed = [name for name in NOT_CHANGEABLE if name in self.initial_data]
        if fixed:
            raise serializers.ValidationError(
                {name: ["Cannot be changed once the item exists."] for name in fixed}
            )
        if not set(attrs) - {"comment"}:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class ItemDetailView(APIView):
    permission_classes = [ItemWriteScope]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="items_read",
        parameters=[ItemReadQuery],
        responses={200: ItemRead, **ERRORS, 410: ErrorOutput},
        description="The public shape: published items of this host's site only (404 "
        "otherwise); a withdrawn item answers 410 with its public reason as the message.",
    )
    def get(self, request, pk: int):
        query = ItemReadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["view"] == "staff":
            require_staff(request)
            return Response(StaffItemOutput(staff_item_or_404(pk)).data)
        item = selectors.public_item_by_pk(site=request.component_site, pk=pk)
        if item is None:
            raise exceptions.NotFound("No published item with this id on this site.")
        if item.status == Item.Status.WITHDRAWN:
            raise ServiceError("withdrawn", item.withdrawal_reason, kind=ErrorKind.GONE)
        return Response(PublicItemOutput(item).data)

    @extend_schema(
        tags=TAGS,
        operation_id="items_update",
        request=ItemUpdateInput,
        responses={200: StaffItemOutput, **STATE_ERRORS},
        description="A new revision of the working copy; what the public reads changes only "
        "when the workflow publishes. Kind, site and language are fixed; the category (of "
        "the item's own site, or null) may change.",
    )
    def patch(self, request, pk: int):
        item = staff_item_or_404(pk)
        require_write_scope(request, kind=item.kind)
        payload = ItemUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.item_update(item=item, actor=request.user, **payload.validated_data)
        return Response(staff_output(item))


# --- workflow moves --------------------------------------------------------------------------


class ItemActionView(ServiceActionView):
    """One staff action on an item, answered with the item as staff see it."""

    permission_classes = [ItemWriteScope]
    parser_classes = [BoundedJSONParser]
    resource_name = "item"

    def get_resource(self, *, pk: int) -> Item:
        item = staff_item_or_404(pk)
        require_write_scope(self.request, kind=item.kind)
        return item

    def respond(self, item):
        return Response(staff_output(item))


class TransitionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("forward", "perform the current step"), ("reject", "send back to the author")]
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_COMMENT, help_text="required to reject"
    )
    publish_at = BoundedDateTimeField(
        required=False, allow_null=True, help_text="at the publish step: schedule it"
    )


@extend_schema_view(
    post=extend_schema(
        tags=TAGS,
        operation_id="items_transition",
        request=TransitionInput,
        responses={200: StaffItemOutput, **STATE_ERRORS},
        description="Move the item through the province's workflow. 403 `not_allowed` when "
        "the caller does not hold the current step's role; 409 when the item's state forbids "
        "the move (withdrawn, not in a workflow).",
    )
)
class ItemTransitionView(ItemActionView):
    input_class = TransitionInput
    service = staticmethod(services.item_transition)


class CorrectionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_COMMENT, help_text="shown to the public")
    text = serializers.CharField(max_length=MAX_SUMMARY, help_text="the correction notice")
    title = serializers.CharField(required=False, max_length=MAX_TITLE)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_BODY
    )


class CorrectionCreatedOutput(CorrectionOutput):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    revision = serializers.IntegerField(source="revision.number", help_text="now published")


@extend_schema_view(
    post=extend_schema(
        tags=TAGS,
        operation_id="items_correct",
        request=CorrectionInput,
        responses={201: CorrectionCreatedOutput, **STATE_ERRORS},
        description="Correct a published item at once, with a public notice of the date and "
        "reason; by whoever holds the publish step.",
    )
)
class ItemCorrectionView(ItemActionView):
    input_class = CorrectionInput
    service = staticmethod(services.item_correct)

    def respond(self, correction):
        return Response(CorrectionCreatedOutput(correction).data, status=status.HTTP_201_CREATED)


class WithdrawalInput(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_COMMENT, help_text="shown to the public")


@extend_schema_view(
    post=extend_schema(
        tags=TAGS,
        operation_id="items_withdraw",
        request=WithdrawalInput,
        responses={200: StaffItemOutput, **STATE_ERRORS},
        description="Withdraw a published item; the public then reads 410 with the reason.",
    )
)
class ItemWithdrawalView(ItemActionView):
    input_class = WithdrawalInput
    service = staticmethod(services.item_withdraw)


class UnpublishScheduleInput(serializers.Serializer):
    at = BoundedDateTimeField(help_text="when the item comes down (in the future)")


@extend_schema_view(
    post=extend_schema(
        tags=TAGS,
        operation_id="items_schedule_unpublish",
        request=UnpublishScheduleInput,
        responses={200: StaffItemOutput, **STATE_ERRORS},
        description="Schedule a published item's unpublication (by the holder of the publish "
        "step); the beat task takes it down within a minute of that time.",
    )
)
class ItemUnpublishScheduleView(ItemActionView):
    input_class = UnpublishScheduleInput
    service = staticmethod(services.item_schedule_unpublish)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, Word, Excel, PowerPoint, PNG, JPEG or GIF")


class ItemAttachmentView(APIView):
    permission_classes = [ItemWriteScope]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="items_attachment_add",
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput, **ERRORS, 413: ErrorOutput},
        description="Attach a file, by whoever may edit the item at its current step. The "
        "type is read from the file's bytes.",
    )
    def post(self, request, pk: int):
        item = staff_item_or_404(pk)
        require_write_scope(request, kind=item.kind)
        payload = AttachmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            item=item, actor=request.user, uploaded=payload.validated_data["file"]
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


# --- audit: history, revisions, diff (staff) -------------------------------------------------


class TransitionOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Transition.Action.choices)
    step = serializers.CharField(source="step_code", help_text="code of the workflow step")
    step_name = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username")
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.username", allow_null=True, help_text="the delegator, if any"
    )
    comment = serializers.CharField()
    revision = serializers.IntegerField(source="revision.number", allow_null=True)
    at = serializers.DateTimeField(source="created_at")


class ItemHistoryView(APIView):
    permission_classes = [IsProvinceStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="items_history",
        responses={200: TransitionOutput(many=True), **ERRORS},
        description="Every move of the item, oldest first, with who made it (staff only).",
    )
    def get(self, request, pk: int):
        item = staff_item_or_404(pk)
        return Response(TransitionOutput(selectors.item_history(item=item), many=True).data)


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    is_current = serializers.SerializerMethodField(help_text="the working copy")
    is_published = serializers.SerializerMethodField(help_text="what the public reads")

    def get_is_current(self, revision) -> bool:
        return revision.pk == self.context["item"].current_revision_id

    def get_is_published(self, revision) -> bool:
        return revision.pk == self.context["item"].published_revision_id


class ItemRevisionsView(APIView):
    permission_classes = [IsProvinceStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="items_revisions",
        responses={200: RevisionOutput(many=True), **ERRORS},
        description="The item's revisions, oldest first (staff only).",
    )
    def get(self, request, pk: int):
        item = staff_item_or_404(pk)
        revisions = selectors.item_revisions(item=item)
        return Response(RevisionOutput(revisions, many=True, context={"item": item}).data)


# `from` is a Python keyword: these serializers are built with type() to name a field so.
DiffQuery = type(
    "DiffQuery",
    (serializers.Serializer,),
    {
        "from": serializers.IntegerField(min_value=1, help_text="the older revision's number"),
        "to": serializers.IntegerField(min_value=1, help_text="the newer revision's number"),
    },
)


class DiffLineOutput(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "removed", "added"])
    text = serializers.CharField()


DiffOutput = type(
    "DiffOutput",
    (serializers.Serializer,),
    {
        "from": serializers.IntegerField(),
        "to": serializers.IntegerField(),
        "lines": DiffLineOutput(many=True, help_text="a line diff of the visible text"),
    },
)
DIFF_OPS = {" ": "equal", "-": "removed", "+": "added"}


class ItemDiffView(APIView):
    permission_classes = [IsProvinceStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="items_diff",
        parameters=[DiffQuery],
        responses={200: DiffOutput, **ERRORS},
        description="What changed between two revisions of the item (staff only).",
    )
    def get(self, request, pk: int):
        item = staff_item_or_404(pk)
        query = DiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = query.validated_data
        revisions = {
            revision.number: revision
            for revision in selectors.item_revisions(item=item).filter(
                number__in=[numbers["from"], numbers["to"]]
            )
        }
        missing = [end for end in ("from", "to") if numbers[end] not in revisions]
        if missing:
            raise ServiceError(
                "unknown_revision",
                "The item has no such revision.",
                fields={end: [f"No revision {numbers[end]}."] for end in missing},
            )
        lines = selectors.revision_diff(
            old=revisions[numbers["from"]], new=revisions[numbers["to"]]
        )
        body = {
            "from": numbers["from"],
            "to": numbers["to"],
            "lines": [{"op": DIFF_OPS[op], "text": text} for op, text in lines],
        }
        return Response(DiffOutput(body).data)


# --- the caller's queue ----------------------------------------------------------------------


class QueueEntryOutput(serializers.Serializer):
    id = serializers.IntegerField(source="item.id")
    kind = serializers.CharField(source="item.kind")
    site = serializers.CharField(source="item.site.label", allow_null=True)
    agency = serializers.CharField(source="item.agency.name", allow_null=True)
    title = serializers.CharField(source="item.current_revision.title")
    status = serializers.ChoiceField(source="item.status", choices=Item.Status.choices)
    revision = serializers.IntegerField(source="item.current_revision.number")
    sla_due_at = serializers.DateTimeField(source="item.sla_due_at", allow_null=True)
    workflow = serializers.CharField(source="state.workflow")
    run_started_at = serializers.DateTimeField(source="state.started_at")
    step = StepOutput()


class QueueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="queue_list",
        responses={200: QueueEntryOutput(many=True), 401: ErrorOutput},
        description="The items waiting for a step the caller may perform now (own roles or "
        "delegations), the nearest update deadline first.",
    )
    def get(self, request):
        entries = [
            {"item": item, "state": state, "step": step}
            for item, state, step in selectors.item_queue(user=request.user)
        ]
        return Response(QueueEntryOutput(entries, many=True).data)
