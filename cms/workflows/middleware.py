"""The last net under the publish gate in the admin: a refusal is a message, not a 500.

The admin hooks explain refusals before anything is saved for Wagtail's own views; some
views (wagtail-localize's "convert to alias", for one) have no hook, and the gate in
``save()`` refuses in the middle of them. Their transaction has rolled back by the time the
exception reaches this middleware; the editor is sent back with the gate's reasons.
"""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from wagtail.admin import messages

from cms.core.publishing import PublishGateError


class PublishGateErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PublishGateError) or not request.path.startswith("/admin/"):
            return None
        reasons = " ".join(blocker.message for blocker in exception.blockers)
        messages.error(request, _("This cannot go live: %(reasons)s") % {"reasons": reasons})
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/admin/"
        return redirect(back)
