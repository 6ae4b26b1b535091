from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "marsoc.web"
    label = "web"
    verbose_name = "Web shell"
