from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"DATA_LICENCE": settings.ARRIVAL_DATA_LICENCE, "LANGUAGES": settings.LANGUAGES}
