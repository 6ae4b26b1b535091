from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "marsoc.ops"
    label = "ops"
    verbose_name = "Operations"
