from arrival.assessments import urls_exports, urls_pages

app_name = "assessments"
urlpatterns = [*urls_pages.urlpatterns, *urls_exports.urlpatterns]
