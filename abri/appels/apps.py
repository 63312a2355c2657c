from django.apps import AppConfig


class AppelsConfig(AppConfig):
    name = "abri.appels"
    verbose_name = "Appels à projets et ouverture des places"
