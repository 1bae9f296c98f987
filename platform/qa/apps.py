from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = "Citizens' questions, feedback and complaints"
