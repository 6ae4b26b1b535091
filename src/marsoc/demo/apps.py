from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "marsoc.demo"
    label = "demo"
    verbose_name = "Demonstration data"
