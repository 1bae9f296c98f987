from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name

from config.storage import TenantS3Storage, copy_area, media_root_of, media_storage_for
from tenants.models import Province


class Command(BaseCommand):
    help = (
        "Copy the provinces' files from MEDIA_ROOT/<schema>/ into the S3-compatible bucket that "
        "MEDIA_S3_* configure, under <MEDIA_S3_PREFIX>/<schema>/ with the same names (ADR "
        "0025). A file already there with the same size is skipped: run it again after an "
        "interruption, and once more just before the web and worker processes restart with "
        "MEDIA_S3_BUCKET set. The files on disk are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to-s3", action="store_true", help="copy into the bucket (the only direction)"
        )
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="SLUG",
            help="only this province (repeatable); default: every province and the platform",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, copy nothing")

    def handle(self, *args, **options):
        if not options["to_s3"]:
            raise CommandError("say where the files go: --to-s3")
        backend = import_string(settings.STORAGES["default"]["BACKEND"])
        if not issubclass(backend, TenantS3Storage):
            raise CommandError(
                "MEDIA_S3_BUCKET is not set: run this command with the MEDIA_S3_* variables "
                "of the production settings (docs/operations.md, 'Files and attachments')"
            )
        slugs = sorted(set(options["province"]))
        provinces = Province.objects.order_by("schema_name")
        if slugs:
            provinces = provinces.filter(slug__in=slugs)
            unknown = set(slugs) - {p.slug for p in provinces}
            if unknown:
                raise CommandError(f"unknown province: {', '.join(sorted(unknown))}")
        schemas = [(p.slug, p.schema_name) for p in provinces]
        public = get_public_schema_name()
        if not slugs and public not in {schema for _slug, schema in schemas}:
            schemas.insert(0, ("platform", public))
        copied = present = size = 0
        verb = "would copy" if options["dry_run"] else "copied"
        for label, schema in schemas:
            source = FileSystemStorage(location=media_root_of(schema))
            result = copy_area(source, media_storage_for(schema), dry_run=options["dry_run"])
            copied, present, size = (
                copied + result.copied,
                present + result.present,
                size + result.bytes,
            )
            self.stdout.write(
                f"{label} ({schema}): {verb} {result.copied} files "
                f"({filesizeformat(result.bytes)}), {result.present} already there"
            )
        self.stdout.write(
            f"{verb} {copied} files ({filesizeformat(size)}) of {len(schemas)} areas; "
            f"{present} were already there"
        )
