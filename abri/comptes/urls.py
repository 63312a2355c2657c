from django.contrib.auth.decorators import login_not_required
from django.urls import path

from abri.comptes import views

app_name = "comptes"

urlpatterns = [
    path(
        "connexion/",
        login_not_required(views.ConnexionView.as_view()),
        name="connexion",
    ),
    path("deconnexion/", views.DeconnexionView.as_view(), name="deconnexion"),
]
