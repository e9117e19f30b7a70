"""How fast the Stripe webhook applies events exactly once: the goal is ≥ 200 events/s.

Run from the repository root with ``DJANGO_SETTINGS_MODULE=settings.test`` (``make bench``
does). Needs PostgreSQL (``DATABASE_URL`` or the test default); it creates its own database
``igivehope_bench_webhooks`` and drops it afterwards.

1,000 signed ``checkout.session.completed`` events — 900 distinct payments plus 100 repeated
deliveries (10 %), shuffled — are posted through the real webhook view (Django's test client)
while the real stripe library re-fetches every session from a local fake Stripe API over
HTTP. Then it checks the effects are exactly once: 900 paid donations, 900 gift entries in
the ledger, 900 receipts in the outbox (sent afterwards by ``send_outbox``, as the
``db_worker`` does in production), 900 recorded event ids.

The fake Stripe runs in a child process (forked once its data is ready), as Stripe is
another machine: its work does not compete with ours for this interpreter's lock.

Prints events per second, and the ratio to the goal, for three ways of receiving them:
one delivery at a time; 4 at a time in one process (Stripe sends in parallel); and 4 at a
time in each of 2 processes, as gunicorn's workers would on this 2-core machine.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")

GOAL_PER_SECOND = 200
UNIQUE = 900
DUPLICATES = 100
# (processes, threads per process)
RUNS = [(1, 1), (1, 4), (2, 4)]


def _prepare(fake, *, label: str) -> list[tuple[str, str]]:
    """Pending donations with open sessions at the fake, paid there; returns the signed
    deliveries (payload, signature) in a shuffled order with 10 % repeats."""
    import stripe
    from django.conf import settings

    from cms.donations.ledger import general_fund
    from cms.donations.models import Donation

    fund = general_fund()
    donations = Donation.objects.bulk_create(
        [
            Donation(
                target=fund,
                amount_minor=1_000 + number,
                currency="USD",
                email=f"bench-donor-{label}-{number}@example.org",
                language="en",
            )
            for number in range(UNIQUE)
        ]
    )
    events = []
    for donation in donations:
        session = fake._session_create(
            {
                "mode": "payment",
                "submit_type": "donate",
                "line_items": [
                    {"price_data": {"currency": "usd", "unit_amount": donation.amount_minor}}
                ],
                "metadata": {"donation_id": str(donation.pk)},
                "payment_intent_data": {"metadata": {"donation_id": str(donation.pk)}},
            }
        )
        donation.stripe_checkout_session_id = session["id"]
        events.append(fake.complete_session(session["id"]))
    Donation.objects.bulk_update(donations, ["stripe_checkout_session_id"])
    rng = random.Random(20261130)  # noqa: S311 -- a repeatable benchmark, not a secret
    deliveries = events + rng.sample(events, DUPLICATES)
    rng.shuffle(deliveries)
    signed = []
    for event in deliveries:
        payload = json.dumps(event)
        header = stripe.WebhookSignature.generate_signature_header(
            payload, settings.STRIPE_WEBHOOK_SECRET
        )
        signed.append((payload, header))
    return signed


def _post_all(deliveries, *, threads: int) -> tuple[float, dict[str, int]]:
    from django.db import connection
    from django.test import Client

    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    chunks = [deliveries[index::threads] for index in range(threads)]

    def run(chunk):
        client = Client()
        try:
            for payload, header in chunk:
                response = client.post(
                    "/webhooks/stripe/",
                    data=payload,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=header,
                )
                if response.status_code != 200:
                    raise SystemExit(f"webhook answered {response.status_code}")
                outcome = response.json()["outcome"]
                with lock:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
        finally:
            if threads > 1:
                connection.close()

    started = time.perf_counter()
    if threads == 1:
        run(chunks[0])
    else:
        workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return time.perf_counter() - started, outcomes


def _post_in_processes(deliveries, *, processes: int, threads: int):
    """Fork ``processes`` workers that each post their share; returns (seconds, outcomes)."""
    from django.db import connections

    connections.close_all()  # each worker opens its own
    shares = [deliveries[index::processes] for index in range(processes)]
    pipes, children = [], []
    started = time.perf_counter()
    for share in shares:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            code = 0
            try:
                _elapsed, outcomes = _post_all(share, threads=threads)
                os.write(write_end, json.dumps(outcomes).encode())
            except BaseException:  # report through the exit status, never hang the parent
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        pipes.append(read_end)
        children.append(pid)
    outcomes: dict[str, int] = {}
    for read_end, pid in zip(pipes, children, strict=True):
        with os.fdopen(read_end) as stream:
            data = stream.read()
        _pid, status = os.waitpid(pid, 0)
        if status or not data:
            raise SystemExit("a posting process failed")
        for outcome, count in json.loads(data).items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
    return time.perf_counter() - started, outcomes


def _check_exactly_once(label: str) -> None:
    from cms.donations.models import Donation, LedgerEntry, ProcessedStripeEvent
    from cms.emails.models import OutboxMessage
    from cms.emails.sender import outbox_send_due

    mine = Donation.objects.filter(email__startswith=f"bench-donor-{label}-")
    receipts = OutboxMessage.objects.filter(to__startswith=f"bench-donor-{label}-")
    while outbox_send_due(limit=1000).sent:
        pass
    found = {
        "paid donations": mine.filter(status="paid").count(),
        "gift entries": LedgerEntry.objects.filter(donation__in=mine, kind="gift").count(),
        "receipts queued": receipts.count(),
        "receipts sent": receipts.filter(status="sent").count(),
    }
    if any(count != UNIQUE for count in found.values()):
        raise SystemExit(f"effects are not exactly once: {found}")
    print(f"  exactly once: {found}, {ProcessedStripeEvent.objects.count()} event ids recorded")


def _serve_in_child(fake) -> int:
    """Serve ``fake`` (bound, with its data) from a forked process; returns its pid."""
    from django.db import connections

    server = fake.bind()
    connections.close_all()  # the child must not share our database connection
    pid = os.fork()
    if pid == 0:  # the child: answer Stripe API calls until told to stop
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        server.serve_forever()
        os._exit(0)
    server.socket.close()  # the child listens; we only call it
    return pid


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    from tests.fake_stripe import FakeStripe

    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = "igivehope_bench_webhooks"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for processes, threads in RUNS:
            label = f"p{processes}t{threads}"
            fake = FakeStripe()
            deliveries = _prepare(fake, label=label)
            child = _serve_in_child(fake)
            try:
                host, port = fake.server.server_address[:2]
                # Emails are queued by the webhook and sent by the worker, as in production.
                with override_settings(
                    STRIPE_API_BASE=f"http://{host}:{port}",
                    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
                ):
                    if processes == 1:
                        elapsed, outcomes = _post_all(deliveries, threads=threads)
                    else:
                        elapsed, outcomes = _post_in_processes(
                            deliveries, processes=processes, threads=threads
                        )
                    rate = len(deliveries) / elapsed
                    print(
                        f"{len(deliveries)} events ({DUPLICATES} duplicates), {processes} "
                        f"process(es) × {threads} at a time: {elapsed:.2f} s, {rate:.0f} "
                        f"events/s — {rate / GOAL_PER_SECOND:.2f} × the {GOAL_PER_SECOND}/s "
                        f"goal; outcomes {outcomes}"
                    )
                    _check_exactly_once(label)
            finally:
                os.kill(child, signal.SIGTERM)
                os.waitpid(child, 0)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
