from django.urls import path

from abri.conventions import views

app_name = "conventions"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("import/", views.import_actes, name="import"),
    path("export.<str:format>", views.export, name="export"),
    path("echeances/", views.liste_echeances, name="echeances"),
    path("actes/<int:pk>/", views.acte, name="acte"),
    path("actes/<int:pk>/etape/<str:etape>/", views.etape, name="etape"),
    path("actes/<int:pk>/avenant/", views.nouvel_avenant, name="nouvel_avenant"),
    path("actes/<int:pk>/denoncer/", views.denoncer, name="denoncer"),
    path("actes/<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("actes/<int:pk>/documents/", views.deposer, name="deposer"),
    path("actes/<int:pk>/projet.<str:format>", views.brouillon, name="brouillon"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("structures/<int:pk>/nouvel-acte/", views.nouvel_acte, name="nouvel_acte"),
    path("cpom/nouveau/", views.nouveau_cpom, name="nouveau_cpom"),
    path("cpom/<int:pk>/", views.cpom, name="cpom"),
    path("cpom/<int:pk>/renouveler/", views.cpom_renouveler, name="cpom_renouveler"),
    path("cpom/<int:pk>/avenant/", views.cpom_avenant, name="cpom_avenant"),
    path("cpom/<int:pk>/documents/", views.cpom_deposer, name="cpom_deposer"),
    path(
        "structures/<int:pk>/evaluations/",
        views.ajouter_evaluation,
        name="ajouter_evaluation",
    ),
    path("cpom/<int:pk>/etape/<str:etape>/", views.cpom_etape, name="cpom_etape"),
    path("cpom/<int:pk>/structures/", views.cpom_adhesion, name="cpom_adhesion"),
]
