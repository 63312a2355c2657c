from django.conf import settings
from django.http import HttpRequest


def abri(request: HttpRequest) -> dict[str, object]:
    return {"PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED}
