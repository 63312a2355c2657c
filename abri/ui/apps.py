from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "abri.ui"
    label = "ui"
    verbose_name = "Interface"
