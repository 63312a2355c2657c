from django.urls import path

from abri.structures import views

app_name = "structures"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("export.<str:format>", views.export, name="export"),
    path("import/", views.import_parc, name="import_parc"),
    path("import/modele.xlsx", views.modele_import_parc, name="modele_import_parc"),
    path("<int:pk>/", views.fiche, name="fiche"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/capacite/", views.nouvel_evenement, name="evenement"),
    path("<int:pk>/transfert/", views.transfert, name="transfert"),
    path("<int:pk>/sites/", views.ajouter_site, name="ajouter_site"),
    path("sites/<int:pk>/supprimer/", views.supprimer_site, name="supprimer_site"),
    path("<int:pk>/adresses/import/", views.import_adresses, name="import_adresses"),
]
