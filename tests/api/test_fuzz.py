"""A bounded fuzz run of the whole API: schemathesis generates requests (valid and invalid) from
the OpenAPI schema drf-spectacular generates for a province host and for the platform host,
sends them to the WSGI application in-process, and fails on any 5xx (`not_a_server_error`).

Fixed seed, fixed number of examples per operation and generation mode: the same run every
time. Signed in with an API key of a province staff member holding every role of the
province's profile (and an operator on the platform host), with real objects behind the path
parameters, so requests get past 401/403/404 to the parsers, serializers and services.
Each request runs in a savepoint that is rolled back: every example starts from the same data.

Deselect locally with `-m "not fuzz"`; ./ops/test runs it. Figures: docs/benchmarks.md."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from accounts.models import User
from accounts.services import user_create_with_secret
from config.wsgi import application
from editorial.services import item_create, item_transition
from organization.models import Agency, ComponentSite, Role, RoleAssignment
from qa.services import answer_draft, question_submit, topic_ensure
from tests.factories.integrations import api_key

pytestmark = pytest.mark.fuzz

SEED = 20261124
EXAMPLES = 32  # per operation and generation mode
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
PROVINCE = "thainguyen"


def wsgi_app(environ, start_response):
    """The deployed WSGI application. Django closes "old" connections at each request's start
    and end; inside the test's transaction that would close it, so (as Django's test client
    does) the fixture disconnects those two signals for the run."""
    return application(environ, start_response)


@dataclass
class Run:
    operations: int = 0
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _schema(urlconf: str):
    generated = SchemaGenerator(urlconf=urlconf, api_version="v1").get_schema(
        request=None, public=True
    )
    schema = schemathesis.openapi.from_dict(generated)
    schema.app = wsgi_app
    schema.config.generation.update(
        max_examples=EXAMPLES, with_security_parameters=False, database="none"
    )
    return schema


def _examples(run: Run, operation, mode, *, base_url: str, headers: dict, fixed: dict):
    """Run one operation's examples in one generation mode; a 5xx is recorded in the run."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        run.examples += 1
        with transaction.atomic():
            response = case.call(base_url=base_url, headers=headers)
            transaction.set_rollback(True)
        connection.set_schema_to_public()
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except FailureGroup:  # how schemathesis reports a 5xx
            # recorded, not raised: the run goes on and lists every 5xx at the end
            run.failures.append(
                f"{operation.label} ({mode.value}): {response.status_code} "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.300} "
                f"-> {response.content[:300]!r}"
            )

    # Unsatisfiable: nothing to make invalid (no parameters, no body); the positive run covers it
    with contextlib.suppress(Unsatisfiable):
        check()


def _fuzz(schema, *, base_url: str, headers: dict, path_parameters: dict) -> Run:
    run = Run()
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {name: value for name, value in path_parameters.items() if name in names}
        for mode in MODES:
            _examples(run, operation, mode, base_url=base_url, headers=headers, fixed=fixed)
    return run


@pytest.fixture
def in_process_requests():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings):
    """The fuzz run explores input, not the limits (tested in test_throttling.py)."""
    settings.QA_SUBMISSIONS_PER_HOUR = 1_000_000
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min"
        ),
    }


def _report(name: str, run: Run, seconds: float) -> None:
    print(  # the figures of docs/benchmarks.md (visible with -s)
        f"\nfuzz {name}: {run.operations} operations, {run.examples} examples, "
        f"{seconds:.1f} s, statuses {dict(sorted(run.statuses.items()))}, "
        f"{len(run.failures)} failures"
    )


def test_no_province_operation_answers_5xx(
    tenant_db, in_process_requests, unthrottled, record_property
):
    province = tenant_db[PROVINCE]
    with schema_context(province.schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        agency: Agency = site.agency
        staff = User.objects.create(username="fuzz_staff", full_name="Cán bộ thử", is_staff=True)
        for role in Role.objects.all():
            scoped = agency if role.scope == Role.Scope.AGENCY else None
            RoleAssignment.objects.create(user=staff, role=role, agency=scoped)
        key = api_key(staff, name="fuzz", scopes=["read", "write", "catalogue"])
        topic = topic_ensure(name="Đất đai", agency=agency)
        question = question_submit(
            topic=topic.slug,
            title="Hỏi về đất đai",
            text="Xin hỏi thủ tục?",
            name="Nguyễn Văn A",
            email="a@example.vn",
            phone="",
            consent=True,
        )
        answer = answer_draft(question=question, author=staff, text="Dự thảo trả lời.")
        item = item_create(actor=staff, kind="news", title="Tin thử", site=None)
        item = item_transition(item=item, actor=staff, decision="forward")
        procedure = item_create(
            actor=staff,
            kind="procedure",
            title="Cấp giấy phép xây dựng",
            site=None,
            agency=agency,
            fields={
                "code": "1.009994",
                "field": "Hoạt động xây dựng",
                "effective_on": "2026-01-15",
            },
        )
    connection.set_schema_to_public()

    started = time.monotonic()
    run = _fuzz(
        _schema("config.urls_tenant"),
        base_url=f"http://{PROVINCE}.localhost",
        headers={"Authorization": f"Api-Key {key}"},
        path_parameters={
            "pk": item.pk,
            "question_id": question.pk,
            "answer_id": answer.pk,
            "code": question.tracking_code,
            "procedure_code": procedure.code,
        },
    )
    _report("province", run, time.monotonic() - started)
    record_property("fuzz_province", run.__dict__)

    assert run.operations >= 30
    assert run.examples >= run.operations * len(MODES)
    assert not run.failures, "\n".join(run.failures)


def test_no_platform_operation_answers_5xx(
    tenant_db, in_process_requests, unthrottled, record_property
):
    issued = user_create_with_secret(username="fuzz_operator", full_name="Vận hành")
    issued.user.must_change_password = False
    issued.user.is_staff = True
    issued.user.save()
    key = api_key(issued.user, name="fuzz", scopes=["operator"])

    started = time.monotonic()
    run = _fuzz(
        _schema("config.urls_public"),
        base_url="http://platform.localhost",
        headers={"Authorization": f"Api-Key {key}"},
        path_parameters={},
    )
    _report("platform", run, time.monotonic() - started)
    record_property("fuzz_platform", run.__dict__)

    assert run.operations >= 3
    assert not run.failures, "\n".join(run.failures)
