from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The public-service catalogue: every administrative procedure of the province and its
    agencies. A procedure is an editorial item of kind `procedure` (revisions, workflow, forms,
    update deadline: ADR 0019); this module adds what a catalogue needs on top: bulk import and
    export, the citizens' browsing and the demo catalogue."""

    name = "catalog"
    verbose_name = "Public-service catalogue"
