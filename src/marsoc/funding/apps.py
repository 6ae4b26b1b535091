from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "marsoc.funding"
    label = "funding"
    verbose_name = "Grant funding, claims and decision records"

    def ready(self) -> None:
        from . import deadlines, dpia_gate  # noqa: F401  (the deploy check; decisions' deadline alerts)
