"""Public views that are not pages: search."""

from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from home.selectors import pages_search

MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = pages_search(query=query, language=translation.get_language())
    return TemplateResponse(request, "pages/search.html", {"query": query, "results": results})
