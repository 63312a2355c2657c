from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "abri.conventions"
    verbose_name = "Conventions, CPOM et actes administratifs"
