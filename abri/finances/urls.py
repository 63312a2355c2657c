from django.urls import path

from abri.finances import views

app_name = "finances"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("export/<str:figure>.<str:format>", views.export, name="export"),
    path("tarifs-cibles/", views.tarifs, name="tarifs"),
    path("campagnes/", views.campagnes, name="campagnes"),
    path("campagnes/ouvrir/", views.ouvrir_campagne, name="ouvrir_campagne"),
    path("campagnes/<int:pk>/", views.campagne, name="campagne"),
    path(
        "campagnes/<int:pk>/completer/",
        views.completer_campagne,
        name="completer_campagne",
    ),
    path("budgets/<int:pk>/", views.budget, name="budget"),
    path("budgets/<int:pk>/proposition/", views.proposition, name="proposition"),
    path("budgets/<int:pk>/comptes/", views.comptes, name="comptes"),
    path("budgets/<int:pk>/instruction/", views.instruction, name="instruction"),
    path("budgets/<int:pk>/affectation/", views.affectation, name="affectation"),
    path("budgets/<int:pk>/renvoyer/", views.renvoyer, name="renvoyer"),
    path(
        "budgets/<int:pk>/rouvrir-instruction/",
        views.rouvrir_instruction,
        name="rouvrir_instruction",
    ),
    path("budgets/<int:pk>/versements/", views.versement, name="versement"),
    path("budgets/<int:pk>/documents/", views.document, name="document"),
    path(
        "budgets/<int:pk>/decision.pdf",
        views.decision_tarifaire,
        name="decision_tarifaire",
    ),
    path("documents/<int:pk>/", views.telecharger, name="telecharger"),
]
