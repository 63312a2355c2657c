from django.urls import path

from abri.pilotage import views

app_name = "pilotage"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("qualite/", views.anomalies, name="anomalies"),
    path("qualite/<int:pk>/justifier/", views.justifier, name="justifier"),
]
