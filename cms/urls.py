from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.core.media import media_urlpatterns
from cms.donations import views as donation_views
from home import views as home_views
from home.sitemaps import PublicSitemap
from stories import views as story_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PublicSitemap}}, name="sitemap"),
    # Stripe calls it: no language prefix, no CSRF token (the signature is checked instead).
    path("webhooks/stripe/", donation_views.stripe_webhook, name="stripe_webhook"),
]

# Development only (DEBUG): renditions from MEDIA_ROOT, never original images or documents.
urlpatterns += media_urlpatterns()

# English lives at /, other languages under /th/, /km/, /my/, /vi/.
urlpatterns += i18n_patterns(
    path("search/", home_views.search, name="search"),
    path("map/stories.json", story_views.map_data_json, name="story_map_data"),
    path("map/thumbnails/<int:page_id>/", story_views.story_thumbnail, name="story_thumbnail"),
    path("donate/", include("cms.donations.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
