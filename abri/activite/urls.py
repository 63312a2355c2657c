from django.urls import path

from abri.activite import views

app_name = "activite"

urlpatterns = [
    path("", views.places, name="places"),
    path("export.<str:format>", views.export, name="export"),
    path("import/", views.import_activite, name="import"),
    path("en-attente/", views.en_attente, name="en_attente"),
    path("en-attente/<int:pk>/rattacher/", views.rattacher, name="rattacher"),
    path("correspondances/", views.correspondances, name="correspondances"),
    path(
        "correspondances/<int:pk>/supprimer/",
        views.supprimer_correspondance,
        name="supprimer_correspondance",
    ),
    path("structures/<int:pk>/declarer/", views.declarer, name="declarer"),
]
