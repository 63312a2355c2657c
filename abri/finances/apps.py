from django.apps import AppConfig


class FinancesConfig(AppConfig):
    name = "abri.finances"
    verbose_name = "Finances"
