"""Uploaded media in development. Production serves media with the web server, which must
do exactly the same: only ``images/`` (renditions, made without metadata) is public;
``original_images/`` and ``documents/`` are never served from MEDIA_ROOT (README
"Deploying"). Documents go through Wagtail's permission-checked view
(``WAGTAILDOCS_SERVE_METHOD = "serve_view"``); consent evidence is not under MEDIA_ROOT at
all (``cms/core/private_storage.py``)."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404
from django.urls import re_path
from django.views.static import serve

PUBLIC_MEDIA_FOLDERS = ("images/",)


def rendition_serve(request, path: str):
    """A file under MEDIA_ROOT, if it is a rendition; a 404 for anything else."""
    if not path.startswith(PUBLIC_MEDIA_FOLDERS) or ".." in path.split("/"):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def media_urlpatterns() -> list:
    """The development media URL (only with DEBUG), in place of Django's ``static()``."""
    if not settings.DEBUG:
        return []
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [re_path(rf"^{prefix}(?P<path>.*)$", rendition_serve)]
