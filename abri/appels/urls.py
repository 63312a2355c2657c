from django.urls import path

from abri.appels import views

app_name = "appels"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.nouvel_appel, name="nouvel_appel"),
    path("<int:pk>/", views.appel, name="appel"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/etape/<str:etape>/", views.etape, name="etape"),
    path("<int:pk>/candidater/", views.candidater, name="candidater"),
    path("<int:pk>/instruction/", views.instruction, name="instruction"),
    path("<int:pk>/import/", views.import_candidatures, name="import"),
    path("<int:pk>/recevoir/", views.recevoir, name="recevoir"),
    path("candidatures/<int:pk>/", views.candidature, name="candidature"),
    path("candidatures/<int:pk>/decision/", views.decider, name="decider"),
    path("candidatures/<int:pk>/lettre.<str:format>", views.lettre, name="lettre"),
    path("lots/", views.lots, name="lots"),
    path("lots/<int:pk>/", views.lot, name="lot"),
    path("lots/<int:pk>/ouvrir/", views.ouvrir_lot, name="ouvrir_lot"),
    path("objectifs/", views.objectifs, name="objectifs"),
    path("objectifs/nouveau/", views.nouvel_objectif, name="nouvel_objectif"),
    path("objectifs/<int:pk>/", views.objectif, name="objectif"),
    path("objectifs/<int:pk>/planifier/", views.planifier, name="planifier"),
    path("ouverture/", views.ouverture, name="ouverture"),
    path("ouverture/export.<str:format>", views.export, name="export"),
]
