"""Writing the ledger: where every minor unit of every donation is.

Rules kept here, so that no caller can forget them:

- Entries are only ever added (``LedgerEntry`` refuses updates and deletes; so does the
  database). A mistake is corrected by another entry.
- A donation's money sits in one or more funds; its *balance* in a fund is the sum of its
  entries there (fees excepted: they are the organisation's cost, booked to the general
  fund). Refunds, disputes and reallocations take from those balances and never below zero.
- A gift to a need fills the need up to its goal; what is left goes to the story's next open
  need in the same currency, then to the general fund (``reason="overflow"``). The donate
  page says so before the donor pays.
- Recording the same Stripe object twice is impossible: gifts and fees are unique per
  donation, refunds and disputes per (Stripe object, fund). Callers hold the donation's row
  lock; funds with a goal are locked while they are filled, so two gifts cannot both take
  the last room in a need.
"""

from __future__ import annotations

from collections import OrderedDict
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum

from cms.donations.db import insert_unless_conflict
from cms.donations.models import Donation, Fund, LedgerEntry
from cms.donations.selectors import TOTALS_CACHE_KEY
from stories.public_cache import public_cache_forget

Kind = LedgerEntry.Kind
# Funds a withdrawal can close: those of stories and needs.
CLOSABLE = frozenset({Fund.Kind.STORY, Fund.Kind.NEED})


def fund_get(*, kind: str, key: UUID | None = None) -> Fund:
    """The fund for a target, created on first use."""
    key = None if kind == Fund.Kind.GENERAL else key
    fund = Fund.objects.filter(kind=kind, key=key).first()
    if fund is not None:
        return fund
    try:
        with transaction.atomic():
            return Fund.objects.create(kind=kind, key=key)
    except IntegrityError:  # created concurrently
        return Fund.objects.get(kind=kind, key=key)


def general_fund() -> Fund:
    return fund_get(kind=Fund.Kind.GENERAL)


def _append(
    *,
    fund: Fund,
    donation: Donation,
    kind: str,
    amount_minor: int,
    currency: str,
    stripe_ref: str = "",
    reason: str = "",
) -> LedgerEntry | None:
    """Add one entry; ``None`` if a unique rule says it is already there."""
    entry = LedgerEntry(
        fund=fund,
        donation=donation,
        kind=kind,
        amount_minor=amount_minor,
        currency=currency,
        stripe_ref=stripe_ref,
        reason=reason,
    )
    if not insert_unless_conflict(entry):
        return None
    transaction.on_commit(lambda: public_cache_forget(TOTALS_CACHE_KEY))  # the totals moved
    return entry


def fund_balance(fund: Fund, currency: str) -> int:
    total = LedgerEntry.objects.filter(fund=fund, currency=currency).aggregate(
        total=Sum("amount_minor")
    )["total"]
    return total or 0


def donation_balances(donation: Donation) -> list[tuple[Fund, int]]:
    """Where this donation's money is now: ``(fund, amount)`` with amount > 0, the fund it
    reached last first."""
    rows = (
        LedgerEntry.objects.filter(donation=donation, currency=donation.currency)
        .exclude(kind=Kind.FEE)
        .values("fund")
        .annotate(total=Sum("amount_minor"), last=Max("pk"))
        .order_by("-last")
    )
    funds = Fund.objects.in_bulk([row["fund"] for row in rows])
    return [(funds[row["fund"]], row["total"]) for row in rows if row["total"] > 0]


# --------------------------------------------------------------------------------------
# Gifts and where they go
# --------------------------------------------------------------------------------------


def _need_room(fund: Fund, currency: str) -> int:
    """How much more this need can take in ``currency`` (0 if met, closed or gone)."""
    from stories.models import StoryNeed

    if fund.is_closed:
        return 0
    need = StoryNeed.objects.filter(translation_key=fund.key).order_by("locale_id").first()
    if need is None or need.currency != currency or need.status != StoryNeed.Status.OPEN:
        return 0
    return max(need.goal_minor - fund_balance(fund, currency), 0)


def overflow_needs(fund: Fund, currency: str) -> list[UUID]:
    """Translation keys of the needs after this one on its story, in page order, that take
    gifts in ``currency``: where a gift goes when this need is met."""
    from stories.models import StoryNeed

    need = StoryNeed.objects.filter(translation_key=fund.key).order_by("locale_id").first()
    if need is None:
        return []
    return list(
        StoryNeed.objects.filter(
            page_id=need.page_id,
            sort_order__gt=need.sort_order or 0,
            currency=currency,
            status=StoryNeed.Status.OPEN,
        )
        .order_by("sort_order")
        .values_list("translation_key", flat=True)
    )


