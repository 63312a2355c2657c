from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from abri.comptes.admin import restreindre_admin_aux_administrateurs_nationaux

restreindre_admin_aux_administrateurs_nationaux(admin.site)

urlpatterns = [
    path("", include("abri.pilotage.urls")),
    path("comptes/", include("abri.comptes.urls")),
    path("operateurs/", include("abri.operateurs.urls")),
    path("structures/", include("abri.structures.urls")),
    path("appels/", include("abri.appels.urls")),
    path("activite/", include("abri.activite.urls")),
    path("finances/", include("abri.finances.urls")),
    path("conventions/", include("abri.conventions.urls")),
    path("journal/", include("abri.journal.urls")),
    path("admin/", admin.site.urls),
]

if settings.PROCONNECT_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
