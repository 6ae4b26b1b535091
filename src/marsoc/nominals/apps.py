from django.apps import AppConfig


class NominalsConfig(AppConfig):
    name = "marsoc.nominals"
    label = "nominals"
    verbose_name = "Nominals (people managed by the hubs)"
