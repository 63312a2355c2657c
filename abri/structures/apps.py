from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "abri.structures"
    label = "structures"
    verbose_name = "Structures"
