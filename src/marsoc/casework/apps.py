from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "marsoc.casework"
    label = "casework"
    verbose_name = "Case notes and contacts"
