from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dangjian.api"
    verbose_name = "API"
