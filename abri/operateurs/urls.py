from django.urls import path

from abri.operateurs import views

app_name = "operateurs"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.fiche, name="fiche"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/contacts/", views.ajouter_contact, name="ajouter_contact"),
]
