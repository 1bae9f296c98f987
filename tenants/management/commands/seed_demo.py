"""Onboard the five seed provinces with demo agencies, component sites and staff, and print
the URLs and log-ins. Idempotent: the one-time secrets of demo accounts are kept in
var/demo-logins/<database>-<port>.json (mode 600) so that running ./ops/run again can print
them again."""

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import operator_create
from organization.models import Agency, Role
from organization.services import staff_create
from provinces.loader import ProfileError, resolve_profile, shipped_profile_paths
from tenants.services import OnboardingError, platform_tenant_ensure, province_onboard

OPERATOR_USERNAME = "vanhanh"


class Command(BaseCommand):
    help = "Onboard the shipped provinces with demo agencies, sites and staff (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, **options):
        # One file per database, so that switching DATABASE_URL never prints stale secrets.
        database = settings.DATABASES["default"]
        store_path = (
            Path(settings.VAR_DIR) / "demo-logins" / f"{database['NAME']}-{database['PORT']}.json"
        )
        store = json.loads(store_path.read_text()) if store_path.exists() else {}
        port = options["port"]
        platform_tenant_ensure()
        self._operator(store)
        slugs = sorted({path.parent.name for path in shipped_profile_paths()})
        lines = []
        for slug in slugs:
            try:
                profile = resolve_profile(slug)
                result = province_onboard(profile=profile, dev_hosts=True)
            except (ProfileError, OnboardingError) as error:
                raise CommandError(f"{slug}: {error}") from error
            if result.admin_secret:
                store[f"{slug}:{result.admin_username}"] = result.admin_secret
            with schema_context(result.province.schema_name):
                self._staff(slug, profile, store)
                self._content(profile)
                self._topics()
                sites = list(
                    Agency.objects.filter(site__isnull=False).values_list(
                        "site__dev_host", flat=True
                    )
                )
            lines.append((profile, sites))
        store_path.parent.mkdir(parents=True, exist_ok=True)
        store_path.write_text(json.dumps(store, ensure_ascii=False, indent=1))
        store_path.chmod(0o600)
        self._print(lines, store, port, store_path)

    def _operator(self, store):
        if not User.objects.filter(username=OPERATOR_USERNAME).exists():
            issued = operator_create(
                username=OPERATOR_USERNAME, full_name="Cán bộ vận hành (bộ)", actor=None
            )
            store[f"platform:{OPERATOR_USERNAME}"] = issued.one_time_secret

    @transaction.atomic
    def _staff(self, slug, profile, store):
        """One demo account per workflow role; agency roles get the first agency."""
        first_agency = Agency.objects.filter(site__isnull=False).order_by("pk").first()
        for role in Role.objects.order_by("code"):
            username = f"demo_{role.code}"[:150]
            if User.objects.filter(username=username).exists():
                continue
            # Through the administration page's audited service, as the command line.
            issued = staff_create(
                actor=None,
                full_name=f"Demo {role.name}",
                username=username,
                username_rule=profile.accounts.username_rule,
                role_code=role.code,
                agency=first_agency if role.scope == Role.Scope.AGENCY else None,
            )
            store[f"{slug}:{username}"] = issued.one_time_secret

    @transaction.atomic
    def _content(self, profile):
        """A few items run through the province's own workflow by the demo staff."""
        from editorial.models import Item
        from editorial.selectors import workflow_of
        from editorial.services import category_create, item_create, item_transition
        from organization.models import ComponentSite

        if Item.objects.exists():
            return
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        name = profile.province.name
        demo = [
            (
                None,
                "news",
                f"{name} tổ chức hội nghị chuyển đổi số năm 2026",
                {"event_at": "2026-11-20T08:30:00+07:00"},
            ),
            (None, "announcement", f"Thông báo lịch tiếp công dân tháng 12 của tỉnh {name}", {}),
            (
                site,
                "news",
                f"{site.agency.name} triển khai dịch vụ công trực tuyến toàn trình",
                {"event_at": "2026-11-18T14:00:00+07:00"},
            ),
        ]
        for target, kind, title, fields in demo:
            spec = workflow_of(site=target)
            news = category_create(name="Tin tức - Sự kiện", site=target)
            item = item_create(
                actor=self._demo_user(spec.steps[0].role),
                kind=kind,
                title=title,
                site=target,
                category=news,
                fields=fields,
                summary="Bài viết mẫu của môi trường trình diễn.",
                body="<p>Nội dung mẫu, được đăng qua đúng quy trình biên tập của tỉnh.</p>",
            )
            while True:
                state = item.workflow_states.filter(status="active").first()
                if state is None and item.status != Item.Status.DRAFT:
                    break
                step = spec.steps[state.current_step if state else 0]
                item = item_transition(
                    item=item,
                    actor=self._demo_user(step.role),
                    decision="forward",
                    comment="Trình diễn",
                )

    @staticmethod
    def _topics():
        """Q&A topics routed to the demo agencies (idempotent)."""
        from organization.models import Agency
        from qa.services import topic_ensure

        agencies = list(Agency.objects.order_by("pk"))
        names = ["Đất đai", "Đầu tư, kinh doanh", "Thông tin và truyền thông", "Hộ tịch, tư pháp"]
        topics = [
            topic_ensure(name=name, agency=agencies[position % len(agencies)], position=position)
            for position, name in enumerate(names)
        ]
        Command._questions(topics[0])

    @staticmethod
    def _questions(topic):
        """One answered, public question and one open one, through the real services."""
        from qa.models import Question
        from qa.services import question_answer, question_submit

        if Question.objects.exists():
            return
        answered = question_submit(
            name="Nguyễn Văn Dân",
            email="dan@example.vn",
            topic=topic.slug,
            title="Thủ tục cấp lại giấy chứng nhận quyền sử dụng đất bị mất",
            text="Tôi bị mất giấy chứng nhận quyền sử dụng đất, xin hỏi thủ tục cấp lại?",
            consent=True,
        )
        question_answer(
            question=answered,
            actor=Command._demo_user("agency_head"),
            channel="portal",
            publish=True,
            text="Ông nộp hồ sơ đề nghị cấp lại tại Bộ phận một cửa cấp huyện, gồm đơn đề nghị "
            "và giấy xác nhận đã niêm yết thông báo mất giấy chứng nhận.",
        )
        question_submit(
            name="Trần Thị Hỏi",
            phone="0912345678",
            topic=topic.slug,
            title="Thời hạn giải quyết hồ sơ chuyển mục đích sử dụng đất",
            text="Xin hỏi hồ sơ chuyển mục đích sử dụng đất được giải quyết trong bao lâu?",
            consent=True,
        )

    @staticmethod
    def _demo_user(role_code):
        return User.objects.get(username=f"demo_{role_code}"[:150])

    def _print(self, lines, store, port, store_path):
        out = self.stdout.write
        out("")
        out(f"Operator console: http://platform.localhost:{port}/")
        for key, secret in sorted(store.items()):
            if key.startswith("platform:"):
                out(f"  {key.split(':', 1)[1]} / {secret}")
        for profile, sites in lines:
            slug = profile.province.slug
            out(f"{profile.province.portal_name}: http://{slug}.localhost:{port}/")
            for host in sorted(filter(None, sites)):
                out(f"  component site: http://{host}:{port}/")
            out(f"  staff sign-in: http://{slug}.localhost:{port}/staff/login/")
            for key, secret in sorted(store.items()):
                if key.startswith(f"{slug}:"):
                    out(f"    {key.split(':', 1)[1]} / {secret}")
        out("Every account must change its one-time password at first sign-in;")
        out(f"the first passwords stay listed in {store_path}.")
