"""404, 403 and 500 pages speak the reader's language and keep the site's navigation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from arrival.core import views as core_views
from config.urls import urlpatterns as site_urlpatterns


def broken(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("a bug")


def forbidden(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied


urlpatterns = [path("broken/", broken), path("forbidden/", forbidden), *site_urlpatterns]
handler500 = core_views.server_error

NAVIGATION = {"en": ">Practices</a>", "fr": ">Pratiques</a>", "ar": ">الممارسات</a>", "zh-hans": ">做法</a>",
              "ru": ">Практики</a>", "es": ">Prácticas</a>"}
NOT_FOUND = {"en": "Page not found", "fr": "Page introuvable", "es": "Página no encontrada",
             "ar": "الصفحة غير موجودة", "zh-hans": "找不到页面", "ru": "Страница не найдена"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(NOT_FOUND))
def test_not_found_in_the_readers_language_with_navigation(client: Client, language: str) -> None:
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}"' in html
    assert NOT_FOUND[language] in html
    assert NAVIGATION[language] in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_forbidden_in_arabic_with_navigation(client: Client) -> None:
    response = client.get("/forbidden/", HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="ar" dir="rtl">' in html
    assert "غير مسموح" in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_in_russian_with_navigation() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ru" dir="ltr">' in html
    assert "Что-то пошло не так" in html
    assert ">Практики</a>" in html
