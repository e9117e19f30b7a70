"""One wording for the gate's refusals, wherever they are shown."""

from django.utils.translation import gettext as _


def summary(page, blockers) -> str:
    reasons = " ".join(blocker.message for blocker in blockers)
    return _("“%(title)s” cannot go live: %(reasons)s") % {"title": page.title, "reasons": reasons}
