"""URLconf of ``scripts/benchmark.py``: abri's URLs plus the floor view.

The floor is the cheapest page Django can serve behind abri's middleware stack: it
carries no ``login_not_required``, so ``LoginRequiredMiddleware`` (and every other
middleware of the settings) applies to it exactly as to the real pages.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

CHEMIN_PLANCHER = "__plancher__/"


def plancher(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path(CHEMIN_PLANCHER, plancher, name="benchmark_plancher"),
    path("", include("abri.urls")),
]
