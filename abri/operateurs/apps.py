from django.apps import AppConfig


class OperateursConfig(AppConfig):
    name = "abri.operateurs"
    label = "operateurs"
    verbose_name = "Opérateurs"
