"""A small fake of the Stripe API, so tests run the real ``stripe`` library over real HTTP.

Only what ``cms/donations/stripe_gateway.py`` uses is implemented, in the shapes of Stripe's
API version the library pins (2026-10-28): Checkout Sessions (create, retrieve with
``expand``, list, expire), PaymentIntents, Charges, Refunds, Disputes, Invoices,
Subscriptions, Billing Portal sessions, Events and Balance. It keeps state in memory,
honours ``Idempotency-Key`` like Stripe (same key and body: the first answer again; same key,
other body: an ``idempotency_error``), and records every request — method, path, query,
decoded form body and headers — so tests can assert what was sent.

Tests act as the card holder and as Stripe through Python methods (``complete_session``,
``refund``, ``dispute``…); each returns the event Stripe would send, which the test signs and
posts to our webhook (see ``tests/donations/helpers.py``). ``stop()`` closes the listening
socket *and* open keep-alive connections, so an outage really is one.

Started per test by the ``fake_stripe`` fixture (``tests/donations/conftest.py``) on
127.0.0.1 with a free port; the benchmark starts one the same way.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"

PREFIXES = {
    "cs": "sessions",
    "pi": "payment_intents",
    "ch": "charges",
    "txn": "balance_transactions",
    "re": "refunds",
    "du": "disputes",
    "in": "invoices",
    "sub": "subscriptions",
    "cus": "customers",
}


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = None if last else parts[index + 1]
            container_for_next: Any = [] if following is not None and following.isdigit() else {}
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = container_for_next
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container_for_next)
    return root


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]  # flat, as sent: {"line_items[0][price_data][unit_amount]": "2500"}
    headers: dict[str, str]
    body: str

    @property
    def params(self) -> dict:
        return decode_form(list(self.form.items()))


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, code: str = "", kind="invalid_request_error"):
        super().__init__(message)
        self.status, self.code, self.kind = status, code, kind

    def body(self) -> dict:
        return {"error": {"type": self.kind, "code": self.code, "message": str(self)}}


@dataclass
class FakeStripe:
    objects: dict[str, dict[str, dict]] = field(
        default_factory=lambda: {name: {} for name in PREFIXES.values()}
    )
    events: list[dict] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    idempotency: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    stall_seconds: float = 0.0
    fail_next: int = 0  # answer this many requests with a 500, as a Stripe hiccup would
    lock: threading.RLock = field(default_factory=threading.RLock)
    server: ThreadingHTTPServer | None = None
    connections: set = field(default_factory=set)

    # ----------------------------------------------------------------------------------
    # Server lifecycle
    # ----------------------------------------------------------------------------------

    def bind(self) -> ThreadingHTTPServer:
        """Listen on a free port of 127.0.0.1 (serve with ``start`` or another process)."""
        fake = self

        class Handler(_Handler):
            stripe = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        return self.server

    def start(self) -> FakeStripe:
        threading.Thread(target=self.bind().serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for connection in list(self.connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                    connection.close()
                except OSError:
                    pass
            self.connections.clear()
        self.server = None

    # ----------------------------------------------------------------------------------
    # What tests look at
    # ----------------------------------------------------------------------------------

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [
            request
            for request in list(self.requests)
            if request.method == method and request.path.startswith(path_prefix)
        ]

    def get(self, kind: str, object_id: str) -> dict:
        return self.objects[kind][object_id]

    def events_of(self, type_: str) -> list[dict]:
        return [event for event in self.events if event["type"] == type_]

    # ----------------------------------------------------------------------------------
    # Acting as Stripe and as the card holder
    # ----------------------------------------------------------------------------------

    def event(self, type_: str, obj: dict, *, created: int | None = None) -> dict:
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": created or int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
        with self.lock:
            self.events.append(event)
        return event

    def _charge_for(self, session: dict, *, fee: int | None) -> tuple[dict, dict]:
        amount, currency = session["amount_total"], session["currency"]
        txn = {
            "id": new_id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "currency": currency,
            "fee": round(amount * 0.034) + 30 if fee is None else fee,
        }
        intent = {
            "id": new_id("pi"),
            "object": "payment_intent",
            "amount": amount,
            "currency": currency,
            "status": "succeeded",
            "metadata": (session.get("_payment_intent_data") or {}).get("metadata", {}),
            "latest_charge": None,
        }
        charge = {
            "id": new_id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "refunded": False,
            "currency": currency,
            "status": "succeeded",
            "payment_intent": intent["id"],
            "balance_transaction": txn["id"],
            "disputed": False,
            "metadata": {},
            "created": int(time.time()),
        }
        intent["latest_charge"] = charge["id"]
        self.objects["balance_transactions"][txn["id"]] = txn
        self.objects["payment_intents"][intent["id"]] = intent
        self.objects["charges"][charge["id"]] = charge
        return intent, charge

    def complete_session(
        self, session_id: str, *, paid: bool = True, delayed: bool = False, fee: int | None = None
    ) -> dict:
        """The donor paid on Checkout: returns ``checkout.session.completed``. ``delayed``: a
        payment method that confirms later (then ``async_succeed`` / ``async_fail``)."""
        with self.lock:
            session = self.objects["sessions"][session_id]
            if session["mode"] == "subscription":
                return self._complete_subscription(session)
            if delayed:
                intent = {
                    "id": new_id("pi"),
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "status": "processing",
                    "metadata": (session.get("_payment_intent_data") or {}).get("metadata", {}),
                    "latest_charge": None,
                }
                self.objects["payment_intents"][intent["id"]] = intent
                session.update(
                    status="complete", payment_status="unpaid", payment_intent=intent["id"]
                )
            elif paid:
                intent, _charge = self._charge_for(session, fee=fee)
                session.update(
                    status="complete", payment_status="paid", payment_intent=intent["id"]
                )
            return self.event("checkout.session.completed", self._public(session))

    def async_succeed(self, session_id: str) -> dict:
        with self.lock:
            session = self.objects["sessions"][session_id]
            old = self.objects["payment_intents"].pop(session["payment_intent"])
            intent, _charge = self._charge_for(session, fee=None)
            # Keep the PaymentIntent id the session already pointed to.
            self.objects["payment_intents"].pop(intent["id"])
            intent["id"] = old["id"]
            self.objects["payment_intents"][old["id"]] = intent
            self.objects["charges"][intent["latest_charge"]]["payment_intent"] = old["id"]
            session["payment_status"] = "paid"
            return self.event("checkout.session.async_payment_succeeded", self._public(session))

    def async_fail(self, session_id: str) -> dict:
        with self.lock:
            session = self.objects["sessions"][session_id]
            self.objects["payment_intents"][session["payment_intent"]]["status"] = (
                "requires_payment_method"
            )
            return self.event("checkout.session.async_payment_failed", self._public(session))

    def expire_session(self, session_id: str) -> dict:
        with self.lock:
            session = self.objects["sessions"][session_id]
            session["status"] = "expired"
            return self.event("checkout.session.expired", self._public(session))

    def charge_of(self, session_id: str) -> dict:
        session = self.objects["sessions"][session_id]
        intent = self.objects["payment_intents"][session["payment_intent"]]
        return self.objects["charges"][intent["latest_charge"]]

    def refund(self, charge_id: str, amount: int | None = None, *, reason: str = "") -> dict:
        """A refund made in Stripe's dashboard: returns ``charge.refunded``."""
        with self.lock:
            metadata = {"reason": reason} if reason else {}
            self._refund_create({"charge": charge_id, "amount": amount, "metadata": metadata})
            return self.events_of("charge.refunded")[-1]

    def dispute(self, charge_id: str, *, amount: int | None = None) -> dict:
        with self.lock:
            charge = self.objects["charges"][charge_id]
            dispute = {
                "id": new_id("du"),
                "object": "dispute",
                "amount": amount or charge["amount"],
                "currency": charge["currency"],
                "charge": charge_id,
                "payment_intent": charge["payment_intent"],
                "status": "needs_response",
            }
            charge["disputed"] = True
            self.objects["disputes"][dispute["id"]] = dispute
            return self.event("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, *, won: bool) -> dict:
        with self.lock:
            dispute = self.objects["disputes"][dispute_id]
            dispute["status"] = "won" if won else "lost"
            return self.event("charge.dispute.closed", dispute)

    def _complete_subscription(self, session: dict) -> dict:
        customer = {"id": new_id("cus"), "object": "customer", "email": session["customer_email"]}
        subscription = {
            "id": new_id("sub"),
            "object": "subscription",
            "status": "active",
            "customer": customer["id"],
            "metadata": (session.get("_subscription_data") or {}).get("metadata", {}),
            "_session": session["id"],
        }
        self.objects["customers"][customer["id"]] = customer
        self.objects["subscriptions"][subscription["id"]] = subscription
        session.update(
            status="complete",
            payment_status="paid",
            subscription=subscription["id"],
            customer=customer["id"],
        )
        invoice_event = self.pay_invoice(subscription["id"], billing_reason="subscription_create")
        session["invoice"] = invoice_event["data"]["object"]["id"]
        return self.event("checkout.session.completed", self._public(session))

    def pay_invoice(self, subscription_id: str, *, billing_reason="subscription_cycle") -> dict:
        """A month's payment of a subscription: returns ``invoice.paid``."""
        with self.lock:
            subscription = self.objects["subscriptions"][subscription_id]
            session = self.objects["sessions"][subscription["_session"]]
            intent, _charge = self._charge_for(session, fee=None)
            invoice = {
                "id": new_id("in"),
                "object": "invoice",
                "status": "paid",
                "amount_paid": session["amount_total"],
                "currency": session["currency"],
                "customer": subscription["customer"],
                "billing_reason": billing_reason,
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": subscription_id,
                        "metadata": subscription["metadata"],
                    },
                },
                "payments": {
                    "object": "list",
                    "data": [
                        {
                            "object": "invoice_payment",
                            "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
                        }
                    ],
                    "has_more": False,
                },
            }
            self.objects["invoices"][invoice["id"]] = invoice
            return self.event("invoice.paid", invoice)

    def cancel_subscription(self, subscription_id: str) -> dict:
        with self.lock:
            subscription = self.objects["subscriptions"][subscription_id]
            subscription["status"] = "canceled"
            return self.event("customer.subscription.deleted", self._public(subscription))

    # ----------------------------------------------------------------------------------
    # The API
    # ----------------------------------------------------------------------------------

    def _public(self, obj: dict) -> dict:
        return {key: value for key, value in obj.items() if not key.startswith("_")}

    def _find(self, kind: str, object_id: str) -> dict:
        obj = self.objects[kind].get(object_id)
        if obj is None:
            raise StripeError(404, f"No such {kind[:-1]}: '{object_id}'", code="resource_missing")
        return obj

    def _expand(self, obj: dict, paths: list[str]) -> dict:
        obj = json.loads(json.dumps(self._public(obj)))
        for path in paths:
            node = obj
            for name in path.split("."):
                value = node.get(name) if isinstance(node, dict) else None
                if isinstance(value, str) and "_" in value:
                    kind = PREFIXES.get(value.split("_", 1)[0])
                    if kind and value in self.objects[kind]:
                        value = json.loads(json.dumps(self._public(self.objects[kind][value])))
                        node[name] = value
                node = value
        return obj

    @staticmethod
    def _list(items: list[dict], url: str) -> dict:
        return {"object": "list", "data": items, "has_more": False, "url": url}

    def _session_create(self, params: dict) -> dict:
        line = params["line_items"][0]
        price = line["price_data"]
        amount = int(price["unit_amount"]) * int(line.get("quantity", 1))
        session = {
            "id": new_id("cs"),
            "object": "checkout.session",
            "mode": params.get("mode"),
            "submit_type": params.get("submit_type"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": price["currency"],
            "metadata": params.get("metadata", {}),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "customer": None,
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "locale": params.get("locale"),
            "created": int(time.time()),
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "livemode": False,
            "_payment_intent_data": params.get("payment_intent_data"),
            "_subscription_data": params.get("subscription_data"),
        }
        session["url"] = f"https://checkout.stripe.test/c/pay/{session['id']}"
        self.objects["sessions"][session["id"]] = session
        return self._public(session)

    def _refund_create(self, params: dict) -> dict:
        if params.get("payment_intent"):
            intent = self._find("payment_intents", params["payment_intent"])
            charge = self._find("charges", intent["latest_charge"])
        else:
            charge = self._find("charges", params["charge"])
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = int(params["amount"]) if params.get("amount") else remaining
        if remaining <= 0:
            raise StripeError(
                400, "Charge has already been refunded.", code="charge_already_refunded"
            )
        if amount > remaining:
            raise StripeError(
                400, "Refund amount is greater than unrefunded amount.", code="amount_too_large"
            )
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "status": "succeeded",
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.objects["refunds"][refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self.event("charge.refunded", charge)
        return refund

    def handle(self, method: str, path: str, query: dict, params: dict) -> tuple[int, dict]:
        parts = [part for part in path.split("/") if part][1:]  # drop "v1"
        expand = [value for key, value in sorted(query.items()) if key.startswith("expand")]
        expand += params.get("expand", []) if isinstance(params.get("expand"), list) else []
        q = decode_form(list(query.items()))
        match method, parts:
            case "GET", ["balance"]:
                return 200, {"object": "balance", "available": [], "pending": [], "livemode": False}
            case "POST", ["checkout", "sessions"]:
                return 200, self._session_create(params)
            case "GET", ["checkout", "sessions"]:
                since = int((q.get("created") or {}).get("gte") or 0)
                items = [
                    self._public(s)
                    for s in self.objects["sessions"].values()
                    if s["created"] >= since
                ]
                return 200, self._list(items, "/v1/checkout/sessions")
            case "GET", ["checkout", "sessions", session_id]:
                return 200, self._expand(self._find("sessions", session_id), expand)
            case "POST", ["checkout", "sessions", session_id, "expire"]:
                session = self._find("sessions", session_id)
                if session["status"] != "open":
                    raise StripeError(
                        400, 'Only Checkout Sessions with a status in ["open"] can be expired.'
                    )
                session["status"] = "expired"
                self.event("checkout.session.expired", self._public(session))
                return 200, self._public(session)
            case "GET", ["payment_intents", object_id]:
                return 200, self._expand(self._find("payment_intents", object_id), expand)
            case "GET", ["charges", object_id]:
                return 200, self._expand(self._find("charges", object_id), expand)
            case "POST", ["refunds"]:
                return 200, self._refund_create(params)
            case "GET", ["refunds"]:
                items = [
                    r for r in self.objects["refunds"].values() if r["charge"] == q.get("charge")
                ]
                return 200, self._list(items, "/v1/refunds")
            case "GET", ["disputes", object_id]:
                return 200, self._public(self._find("disputes", object_id))
            case "GET", ["invoices", object_id]:
                return 200, self._public(self._find("invoices", object_id))
            case "GET", ["subscriptions", object_id]:
                return 200, self._public(self._find("subscriptions", object_id))
            case "POST", ["billing_portal", "sessions"]:
                customer = self._find("customers", params.get("customer", ""))
                return 200, {
                    "id": new_id("bps"),
                    "object": "billing_portal.session",
                    "customer": customer["id"],
                    "return_url": params.get("return_url"),
                    "url": f"https://billing.stripe.test/p/session/{new_id('bps')}",
                }
            case "GET", ["events"]:
                since = int((q.get("created") or {}).get("gte") or 0)
                types = q.get("types") or []
                items = [
                    e
                    for e in reversed(self.events)
                    if e["created"] >= since and (not types or e["type"] in types)
                ]
                return 200, self._list(items, "/v1/events")
        raise StripeError(404, f"Unrecognized request URL ({method}: {path})")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Stripe's API allows
    stripe: FakeStripe

    def setup(self):
        super().setup()
        # Headers and body are separate writes: without this, Nagle's algorithm and delayed
        # ACKs add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.stripe.lock:
            self.stripe.connections.add(self.connection)

    def finish(self):
        with self.stripe.lock:
            self.stripe.connections.discard(self.connection)
        super().finish()

    def log_message(self, format, *args):  # quiet
        pass

    def _answer(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(body, keep_blank_values=True)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        record = RecordedRequest(
            method=method,
            path=split.path,
            query=query,
            form=dict(pairs),
            headers={key: value for key, value in self.headers.items()},
            body=body,
        )
        fake = self.stripe
        with fake.lock:
            fake.requests.append(record)
        if fake.stall_seconds:
            time.sleep(fake.stall_seconds)
        with fake.lock:
            hiccup = fake.fail_next > 0
            fake.fail_next -= 1 if hiccup else 0
        if hiccup:
            self._send(500, {"error": {"type": "api_error", "message": "Something went wrong."}})
            return
        replayed = False
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        try:
            if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
                raise StripeError(401, "Invalid API Key provided", kind="invalid_request_error")
            with fake.lock:
                if key and key in fake.idempotency:
                    first_body, status, payload = fake.idempotency[key]
                    if first_body != body:
                        raise StripeError(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            kind="idempotency_error",
                        )
                    replayed = True
                else:
                    status, payload = fake.handle(method, split.path, query, decode_form(pairs))
                    if key:
                        fake.idempotency[key] = (body, status, payload)
        except StripeError as error:
            status, payload = error.status, error.body()
        self._send(status, payload, replayed=replayed)

    def _send(self, status: int, payload: dict, *, replayed: bool = False) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req"))
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer("GET")

    def do_POST(self):
        self._answer("POST")
