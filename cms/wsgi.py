"""WSGI entry point for gunicorn: ``gunicorn cms.wsgi``.

Page-cache hits are answered in front of Django (``cms/core/page_cache.py``).
"""

import os

from django.core.wsgi import get_wsgi_application

from cms.core.page_cache import PageCacheApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.production")

application = PageCacheApplication(get_wsgi_application())
