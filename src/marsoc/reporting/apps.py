from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "marsoc.reporting"
    label = "reporting"
    verbose_name = "Delivery Board reporting"
