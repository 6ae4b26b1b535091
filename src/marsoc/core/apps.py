from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "marsoc.core"
    label = "core"
    verbose_name = "Core (audit log)"
