"""Admin screens for case workers: the storyteller record, terms, consent, withdrawal.

Every view first finds the storyteller among those assigned to the user: anyone else gets
a 404, so the screens do not even confirm that a case code exists.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from stories import services
from stories.forms import ConsentRecordForm, IdentifyingTermForm, WithdrawalForm
from stories.models import AccessLogEntry, ConsentRecord, IdentifyingTerm, Storyteller
from stories.permissions import storytellers_for_user


def _require(request, permission: str) -> None:
    # A 404, not a 403: these screens do not confirm to outsiders that a record exists.
    if not request.user.has_perm(permission):
        raise Http404


def _storyteller(request, pk: int, permission: str = "stories.change_storyteller"):
    _require(request, permission)
    return get_object_or_404(storytellers_for_user(request.user), pk=pk)


def _record_url(storyteller: Storyteller) -> str:
    return reverse("stories_admin:record", args=[storyteller.pk])


@never_cache
def storyteller_record(request, pk: int):
    storyteller = _storyteller(request, pk, "stories.view_storyteller")
    return TemplateResponse(
        request,
        "stories/admin/storyteller_record.html",
        {
            "storyteller": storyteller,
            "terms": storyteller.identifying_terms.all(),
            "consents": storyteller.consent_records.order_by("-version"),
            "current_consent": storyteller.current_consent,
            "term_form": IdentifyingTermForm(),
            "withdrawal_form": WithdrawalForm(),
            "can_reveal": request.user.has_perm("stories.reveal_identifying_terms"),
            "can_withdraw": request.user.has_perm("stories.withdraw_consent"),
            "story_pages": storyteller.story_pages.order_by("locale_id", "pk"),
        },
    )


@require_POST
@sensitive_post_parameters("value")
def identifying_term_add(request, pk: int):
    storyteller = _storyteller(request, pk)
    form = IdentifyingTermForm(request.POST)
    if form.is_valid():
        services.identifying_term_add(storyteller=storyteller, by=request.user, **form.cleaned_data)
        messages.success(request, _("Term added and stored encrypted."))
    else:
        messages.error(
            request,
            _("The term was not added: %(errors)s")
            % {
                "errors": " ".join(
                    str(error) for errors in form.errors.values() for error in errors
                )
            },
        )
    return redirect(_record_url(storyteller))


@require_POST
@never_cache
def identifying_term_reveal(request, pk: int):
    _require(request, "stories.reveal_identifying_terms")
    term = get_object_or_404(
        IdentifyingTerm.objects.filter(storyteller__in=storytellers_for_user(request.user)),
        pk=pk,
    )
    value = services.identifying_term_reveal(term=term, by=request.user)
    return TemplateResponse(
        request,
        "stories/admin/term_revealed.html",
        {"term": term, "value": value, "storyteller": term.storyteller},
    )


@never_cache
def consent_add(request, pk: int):
    storyteller = _storyteller(request, pk)
    form = ConsentRecordForm(
        request.POST or None, request.FILES or None, storyteller=storyteller, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        scope = dict(form.cleaned_data)
        evidence = scope.pop("evidence", None) or None
        services.consent_record(
            storyteller=storyteller,
            by=request.user,
            evidence=evidence,
            explained_by=request.user,
            **scope,
        )
        messages.success(request, _("Consent recorded."))
        return redirect(_record_url(storyteller))
    return TemplateResponse(
        request,
        "stories/admin/consent_form.html",
        {"storyteller": storyteller, "form": form},
    )


@never_cache
def consent_evidence(request, pk: int):
    _require(request, "stories.view_consentrecord")
    record = get_object_or_404(
        ConsentRecord.objects.filter(storyteller__in=storytellers_for_user(request.user)),
        pk=pk,
    )
    if not record.evidence:
        raise Http404
    handle = services.consent_evidence_open(record=record, by=request.user)
    suffix = record.evidence.name.rsplit(".", 1)[-1]
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{record.storyteller.case_code}-consent-v{record.version}.{suffix}",
    )


def consent_withdraw(request, pk: int):
    storyteller = _storyteller(request, pk, "stories.withdraw_consent")
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_withdraw(storyteller=storyteller, by=request.user)
        messages.success(
            request,
            _("Withdrawal recorded for %(code)s. Every page of the story has been taken down.")
            % {"code": storyteller.case_code},
        )
        return redirect(_record_url(storyteller))
    return TemplateResponse(
        request,
        "stories/admin/withdraw.html",
        {"storyteller": storyteller, "form": form},
    )


@never_cache
def access_log(request):
    _require(request, "stories.view_accesslogentry")
    entries = AccessLogEntry.objects.select_related("actor")
    if not request.user.is_superuser:
        codes = storytellers_for_user(request.user).values_list("case_code", flat=True)
        entries = entries.filter(storyteller_code__in=codes)
    return TemplateResponse(request, "stories/admin/access_log.html", {"entries": entries[:500]})
