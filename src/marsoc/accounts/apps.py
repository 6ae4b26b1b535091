from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "marsoc.accounts"
    label = "accounts"
    verbose_name = "Agencies, hubs and people"