def gift_record(*, donation: Donation) -> list[LedgerEntry]:
    """Book a paid donation: the gift to its target, then any overflow. Returns the entries
    added (none if the gift was already booked)."""
    target = donation.target
    next_needs: list[Fund] = []
    if Fund.Kind(target.kind) in CLOSABLE:
        # Locked, so that a withdrawal closing them and this gift are one after the other:
        # either the gift lands first and the withdrawal moves it, or it sees the fund
        # closed. Always in primary-key order, as the withdrawal locks them, so the two can
        # never wait for each other.
        keys = overflow_needs(target, donation.currency) if target.kind == Fund.Kind.NEED else []
        wanted = [target.pk] + [fund_get(kind=Fund.Kind.NEED, key=key).pk for key in keys]
        locked = Fund.objects.select_for_update().in_bulk(sorted(wanted))
        target = locked[target.pk]
        next_needs = [locked[pk] for pk in wanted[1:]]
    fills_a_need = target.kind == Fund.Kind.NEED and not target.is_closed
    # Room is measured before the gift, under the funds' locks.
    room = _need_room(target, donation.currency) if fills_a_need else None
    gift = _append(
        fund=target,
        donation=donation,
        kind=Kind.GIFT,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
    )
    if gift is None:
        return []
    entries = [gift]
    # A withdrawn target is handled by the caller, as the donor chose.
    excess = donation.amount_minor - room if room is not None else 0
    for candidate in next_needs if excess > 0 else []:
        taken = min(excess, _need_room(candidate, donation.currency))
        if taken:
            entries += reallocate(
                donation=donation,
                source=target,
                destination=candidate,
                amount_minor=taken,
                reason="overflow",
            )
            excess -= taken
        if excess <= 0:
            break
    if excess > 0:
        entries += reallocate(
            donation=donation,
            source=target,
            destination=general_fund(),
            amount_minor=excess,
            reason="overflow",
        )
    return entries


def reallocate(
    *, donation: Donation, source: Fund, destination: Fund, amount_minor: int, reason: str
) -> list[LedgerEntry]:
    """Move part of a donation's money from one fund to another (two entries)."""
    if amount_minor <= 0:
        return []
    out = _append(
        fund=source,
        donation=donation,
        kind=Kind.REALLOCATION_OUT,
        amount_minor=-amount_minor,
        currency=donation.currency,
        reason=reason,
    )
    into = _append(
        fund=destination,
        donation=donation,
        kind=Kind.REALLOCATION_IN,
        amount_minor=amount_minor,
        currency=donation.currency,
        reason=reason,
    )
    return [entry for entry in (out, into) if entry is not None]


def donation_move_out_of(
    *, donation: Donation, funds: set[int], destination: Fund, reason: str
) -> int:
    """Move everything this donation has in ``funds`` (ids) to ``destination``; returns the
    amount moved."""
    moved = 0
    for fund, balance in donation_balances(donation):
        if fund.pk in funds and fund.pk != destination.pk:
            reallocate(
                donation=donation,
                source=fund,
                destination=destination,
                amount_minor=balance,
                reason=reason,
            )
            moved += balance
    return moved


# --------------------------------------------------------------------------------------
# Money leaving: refunds and disputes; fees
# --------------------------------------------------------------------------------------


def debit(
    *,
    donation: Donation,
    kind: str,
    amount_minor: int,
    stripe_ref: str,
    reason: str = "",
    prefer_funds: set[int] = frozenset(),
) -> list[LedgerEntry]:
    """Take ``amount_minor`` of a donation out of the funds holding it (a refund or a
    dispute), from ``prefer_funds`` first, then the fund it reached last. Recorded once per
    Stripe object: a second call with the same ``stripe_ref`` adds nothing."""
    if amount_minor <= 0 or LedgerEntry.objects.filter(kind=kind, stripe_ref=stripe_ref).exists():
        return []
    balances = donation_balances(donation)
    balances.sort(key=lambda item: item[0].pk not in prefer_funds)  # stable: keeps LIFO
    plan: OrderedDict[Fund, int] = OrderedDict()
    remaining = amount_minor
    for fund, balance in balances:
        if remaining <= 0:
            break
        take = min(balance, remaining)
        plan[fund] = take
        remaining -= take
    if remaining > 0:
        # Stripe says more left than the ledger holds (e.g. a fee-inclusive dispute): the
        # rest is taken from the donation's target so that totals match Stripe.
        target = donation.target
        plan[target] = plan.get(target, 0) + remaining
    entries = []
    for fund, take in plan.items():
        entry = _append(
            fund=fund,
            donation=donation,
            kind=kind,
            amount_minor=-take,
            currency=donation.currency,
            stripe_ref=stripe_ref,
            reason=reason,
        )
        if entry is not None:
            entries.append(entry)
    return entries


def dispute_reverse(*, donation: Donation, dispute_id: str) -> list[LedgerEntry]:
    """A won dispute: give back to each fund what the dispute took from it."""
    if LedgerEntry.objects.filter(kind=Kind.DISPUTE_REVERSAL, stripe_ref=dispute_id).exists():
        return []
    entries = []
    for taken in LedgerEntry.objects.filter(kind=Kind.DISPUTE, stripe_ref=dispute_id):
        entry = _append(
            fund=taken.fund,
            donation=donation,
            kind=Kind.DISPUTE_REVERSAL,
            amount_minor=-taken.amount_minor,
            currency=taken.currency,
            stripe_ref=dispute_id,
        )
        if entry is not None:
            entries.append(entry)
    return entries


def fee_record(
    *, donation: Donation, amount_minor: int, currency: str, stripe_ref: str
) -> LedgerEntry | None:
    """Stripe's processing fee for a donation, booked to the general fund: the organisation
    covers fees, so a need receives the whole gift."""
    if amount_minor <= 0:
        return None
    target = donation.target
    return _append(
        fund=target if target.kind == Fund.Kind.GENERAL else general_fund(),
        donation=donation,
        kind=Kind.FEE,
        amount_minor=-amount_minor,
        currency=currency.upper(),
        stripe_ref=stripe_ref,
    )
