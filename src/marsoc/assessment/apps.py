from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "marsoc.assessment"
    label = "assessment"
    verbose_name = "Assessment and prioritisation"
