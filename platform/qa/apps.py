from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = "Citizens' questions, feedback and complaints"

    def ready(self) -> None:
        # What citizens can find: published answers and the topics feed the site-wide search.
        from qa.search import register

        register()
