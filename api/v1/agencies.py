"""Operator API (platform host only): rename, merge and retire a province's agencies (the 2025
reform, issue 16), with a dry run. The rules and the plan are tenants.agencies'; this layer
reads the body, names the province and answers the plan, or the one error body with each
problem by its path ("changes[1].into")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.parsers import BoundedJSONParser
from api.permissions import IsOperator
from core.errors import ErrorKind, ServiceError
from tenants.agencies import (
    MAX_CHANGES,
    agency_changes_apply,
    agency_changes_plan,
    refusal_of,
)
from tenants.selectors import province_list

TAGS = ["operator"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


class ChangeInput(serializers.Serializer):
    """One change, as documented; the service checks each (keys, lengths, agencies)."""

    action = serializers.ChoiceField(choices=["rename", "merge", "retire"])
    agency = serializers.CharField(
        max_length=255, help_text="full name, short name or component site label"
    )
    name = serializers.CharField(max_length=255, required=False, help_text="rename: new name")
    short_name = serializers.CharField(
        max_length=60, required=False, help_text="rename: new short name"
    )
    label = serializers.CharField(
        max_length=63, required=False, help_text="rename: new site label (new hosts)"
    )
    into = serializers.CharField(max_length=255, required=False, help_text="merge: the target")
    successor = serializers.CharField(
        max_length=255, required=False, help_text="retire: who takes the work over (required)"
    )


class ChangesInput(serializers.Serializer):
    changes = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_CHANGES,
        help_text=f"1 to {MAX_CHANGES} changes, run in order (each: see ChangeInput)",
    )
    dry_run = serializers.BooleanField(default=True, help_text="true: the plan only")


class ChangesDocument(serializers.Serializer):
    """The body as documented: each change with its fields. Read as ChangesInput, so that an
    unknown key or a wrong type is the service's problem with its path, not silently dropped."""

    changes = ChangeInput(many=True, help_text=f"1 to {MAX_CHANGES} changes, run in order")
    dry_run = serializers.BooleanField(default=True, help_text="true: the plan only")


class AgencyRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    label = serializers.CharField()
    host = serializers.CharField()


class MovedKindOutput(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class MovesOutput(serializers.Serializer):
    items = MovedKindOutput(many=True)
    items_total = serializers.IntegerField()
    procedures = serializers.IntegerField()
    categories = serializers.IntegerField()
    topics = serializers.IntegerField()
    questions_open = serializers.IntegerField()
    questions_closed = serializers.IntegerField()
    role_assignments = serializers.IntegerField()
    role_assignments_dropped = serializers.IntegerField()
    delegations = serializers.IntegerField()


class SlugRenameOutput(serializers.Serializer):
    what = serializers.CharField(help_text="item or category")
    what_label = serializers.CharField()
    old_slug = serializers.CharField()
    new_slug = serializers.CharField()
    old_path = serializers.CharField()
    new_path = serializers.CharField()


class HostRedirectOutput(serializers.Serializer):
    host = serializers.CharField()
    target_host = serializers.CharField()
    reason = serializers.CharField()
    reason_label = serializers.CharField()


class ChangeProblemOutput(serializers.Serializer):
    path = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class AgencyChangeOutput(serializers.Serializer):
    index = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    agency = AgencyRefOutput(allow_null=True)
    target = AgencyRefOutput(allow_null=True)
    rename = serializers.DictField(child=serializers.CharField())
    moves = MovesOutput(required=False, help_text="merge and retire: what moves (empty for rename)")
    slug_renames = SlugRenameOutput(many=True)
    host_redirects = HostRedirectOutput(many=True)
    new_hosts = serializers.ListField(child=serializers.CharField())
    dropped_roles = serializers.ListField(child=serializers.DictField())
    problems = ChangeProblemOutput(many=True)


class PlanOutput(serializers.Serializer):
    province = serializers.CharField()
    province_name = serializers.CharField()
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField()
    changes = AgencyChangeOutput(many=True)
    problems = ChangeProblemOutput(many=True)


class AgencyChangesView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_agency_changes",
        request=ChangesDocument,
        responses={200: PlanOutput, **ERRORS},
        description="Rename, merge or retire agencies of a province, in order, as one "
        "transaction: with `dry_run` (the default) the plan only, nothing changed; otherwise "
        "the plan as done. A merge or retirement moves the agency's items, categories, Q&A "
        "topics and questions (open ones keep their tracking code and due date), roles and "
        "running delegations to the target, whose site must exist; its hosts redirect there. "
        "400 with each problem by its path in `fields` (`changes[1].into`), nothing stored.",
    )
    def post(self, request, slug: str):
        province = province_list().filter(slug=slug[:40]).first()
        if province is None:
            raise ServiceError(
                "unknown_province",
                _("Không có tỉnh này trên nền tảng."),
                field="province",
                kind=ErrorKind.NOT_FOUND,
            )
        payload = ChangesInput(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = payload.validated_data["changes"]
        if payload.validated_data["dry_run"]:
            plan = agency_changes_plan(province=province, changes=changes)
            if plan["problems"]:
                # The same refusal as the apply's: the one error body, each problem by path.
                raise refusal_of(plan)
        else:
            plan = agency_changes_apply(province=province, changes=changes, actor=request.user)
        return Response(PlanOutput(plan).data)
