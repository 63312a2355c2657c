from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "abri.comptes"
    label = "comptes"
    verbose_name = "Comptes"
