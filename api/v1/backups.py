"""Operator API for the provinces' backups (platform host only, ADR 0020): list them, take one
now, see one with its progress and proofs, verify it, restore it (a dry run answers at once
with what would change), and each province's state against its schedule.

Long work (a backup, a verification, a real restore) is queued for the workers and answered
202; the record's `progress` says where it stands."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import IsOperator
from backups import tasks as backup_tasks
from backups.models import Backup, Restore
from backups.schedule import province_status
from backups.selectors import backup_get, manifest_summary
from backups.selectors import backups as backup_records
from backups.services import backup_request, backup_restore
from core.errors import ErrorKind, ServiceError
from provinces.loader import ProfileError
from tenants.outbox import enqueue
from tenants.selectors import province_list

TAGS = ["operator"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
SLUG_PATTERN = r"^[a-z][a-z0-9]{1,39}$"
# A new schema: a lower-case PostgreSQL identifier (63 bytes at most).
SCHEMA_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
RESERVED_SCHEMAS = frozenset({"public", "information_schema"})
MAX_ID = 2**63 - 1


def _not_found() -> ServiceError:
    return ServiceError("not_found", _("Không có bản sao lưu này."), kind=ErrorKind.NOT_FOUND)


def _backup(pk: int) -> Backup:
    # The path converter takes any digits: a number past the column's range is no backup
    # (not a database error).
    if not 0 < pk <= MAX_ID:
        raise _not_found()
    return backup_get(pk)


def _province(slug: str):
    province = province_list().filter(slug=slug).first()
    if province is None:
        raise ServiceError(
            "unknown_province", _("Không có tỉnh này trên nền tảng."), field="province"
        )
    return province


def _actor(request):
    return request.user if request.user and request.user.is_authenticated else None


def _actor_id(request) -> int | None:
    actor = _actor(request)
    return actor.pk if actor is not None else None


# --- output ------------------------------------------------------------------------------


class ProgressOutput(serializers.Serializer):
    stage = serializers.CharField(required=False)
    done = serializers.IntegerField(required=False)
    total = serializers.IntegerField(required=False)


class BackupSummary(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    province = serializers.CharField(source="province_slug")
    kind = serializers.ChoiceField(choices=Backup.Kind.choices)
    status = serializers.ChoiceField(choices=Backup.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    size_bytes = serializers.IntegerField(allow_null=True)
    storage = serializers.CharField()
    key = serializers.CharField(source="storage_key", help_text="path or object key")
    verification = serializers.ChoiceField(choices=Backup.Verified.choices)
    verified_at = serializers.DateTimeField(allow_null=True)

    def get_duration_seconds(self, backup) -> float | None:
        duration = backup.duration
        return round(duration.total_seconds(), 3) if duration is not None else None


class VerificationOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by_name")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    problems = serializers.ListField(child=serializers.DictField())
    summary = serializers.DictField()


class RestoreOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    backup = serializers.IntegerField(source="backup_id")
    province = serializers.CharField(source="province_slug")
    mode = serializers.ChoiceField(choices=Restore.Mode.choices)
    dry_run = serializers.BooleanField()
    target_schema = serializers.CharField()
    kept_schema = serializers.CharField()
    kept_dropped_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="running, succeeded or failed")
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by_name")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = ProgressOutput()
    report = serializers.DictField(help_text="what changes (dry run) or changed")
    error = serializers.CharField()


class ManifestSummary(serializers.Serializer):
    tables = serializers.IntegerField()
    rows = serializers.IntegerField()
    files = serializers.IntegerField()
    bytes = serializers.IntegerField()


class BackupDetail(BackupSummary):
    schema_name = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by_name")
    started_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    progress = ProgressOutput()
    manifest = serializers.SerializerMethodField()
    verifications = VerificationOutput(many=True, source="verifications.all")
    restores = RestoreOutput(many=True, source="restores.all")

    @extend_schema_field(ManifestSummary)
    def get_manifest(self, backup) -> dict:
        return manifest_summary(backup.manifest)


class QueuedOutput(serializers.Serializer):
    province = serializers.CharField()
    backup = serializers.IntegerField(
        help_text="the backup's id: follow its status and progress at "
        "/api/v1/operator/backups/{id}/"
    )
    status = serializers.CharField(help_text="queued until a worker takes it, then its status")


class PolicyRuleOutput(serializers.Serializer):
    field = serializers.CharField()
    # A declared field (DRF's metaclass takes it out of the class), not Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()
    cited = serializers.CharField(help_text="the article, in Vietnamese, or the platform default")


class WindowOutput(serializers.Serializer):
    start = serializers.TimeField()
    end = serializers.TimeField(help_text="earlier than the start: the window crosses midnight")


class PolicyOutput(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=["daily", "weekly"])
    window = WindowOutput()
    keep_daily = serializers.IntegerField()
    keep_weekly = serializers.IntegerField()
    keep_monthly = serializers.IntegerField()
    verify = serializers.ChoiceField(choices=["every_backup", "daily", "weekly"])
    keep_drafts = serializers.BooleanField()
    rules = PolicyRuleOutput(many=True, help_text="each value for people, with its article")


class ProvinceBackupStatus(serializers.Serializer):
    province = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField(
        help_text="running, overdue, failed, ok, never, or no_profile (no readable rule profile)"
    )
    status_label = serializers.CharField()
    overdue = serializers.BooleanField(help_text="past its schedule")
    next_due = serializers.DateTimeField(allow_null=True)
    last_backup = BackupSummary(allow_null=True)
    last_success = BackupSummary(allow_null=True)
    last_verification = VerificationOutput(allow_null=True)
    size_bytes = serializers.IntegerField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    policy = PolicyOutput(allow_null=True)


# --- input -------------------------------------------------------------------------------


class ListQuery(serializers.Serializer):
    province = serializers.RegexField(SLUG_PATTERN, required=False, help_text="a province's slug")
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class CreateInput(serializers.Serializer):
    province = serializers.RegexField(SLUG_PATTERN, help_text="the province's slug")


class RestoreInput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Restore.Mode.choices)
    target_schema = serializers.RegexField(
        SCHEMA_PATTERN,
        required=False,
        allow_null=True,
        help_text="a new schema (mode `into` only): lower-case letters, digits, underscores",
    )
    dry_run = serializers.BooleanField(default=False)

    def validate_target_schema(self, value):
        if value and (value in RESERVED_SCHEMAS or value.startswith("pg_")):
            raise serializers.ValidationError(_("Tên lược đồ này do hệ thống dùng."))
        return value

    def validate(self, attrs):
        target = attrs.get("target_schema")
        if attrs["mode"] == Restore.Mode.INTO and not target:
            raise serializers.ValidationError(
                {"target_schema": [_("Cần tên lược đồ mới để phục hồi vào.")]}
            )
        if attrs["mode"] == Restore.Mode.IN_PLACE and target:
            raise serializers.ValidationError(
                {"target_schema": [_("Phục hồi tại chỗ ghi vào lược đồ của tỉnh: bỏ trống.")]}
            )
        return attrs


# --- views -------------------------------------------------------------------------------


class BackupPagination(CursorPagination):
    ordering = "-pk"  # newest first


class BackupListCreateView(GenericAPIView):
    permission_classes = [IsOperator]
    pagination_class = BackupPagination
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_list",
        parameters=[ListQuery],
        responses={200: BackupSummary(many=True), **ERRORS},
        description="Every province's backups (or one's, with `province`), newest first.",
    )
    def get(self, request):
        query = ListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        records = backup_records(province_slug=query.validated_data.get("province"))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(BackupSummary(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_create",
        request=CreateInput,
        responses={202: QueuedOutput, 409: ErrorOutput, **ERRORS},
        description="Back the province up now (a manual backup, verified once taken). 202: "
        "queued, with the backup's id to follow; 409 `busy` while a backup of the province is "
        "queued or runs.",
    )
    def post(self, request):
        payload = CreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        province = _province(payload.validated_data["province"])
        backup = backup_request(province=province, actor=_actor(request))
        enqueue(
            backup_tasks.backup_province_task,
            province.slug,
            Backup.Kind.MANUAL,
            actor_id=_actor_id(request),
            backup_id=backup.pk,
        )
        backup.refresh_from_db()  # taken already when the task ran at once
        body = {"province": province.slug, "backup": backup.pk, "status": backup.status}
        return Response(QueuedOutput(body).data, status=status.HTTP_202_ACCEPTED)


class BackupDetailView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_detail",
        responses={200: BackupDetail, 404: ErrorOutput, **ERRORS},
        description="A backup with its progress while it runs, its manifest's counts, its "
        "verifications (each problem in words) and the restores made from it.",
    )
    def get(self, request, pk: int):
        return Response(BackupDetail(_backup(pk)).data)


def _restorable(backup: Backup) -> None:
    if backup.status != Backup.Status.SUCCEEDED:
        raise ServiceError(
            "not_restorable",
            _("Bản sao lưu này không hoàn tất hoặc đã bị xoá: không kiểm tra hay phục hồi được."),
            kind=ErrorKind.CONFLICT,
        )


class BackupVerifyView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_verify",
        request=None,
        responses={202: BackupSummary, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Prove the backup: restore it into a scratch database and compare it with "
        "its manifest. 202: queued; the verification appears on the backup.",
    )
    def post(self, request, pk: int):
        backup = _backup(pk)
        _restorable(backup)
        enqueue(backup_tasks.verify_backup_task, backup.pk, actor_id=_actor_id(request))
        backup.refresh_from_db()
        return Response(BackupSummary(backup).data, status=status.HTTP_202_ACCEPTED)


class BackupRestoreView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_restore",
        request=RestoreInput,
        responses={
            200: RestoreOutput,
            202: QueuedOutput,
            404: ErrorOutput,
            409: ErrorOutput,
            **ERRORS,
        },
        description="Restore the backup into a new schema (`into`, with `target_schema`) or "
        "over the province (`in_place`: the current schema is kept under a dated name until "
        "an operator drops it). `dry_run`: 200 with the report of what would change, nothing "
        "changed; otherwise 202, queued.",
    )
    def post(self, request, pk: int):
        backup = _backup(pk)
        payload = RestoreInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        _restorable(backup)
        if data["dry_run"]:
            restore = backup_restore(
                backup=backup,
                mode=data["mode"],
                target_schema=data.get("target_schema"),
                dry_run=True,
                actor=request.user,
            )
            return Response(RestoreOutput(restore).data)
        backup_tasks.restore_queue(
            backup=backup,
            mode=data["mode"],
            target_schema=data.get("target_schema"),
            actor=_actor(request),
        )
        body = {"province": backup.province_slug, "backup": backup.pk, "status": "queued"}
        return Response(QueuedOutput(body).data, status=status.HTTP_202_ACCEPTED)


class BackupStatusView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_backups_status",
        responses={200: ProvinceBackupStatus(many=True), **ERRORS},
        description="Each province against its schedule: last backup, last success, last "
        "verification, size, duration, whether it is past its schedule, when the next is due, "
        "and the policy (frequency, window, retention) with its article.",
    )
    def get(self, request):
        rows = [status_row(province) for province in province_list()]
        return Response(ProvinceBackupStatus(rows, many=True).data)


def status_row(province) -> dict:
    try:
        state = province_status(province)
    except ProfileError:
        # A province whose rule profile cannot be read (none shipped under its slug) has no
        # schedule to stand against: said so, not a 500 for every province.
        return {
            "province": province.slug,
            "name": province.name,
            "status": "no_profile",
            "status_label": _("Không đọc được hồ sơ quy chế của tỉnh: chưa có lịch sao lưu."),
            "overdue": False,
            "next_due": None,
            "last_backup": None,
            "last_success": None,
            "last_verification": None,
            "size_bytes": None,
            "duration_seconds": None,
            "policy": None,
        }
    duration = state.duration
    policy = state.policy
    return {
        "province": province.slug,
        "name": province.name,
        "status": state.status,
        "status_label": state.status_label,
        "overdue": state.overdue,
        "next_due": state.next_due,
        "last_backup": state.last_backup,
        "last_success": state.last_success,
        "last_verification": state.last_verification,
        "size_bytes": state.size_bytes,
        "duration_seconds": duration.total_seconds() if duration is not None else None,
        "policy": {
            "frequency": policy.frequency,
            "window": {"start": policy.window_start, "end": policy.window_end},
            "keep_daily": policy.keep_daily,
            "keep_weekly": policy.keep_weekly,
            "keep_monthly": policy.keep_monthly,
            "verify": policy.verify,
            "keep_drafts": policy.keep_drafts,
            "rules": [asdict(rule) for rule in policy.rules],
        },
    }
