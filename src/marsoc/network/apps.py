from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "marsoc.network"
    label = "network"
    verbose_name = "Associates and organised crime groups"
