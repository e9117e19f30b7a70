"""Supporters' email links, included under ``/campaigns/`` inside ``i18n_patterns``."""

from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("confirm/<str:token>/", views.supporter_confirm, name="confirm"),
    path("leave/<str:token>/", views.supporter_leave, name="leave"),
]
