from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RightsConfig(AppConfig):
    name = "marsoc.rights"
    label = "rights"
    verbose_name = "Data-subject rights and retention"

    def ready(self) -> None:
        # Every app's declaration of what it holds about a person (core.subjects); core discovers the
        # rules (policies.py) the same way.
        autodiscover_modules("holdings")
