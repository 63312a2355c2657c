from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "abri.territoires"
    label = "territoires"
    verbose_name = "Territoires"
