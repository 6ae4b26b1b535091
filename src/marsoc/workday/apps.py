from django.apps import AppConfig


class WorkdayConfig(AppConfig):
    name = "marsoc.workday"
    label = "workday"
    verbose_name = "Work queues and chronologies"
