from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from arrival.actors import views as actors_views
from config.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("arrival.accounts.urls")),
    path("frameworks/", include("arrival.frameworks.urls")),
    path("assessments/", include("arrival.assessments.urls")),
    path("practices/", include("arrival.practices.urls")),
    path("engagement/", include("arrival.engagement.urls")),
    path("consultations/", include("arrival.consultations.urls")),
    path("commitments/", include("arrival.commitments.urls")),
    path("participate/", include("arrival.participation.urls")),
    path("planning/", include("arrival.planning.urls")),
    path("", include("arrival.core.urls")),  # jobs/… and attachments/…
    path("", actors_views.home, name="home"),
    path("", include("arrival.actors.urls")),
]

handler500 = "arrival.core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
