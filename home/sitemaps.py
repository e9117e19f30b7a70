"""The sitemap: live, public pages, and stories only while consent allows search engines."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap

from stories.models import StoryPage
from stories.selectors import stories_searchable


class PublicSitemap(Sitemap):
    def items(self):
        # One filter for every story instead of a consent lookup per story page;
        # StoryPage.get_sitemap_urls checks each again.
        return (
            super()
            .items()
            .filter(
                ~Q(content_type__model=StoryPage._meta.model_name)
                | Q(pk__in=stories_searchable().values("pk"))
            )
        )
