from django.apps import AppConfig


class ProvincesConfig(AppConfig):
    """Rule profiles as data; no models. Installed for its management command (`profiles`)."""

    name = "provinces"
    label = "provinces"
    verbose_name = "Rule profiles"
