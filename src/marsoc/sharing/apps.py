from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "marsoc.sharing"
    label = "sharing"
    verbose_name = "Information-sharing agreements"
