"""The campaign pages' forms and supporters' email links, included under ``/campaigns/``
inside ``i18n_patterns``."""

from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("<int:page_id>/forms/", views.campaign_form_post, name="form_post"),
    path("confirm/<str:token>/", views.supporter_confirm, name="confirm"),
    path("leave/<str:token>/", views.supporter_leave, name="leave"),
]
