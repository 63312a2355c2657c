from django.urls import path

from abri.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.recherche, name="recherche"),
]
