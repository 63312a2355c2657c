from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "abri.journal"
    label = "journal"
    verbose_name = "Journal"
