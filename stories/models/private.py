"""Private records about storytellers. Never pages, never indexed, never behind a public URL.

Wagtail and wagtail-localize copy page fields into revisions, translation sources and audit
labels, so anything identifying lives here instead, and every ``__str__`` is an opaque case
code. Only the case workers assigned to a storyteller may read its identifying terms or
consent evidence, and each such read is written to the append-only access log.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.core import crypto
from cms.core.private_storage import evidence_upload_to, private_storage
from cms.core.sql import compiled_once
from stories.regions import Precision

# Crockford's base 32 without I, L, O, U: case codes are read aloud and typed by hand.
CASE_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    return day.replace(year=year, month=month, day=min(day.day, 28))


def case_code_generate() -> str:
    return "ST-" + "".join(secrets.choice(CASE_CODE_ALPHABET) for _ in range(4))


class Storyteller(models.Model):
    """A person whose story may be told. Identified in the system only by ``case_code``."""

    case_code = models.CharField(_("case code"), max_length=12, unique=True, editable=False)
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=60,
        help_text=_("The name shown as the story's byline. Never a real name or nickname."),
    )
    is_child = models.BooleanField(
        _("child"),
        default=False,
        help_text=_(
            "Under 18 when the story is told. Children need a guardian's consent and their "
            "own assent; their faces are never shown and only their country is named."
        ),
    )
    case_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="storytellers",
        verbose_name=_("assigned case workers"),
        help_text=_("Only these people can see identifying terms and consent evidence."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_code"]
        permissions = [
            ("reveal_identifying_terms", "Can reveal identifying terms of assigned storytellers"),
            ("withdraw_consent", "Can record a storyteller's withdrawal of consent"),
        ]

    def __str__(self) -> str:
        return self.case_code

    def save(self, *args, **kwargs):
        while not self.case_code:
            code = case_code_generate()
            if not Storyteller.objects.filter(case_code=code).exists():
                self.case_code = code
        super().save(*args, **kwargs)

    @property
    def current_consent(self) -> "ConsentRecord | None":
        """The latest consent version, withdrawn or not; ``None`` if none was ever given.
        Read on every view of a story, so its SQL is compiled once (``cms/core/sql.py``)."""
        return next(iter(_consent_current(storyteller_id=self.pk)), None)

    def consent_summary(self) -> str:
        consent = self.current_consent
        if consent is None:
            return _("No consent recorded")
        if consent.is_withdrawn:
            return _("Withdrawn")
        if consent.is_expired():
            return _("Expired on %(date)s") % {"date": consent.expires_on.isoformat()}
        return _("v%(version)s, until %(date)s") % {
            "version": consent.version,
            "date": consent.expires_on.isoformat(),
        }

    def is_assigned(self, user) -> bool:
        return bool(user.pk) and self.case_workers.filter(pk=user.pk).exists()


class IdentifyingTerm(models.Model):
    """Something that would identify the storyteller if it appeared in public: a real name
    (in every script used), a nickname, the home village, an employer, a trafficker, a phone
    number, an address. Stored encrypted; the scanner reads them to block publication."""

    class Kind(models.TextChoices):
        NAME = "name", _("Real name or spelling of it")
        NICKNAME = "nickname", _("Nickname")
        PLACE = "place", _("Home village or small place")
        EMPLOYER = "employer", _("Employer")
        TRAFFICKER = "trafficker", _("Trafficker")
        PHONE = "phone", _("Phone number")
        ADDRESS = "address", _("Address")
        OTHER = "other", _("Other")

    storyteller = models.ForeignKey(
        Storyteller, on_delete=models.CASCADE, related_name="identifying_terms"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value_encrypted = models.BinaryField(editable=False)
    length = models.PositiveSmallIntegerField(editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["storyteller", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.storyteller_id and self.storyteller.case_code} term {self.pk}"

    @property
    def value(self) -> str:
        """The plain term. Read it only to scan, or in a logged reveal."""
        return crypto.decrypt(bytes(self.value_encrypted)).decode()

    @value.setter
    def value(self, plain: str) -> None:
        plain = plain.strip()
        self.value_encrypted = crypto.encrypt(plain.encode())
        self.length = len(plain)

    @property
    def masked(self) -> str:
        return "•" * min(self.length, 12)


class ConsentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if set(kwargs) - ConsentRecord.WITHDRAWAL_FIELDS:
            raise ValidationError(_("Consent records are append-only: record a new version."))
        return super().update(**kwargs)


class ConsentRecord(models.Model):
    """One version of a storyteller's consent. Append-only: a change is a new version; the
    only later write is the withdrawal (who and when)."""

    class Channel(models.TextChoices):
        WEBSITE = "website", _("This website")
        SOCIAL = "social", _("Social media")
        DONOR_EMAIL = "donor_email", _("Emails to donors")
        PRESS = "press", _("Press")
        FUNDRAISING = "fundraising", _("Fundraising material")

    WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by"})

    storyteller = models.ForeignKey(
        Storyteller, on_delete=models.CASCADE, related_name="consent_records"
    )
    version = models.PositiveIntegerField(editable=False)

    # Scope: what may be told, shown and where.
    story_text = models.BooleanField(_("the story may be told in words"), default=False)
    pseudonym = models.BooleanField(_("under the pseudonym as byline"), default=False)
    photos_without_faces = models.BooleanField(_("photos without faces"), default=False)
    photos_with_faces = models.BooleanField(_("photos showing their face"), default=False)
    voice_video = models.BooleanField(_("voice or video recordings"), default=False)
    search_engines = models.BooleanField(
        _("the story may be found through search engines"), default=False
    )
    map_precision = models.CharField(
        _("place shown"),
        max_length=10,
        choices=[
            (Precision.NONE, _("No place at all")),
            (Precision.COUNTRY, _("Country only")),
            (Precision.REGION, _("Region or province")),
        ],
        default=Precision.COUNTRY,
    )
    languages = models.JSONField(
        _("languages the story may be published in"),
        default=list,
        help_text=_("Language codes, e.g. en, th."),
    )
    channels = models.JSONField(_("channels"), default=list)

    # When, and how it was given.
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"))
    explained_in = models.CharField(_("explained in language"), max_length=10)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("explained by"),
    )
    interpreter = models.CharField(
        _("interpreter"),
        max_length=120,
        blank=True,
        help_text=_("Role or organisation of the interpreter, if one helped."),
    )
    evidence = models.FileField(
        _("evidence"),
        storage=private_storage,
        upload_to=evidence_upload_to,
        blank=True,
        help_text=_("Signed form or recording. Stored encrypted; only assigned case workers."),
    )
    # Children (DESIGN.md §5).
    guardian_consent = models.BooleanField(_("guardian has consented"), default=False)
    child_assent = models.BooleanField(_("child has assented"), default=False)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["storyteller", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["storyteller", "version"], name="consent_one_row_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("granted_on")),
                name="consent_expires_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.storyteller.case_code} consent v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is None:
            last = (
                ConsentRecord.objects.filter(storyteller=self.storyteller)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            self.version = (last or 0) + 1
        else:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - self.WITHDRAWAL_FIELDS:
                raise ValidationError(_("Consent records are append-only: record a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Consent records are never deleted, only withdrawn or erased."))

    def clean(self):
        errors: dict[str, list] = {}
        if self.granted_on and self.expires_on:
            longest = add_months(self.granted_on, settings.CONSENT_MAX_MONTHS)
            if self.expires_on <= self.granted_on:
                errors["expires_on"] = [_("Consent must expire after it was granted.")]
            elif self.expires_on > longest:
                errors["expires_on"] = [
                    _("Consent lasts %(months)s months at most: ask again by then.")
                    % {"months": settings.CONSENT_MAX_MONTHS}
                ]
        known_languages = {code for code, _name in settings.LANGUAGES}
        if not self.languages or set(self.languages) - known_languages:
            errors["languages"] = [_("Choose at least one of the site's languages.")]
        if set(self.channels) - set(self.Channel.values):
            errors["channels"] = [_("Unknown channel.")]
        if self.storyteller_id and self.storyteller.is_child:
            if not (self.guardian_consent and self.child_assent):
                errors["guardian_consent"] = [
                    _("A child needs both a guardian's consent and their own assent.")
                ]
            if self.photos_with_faces:
                errors["photos_with_faces"] = [_("A child's face is never shown.")]
            if self.map_precision == Precision.REGION:
                errors["map_precision"] = [_("For a child, only the country may be shown.")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_expired(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) > self.expires_on

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_withdrawn and self.granted_on <= today <= self.expires_on


class ConsentReminder(models.Model):
    """A reminder that this consent version expires soon was sent (once per version)."""

    consent = models.OneToOneField(
        ConsentRecord, on_delete=models.CASCADE, related_name="expiry_reminder"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Reminder for {self.consent}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The access log is append-only."))

    def delete(self):
        raise ValidationError(_("The access log is append-only."))


class AccessLogEntry(models.Model):
    """Who read which private detail, and when. Append-only: no update, no delete, enforced
    by the model, its queryset and a database trigger."""

    class Action(models.TextChoices):
        REVEAL_TERM = "reveal_term", _("Revealed an identifying term")
        DOWNLOAD_EVIDENCE = "download_evidence", _("Downloaded consent evidence")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    # The case code, not a foreign key: the log outlives an erased storyteller and must
    # never be rewritten by a cascade.
    storyteller_code = models.CharField(max_length=12, db_index=True)
    object_id = models.PositiveBigIntegerField()

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.storyteller_code})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The access log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The access log is append-only."))


@compiled_once(storyteller_id=models.BigIntegerField())
def _consent_current(*, storyteller_id):
    return ConsentRecord.objects.filter(storyteller_id=storyteller_id).order_by("-version")[:1]
