"""Operator API for merging one province into another (platform host only, issue 16): list the
merge jobs, plan one (the dry run: nothing in either province changes), read a job with its plan
and stages, answer the procedures both provinces hold under one code, queue the run for a
worker (202) and cancel a job planned or stopped.

Every write goes through tenants.merging (the run through tenants.merge_tasks), acting
as the key's (or session's) user; a refusal answers in the API's one error body."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.fields import BoundedDateField
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import IsOperator
from core.errors import ServiceError
from tenants.merge_tasks import merge_run_queue, merge_run_task
from tenants.merging import merge_cancel, merge_plan, merge_resolve
from tenants.models import MergeJob
from tenants.selectors import merge_job_get, merge_job_list, merge_run_queued, province_list

TAGS = ["operator"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
SLUG_PATTERN = r"^[a-z][a-z0-9]{1,39}$"
MAX_ID = 2**63 - 1
MAX_ANSWERS = 2000  # procedures or roles answered in one request
MAX_CODE_LENGTH = 60  # of a national procedure code or a role's code
CHOICES = ("target", "source")
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _job(pk: int) -> MergeJob:
    job = merge_job_get(pk) if 0 < pk <= MAX_ID else None
    if job is None:
        raise Http404
    return job


def _province(slug: str, field: str):
    province = province_list().filter(slug=slug).first()
    if province is None:
        raise ServiceError("unknown_province", _("Không có tỉnh này trên nền tảng."), field=field)
    return province


# --- output ------------------------------------------------------------------------------


class ProvinceOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class JobSummary(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    source = ProvinceOutput(help_text="the province merged")
    target = ProvinceOutput(help_text="the province it joins")
    effective_from = serializers.DateField()
    status = serializers.CharField(
        help_text="planned, running, failed, completed or cancelled (`status_label`: in words)"
    )
    status_label = serializers.CharField(source="get_status_display")
    stage = serializers.CharField(help_text="the stage running, or the one that failed")
    error = serializers.CharField(help_text="why the failed stage stopped")
    requested_by = serializers.CharField(source="requested_name")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class JobDetail(JobSummary):
    plan = serializers.JSONField(
        help_text="the dry run's report: counts by table, agencies, sites and hosts, accounts "
        "(with the collision rule), roles, Q&A topics, procedure conflicts, `problems` "
        "(blocking) and `warnings`"
    )
    resolutions = serializers.JSONField(
        help_text='the operator\'s answers: {"procedures": {code: "target" | "source"}}'
    )
    stages = serializers.JSONField(
        help_text='each stage\'s "status", "rows", "error" and times; after "verify", '
        "`stages.verify.counts`: each table's count before and after, with `match`"
    )
    queued = serializers.SerializerMethodField(
        help_text="a run is queued and no worker has finished it yet"
    )

    def get_queued(self, job: MergeJob) -> bool:
        return merge_run_queued(job, task_name=merge_run_task.name)


# --- input -------------------------------------------------------------------------------


class ListQuery(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=MergeJob.Status.values, required=False, help_text="only jobs in it"
    )
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class PlanInput(serializers.Serializer):
    source = serializers.RegexField(SLUG_PATTERN, help_text="the slug of the province merged")
    target = serializers.RegexField(SLUG_PATTERN, help_text="the slug of the province it joins")
    effective_from = BoundedDateField(help_text="the date the merge takes effect")

    def validate_effective_from(self, value: date) -> date:
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                _("Ngày hợp nhất phải trong khoảng năm 2000 đến 2099.")
            )
        return value

    def validate(self, attrs):
        if attrs["source"] == attrs["target"]:
            raise serializers.ValidationError(
                {"target": [_("Tỉnh nhận phải khác tỉnh được hợp nhất.")]}
            )
        return attrs


def _bounded(value: dict, too_long) -> dict:
    if len(value) > MAX_ANSWERS:
        raise serializers.ValidationError(
            _("Tối đa %(n)s mục trong một lần gửi.") % {"n": f"{MAX_ANSWERS:,}".replace(",", ".")}
        )
    if any(not code.strip() or len(code) > MAX_CODE_LENGTH for code in value):
        raise serializers.ValidationError(too_long % {"n": MAX_CODE_LENGTH})
    return value


class ResolveInput(serializers.Serializer):
    procedures = serializers.DictField(
        child=serializers.ChoiceField(choices=CHOICES),
        required=False,
        help_text='{national procedure code: "target" (keep the joined province\'s) or '
        '"source" (take the merged province\'s)}; at most 2,000 codes of 60 characters',
    )
    roles = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_CODE_LENGTH),
        required=False,
        help_text="{merged province's role code: the joined province's role code, one held per "
        'agency there (`plan.role_choices`)}; "" takes an answer back; at most 2,000',
    )

    def validate_procedures(self, value: dict) -> dict:
        return _bounded(value, _("Mã thủ tục dài từ 1 đến %(n)s ký tự."))

    def validate_roles(self, value: dict) -> dict:
        return _bounded(value, _("Mã vai trò dài từ 1 đến %(n)s ký tự."))

    def validate(self, attrs):
        if not attrs.get("procedures") and not attrs.get("roles"):
            raise serializers.ValidationError(
                {"procedures": [_("Gửi ít nhất một lựa chọn (procedures hoặc roles).")]}
            )
        return attrs


# --- views -------------------------------------------------------------------------------


class JobPagination(CursorPagination):
    ordering = "-pk"  # newest first


class MergeListCreateView(GenericAPIView):
    permission_classes = [IsOperator]
    pagination_class = JobPagination
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_list",
        parameters=[ListQuery],
        responses={200: JobSummary(many=True), **ERRORS},
        description="The merge jobs, newest first (`status` to keep one status).",
    )
    def get(self, request):
        query = ListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        jobs = merge_job_list()
        if wanted := query.validated_data.get("status"):
            jobs = jobs.filter(status=wanted)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(JobSummary(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_plan",
        request=PlanInput,
        responses={201: JobDetail, 409: ErrorOutput, **ERRORS},
        description="The dry run: plan merging `source` into `target` from `effective_from`. "
        "Nothing in either province changes; 201 with the job and its plan (planning the same "
        "source again while its job is planned or failed refreshes that job). 400 for an "
        "unknown province, the same province twice or a date out of range; 409 when the "
        "engine refuses (a province already merged, a merge of it under way).",
    )
    def post(self, request):
        payload = PlanInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = merge_plan(
            source=_province(data["source"], "source"),
            target=_province(data["target"], "target"),
            effective_from=data["effective_from"],
            actor=request.user,
        )
        return Response(JobDetail(_job(job.pk)).data, status=status.HTTP_201_CREATED)


class MergeDetailView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_detail",
        responses={200: JobDetail, 404: ErrorOutput, **ERRORS},
        description="A merge job with its plan, the answers given, and each stage's outcome "
        "(poll it while the run goes on).",
    )
    def get(self, request, pk: int):
        return Response(JobDetail(_job(pk)).data)


class MergeResolveView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_resolve",
        request=ResolveInput,
        responses={200: JobDetail, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Answer what the plan leaves to the operator, then the plan is computed "
        'again: `procedures`, for each national code both provinces hold, "target" keeps the '
        "joined province's procedure, \"source\" takes the merged province's; `roles` maps a "
        "role held in the merged province to one of the joined province's roles held per "
        "agency (`plan.role_choices`). 400 for a code the plan does not list or a bad value, "
        "nothing stored; 409 once the job is no longer planned or failed, or its rows are "
        "being copied.",
    )
    def post(self, request, pk: int):
        job = _job(pk)
        payload = ResolveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = merge_resolve(
            job=job,
            procedures=data.get("procedures") or {},
            roles=data.get("roles") or {},
            actor=request.user,
        )
        return Response(JobDetail(_job(job.pk)).data)


class MergeRunView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_run",
        request=None,
        responses={202: JobDetail, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Queue the merge for a worker: 202, then follow `stages` on the job. A "
        "failed job resumes from its first stage not done. 409 `plan_problems` while the plan "
        "lists problems, `already_queued` once queued, `merge_closed` when the job is running, "
        "completed or cancelled.",
    )
    def post(self, request, pk: int):
        job = _job(pk)
        merge_run_queue(job=job, actor=request.user)
        return Response(JobDetail(_job(job.pk)).data, status=status.HTTP_202_ACCEPTED)


class MergeCancelView(APIView):
    permission_classes = [IsOperator]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="operator_merges_cancel",
        request=None,
        responses={200: JobDetail, 404: ErrorOutput, 409: ErrorOutput, **ERRORS},
        description="Cancel a planned or failed merge: rows already copied into the joined "
        "province are removed and the merged province serves as before. 409 otherwise.",
    )
    def post(self, request, pk: int):
        job = merge_cancel(job=_job(pk), actor=request.user)
        return Response(JobDetail(_job(job.pk)).data)
