"""Public donation pages, included under ``/donate/`` inside ``i18n_patterns`` (see views.py)."""

from django.urls import path

from cms.donations import views

app_name = "donations"

urlpatterns = [
    path("", views.donate_general, name="general"),
    path("need/<uuid:need_key>/", views.donate_need, name="need"),
    path("story/<uuid:story_key>/", views.donate_story, name="story"),
    path("campaign/<uuid:campaign_key>/", views.donate_campaign, name="campaign"),
    path("thanks/", views.thanks, name="thanks"),
    path("cancelled/", views.cancelled, name="cancelled"),
    path("monthly/", views.manage, name="manage"),
    path("monthly/<str:token>/", views.manage_open, name="manage_open"),
    path("follow/<uuid:story_key>/", views.follow, name="follow"),
]
