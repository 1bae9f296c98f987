"""Operator API for the provinces' rule profiles (platform host only, issue 15): list the stored
versions, submit one (the TOML as JSON text or as a multipart file), read one with its diff
against the version before, approve it (another operator than its author: four eyes) or reject
it with a reason, and export its text.

Every write goes through tenants.profile_versions, acting as the key's (or session's) user; a
refusal answers in the API's one error body, an invalid profile with each field path."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import IsOperator
from tenants.models import ProfileVersion
from tenants.profile_versions import (
    MAX_REASON_LENGTH,
    MAX_TEXT_BYTES,
    PROFILE_SUFFIX,
    ProfileVersionError,
    upload_text,
    version_approve,
    version_export,
    version_get,
    version_list,
    version_reject,
    version_submit,
)

TAGS = ["operator"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
SLUG_PATTERN = r"^[a-z][a-z0-9]{1,39}$"


# --- output ------------------------------------------------------------------------------


class DiffEntryOutput(serializers.Serializer):
    path = serializers.CharField(
        help_text='the field path, as the loader writes it ("qa.kinds.competence.working_days"); '
        'empty with after "new province" for a province\'s first version'
    )
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    source_before = serializers.JSONField(allow_null=True, help_text="the article of `before`")
    source_after = serializers.JSONField(allow_null=True, help_text="the article of `after`")


class VersionSummary(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    province = serializers.CharField(source="slug")
    effective_from = serializers.DateField()
    status = serializers.CharField(
        help_text="submitted, approved, rejected or superseded (`status_label`: in words)"
    )
    status_label = serializers.CharField(source="get_status_display")
    origin = serializers.CharField(help_text="upload, or shipped (a file of the platform)")
    origin_label = serializers.CharField(source="get_origin_display")
    author = serializers.CharField(source="author_name")
    submitted_at = serializers.DateTimeField()
    past_reason = serializers.CharField(help_text="why an effective date already past")
    reviewer = serializers.CharField(source="reviewer_name")
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    previous = serializers.IntegerField(
        source="previous_id", allow_null=True, help_text="the version in force before it"
    )
    sha256 = serializers.CharField()


class VersionDetail(VersionSummary):
    diff = DiffEntryOutput(many=True, help_text="field by field, against the version before")
    text = serializers.CharField(help_text="the TOML as uploaded")


class OnboardingOutput(serializers.Serializer):
    province = serializers.CharField(source="province.slug")
    created = serializers.BooleanField()
    admin_username = serializers.CharField(allow_null=True)
    admin_secret = serializers.CharField(
        allow_null=True, help_text="one-time secret, returned once; must be changed at first login"
    )


class ApprovedOutput(VersionDetail):
    onboarding = OnboardingOutput(
        allow_null=True,
        help_text="when the approval onboarded a new province: its administrator, once",
    )


# --- input -------------------------------------------------------------------------------


class ListQuery(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ProfileVersion.Status.values, required=False, help_text="only versions in it"
    )
    province = serializers.RegexField(SLUG_PATTERN, required=False, help_text="a province's slug")
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class SubmitInput(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=MAX_TEXT_BYTES,
        help_text="the whole profile, as TOML text (JSON body)",
    )
    file = serializers.FileField(
        required=False, help_text="the profile as a .toml file (multipart body), 256 KiB at most"
    )
    past_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        help_text="required when the effective date is already past: why (recorded)",
    )

    def validate_file(self, upload):
        try:
            return upload_text(upload)
        except ProfileVersionError as error:
            raise serializers.ValidationError(str(error.message)) from None

    def validate_text(self, text):
        if "\x00" in text:
            raise serializers.ValidationError(_("Nội dung không được chứa ký tự NUL."))
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise serializers.ValidationError(_("Hồ sơ quy chế dài tối đa 256 KiB."))
        return text

    def validate(self, attrs):
        if bool(attrs.get("text")) == bool(attrs.get("file")):
            raise serializers.ValidationError(
                {"text": [_("Gửi nội dung hồ sơ (text) hoặc một tệp .toml (file), không cả hai.")]}
            )
        attrs["profile_text"] = attrs.get("text") or attrs.get("file")
        return attrs


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH, help_text="why (shown to the author and kept)"
    )


# --- views -------------------------------------------------------------------------------


class VersionPagination(CursorPagination):
    ordering = "-pk"  # newest first


class ProfileVersionListCreateView(GenericAPIView):
    permission_classes = [IsOperator]
    pagination_class = VersionPagination
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_list",
        parameters=[ListQuery],
        responses={200: VersionSummary(many=True), **ERRORS},
        description="The stored profile versions, newest first; `status=submitted` lists those "
        "waiting for a second operator, `province` one province's.",
    )
    def get(self, request):
        query = ListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        versions = version_list(status=query.validated_data.get("status"))
        if province := query.validated_data.get("province"):
            versions = versions.filter(slug=province)
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(VersionSummary(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_submit",
        request={
            "application/json": SubmitInput,
            "multipart/form-data": SubmitInput,
        },
        responses={201: VersionDetail, 409: ErrorOutput, **ERRORS},
        description="Submit a profile version for review by another operator: the TOML as "
        "`text` (JSON) or as a `.toml` `file` (multipart), with `past_reason` when its "
        "effective date is already past. 201 with the version and its diff; 400 with each "
        "invalid field path in `fields`, nothing stored; 409 when a version of the province "
        "and day already waits, or the province already applied the rules from that date.",
    )
    def post(self, request):
        payload = SubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = version_submit(
            text=data["profile_text"],
            operator=request.user,
            past_reason=data.get("past_reason", ""),
        )
        return Response(VersionDetail(version).data, status=status.HTTP_201_CREATED)


class ProfileVersionDetailView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_detail",
        responses={200: VersionDetail, 404: ErrorOutput, **ERRORS},
        description="A version with its review, its diff against the version before (field "
        "by field, with sources) and its text.",
    )
    def get(self, request, pk: int):
        return Response(VersionDetail(version_get(pk)).data)


class ProfileVersionApproveView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_approve",
        request=None,
        responses={200: ApprovedOutput, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Approve a submitted version as another operator than its author (403 "
        "`own_submission` for the author). A new province is onboarded from it; a new version "
        "of a province takes effect on its effective date (`onboarding`: the new province's "
        "administrator and one-time secret, returned once). 409 when it no longer waits.",
    )
    def post(self, request, pk: int):
        version = version_approve(version=version_get(pk), operator=request.user)
        version.onboarding = getattr(version, "onboarding", None)  # type: ignore[attr-defined]
        return Response(ApprovedOutput(version).data)


class ProfileVersionRejectView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_reject",
        request=RejectInput,
        responses={200: VersionDetail, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Reject a submitted version with a `reason` (required); by its author, a "
        "withdrawal. 409 when it no longer waits.",
    )
    def post(self, request, pk: int):
        version = version_get(pk)
        payload = RejectInput(data=request.data)
        payload.is_valid(raise_exception=True)
        version = version_reject(
            version=version, operator=request.user, reason=payload.validated_data["reason"]
        )
        return Response(VersionDetail(version).data)


class ProfileVersionExportView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_profiles_export",
        responses={(200, "application/toml"): OpenApiTypes.STR, 404: ErrorOutput, **ERRORS},
        description="The version's TOML exactly as stored, as a file named "
        "`<slug>-<effective date>.toml`: the loader reads it as it read the upload.",
    )
    def get(self, request, pk: int):
        version = version_get(pk)
        _path, text = version_export(version=version)
        response = HttpResponse(text, content_type="application/toml; charset=utf-8")
        filename = f"{version.slug}-{version.effective_from.isoformat()}{PROFILE_SUFFIX}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
