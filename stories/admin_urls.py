from django.urls import path

from stories import admin_views

app_name = "stories_admin"
urlpatterns = [
    path("<int:pk>/", admin_views.storyteller_record, name="record"),
    path("<int:pk>/terms/add/", admin_views.identifying_term_add, name="term_add"),
    path("terms/<int:pk>/reveal/", admin_views.identifying_term_reveal, name="term_reveal"),
    path("<int:pk>/consent/add/", admin_views.consent_add, name="consent_add"),
    path("consent/<int:pk>/evidence/", admin_views.consent_evidence, name="consent_evidence"),
    path("<int:pk>/withdraw/", admin_views.consent_withdraw, name="withdraw"),
    path("access-log/", admin_views.access_log, name="access_log"),
]
