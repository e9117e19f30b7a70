"""Who may see which storyteller: the selectors every private view starts from."""

from django.db.models import QuerySet

from stories.models import Storyteller


def storytellers_for_user(user) -> QuerySet[Storyteller]:
    """Storytellers whose record this user may open.

    Case workers see the storytellers assigned to them. Superusers see every record's
    existence (to assign case workers), but identifying terms and evidence still need an
    assignment (``stories.services._require_assigned``).
    """
    if not user.is_authenticated:
        return Storyteller.objects.none()
    if user.is_superuser:
        return Storyteller.objects.all()
    return Storyteller.objects.filter(case_workers=user)
