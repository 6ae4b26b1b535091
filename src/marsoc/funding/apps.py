from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "marsoc.funding"
    label = "funding"
    verbose_name = "Grant funding, claims and decision records"

    def ready(self) -> None:
        from . import dpia_gate  # noqa: F401  (registers the deploy check)
