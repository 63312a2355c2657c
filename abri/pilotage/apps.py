from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "abri.pilotage"
    label = "pilotage"
    verbose_name = "Pilotage"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("qualite")
