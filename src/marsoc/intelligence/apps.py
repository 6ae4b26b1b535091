from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "marsoc.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence and sharing agreements"
