"""Reads of the public schema shared by api/ and frontend/."""

from django.db.models import Prefetch, QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, MergeJob, OutboxTask, Province


def province_list() -> QuerySet[Province]:
    return (
        Province.objects.filter(is_template=False)
        .exclude(schema_name=get_public_schema_name())
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("domain")))
    )


def province_portal_host(province: Province, *, development: bool) -> str | None:
    for domain in province.domains.all():
        if domain.kind == Domain.Kind.PORTAL and domain.is_development == development:
            return domain.domain
    return None


def merge_job_list() -> QuerySet[MergeJob]:
    """Every merge job, newest first, with both provinces (the console's and the API's list)."""
    return MergeJob.objects.select_related("source", "target").order_by("-created_at", "-pk")


def merge_job_get(pk: int) -> MergeJob | None:
    return merge_job_list().filter(pk=pk).first()


def merge_run_queued(job: MergeJob, *, task_name: str) -> bool:
    """A run of the job was queued (tenants.outbox) and no worker has finished it yet: the
    console shows it waiting and refuses a second one."""
    return OutboxTask.objects.filter(
        task=task_name, args__0=job.pk, done_at__isnull=True, failed=False
    ).exists()
