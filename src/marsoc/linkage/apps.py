from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "marsoc.linkage"
    label = "linkage"
    verbose_name = "Feed imports and identity resolution"
