from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "marsoc.plans"
    label = "plans"
    verbose_name = "Disruption plans, outcomes and tasking"
