from django.apps import AppConfig


class ActiviteConfig(AppConfig):
    name = "abri.activite"
    label = "activite"
    verbose_name = "Activité"
