from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial (content and its workflow)"

    def ready(self) -> None:
        # What citizens can find: published items feed the site-wide search.
        from editorial.search import register

        register()
