"""App server processes (gunicorn) on the test database, as separate instances would run,
and small HTTP clients for visitors and for staff signed in through the real login form."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import redis
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.support.instance_settings"
# The Redis the suite shares between instances (.ci/run starts it). Each test gives its
# instances a CACHE_KEY_PREFIX of its own and deletes those keys afterwards.
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        raise RuntimeError(
            f"These tests need Redis at {TEST_REDIS_URL} (Debian: apt-get install "
            "redis-server; .ci/run starts it)."
        ) from error
    return client


def cache_keys_delete(prefix: str) -> None:
    """Remove every key Django's cache wrote under ``prefix`` (``<prefix>:<version>:<key>``)."""
    client = redis_client()
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response(NamedTuple):
    status: int
    body: str
    headers: dict[str, str]


def get(url: str, *, host: str | None = None) -> Response:
    """A visitor's GET (no cookies). ``host`` sends that Host header instead of the URL's, so
    several instances can be asked for the same page as a load balancer would."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return Response(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode(), dict(error.headers))


def _database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _wait_until_up(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/admin/login/", timeout=10)  # noqa: S310
            return
        except OSError:  # refused while booting, or slow on its first request
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The app process for {base} did not start.") from None
            time.sleep(0.2)


@contextlib.contextmanager
def app_instances(count: int, **environment):
    """``count`` gunicorn processes serving this project on the current test database, each
    on its own port, with ``environment`` added (``REDIS_URL``, ``PAGE_CACHE_SECONDS``…; see
    ``tests/support/instance_settings.py``). Yields their base URLs."""
    processes, bases = [], []
    try:
        for _ in range(count):  # started together: they boot in parallel
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "cms.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env={
                        **os.environ,
                        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
                        "DATABASE_URL": _database_url(),
                        **environment,
                    },
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for process, base in zip(processes, bases, strict=True):
            _wait_until_up(process, base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


class StaffClient:
    """A staff member's browser session on one instance: signs in through the login form and
    posts admin forms with the CSRF token, as a browser would."""

    def __init__(self, base: str, user, password: str):
        self.base = base
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, whatever proxy a test set
        self.http.get(f"{base}/admin/login/", timeout=10).raise_for_status()
        response = self.post("/admin/login/", {"username": user.username, "password": password})
        if response.status_code != 302 or "sessionid" not in self.http.cookies:
            raise AssertionError(f"{user.username} could not sign in at {base}.")

    def post(self, path: str, data: dict) -> requests.Response:
        token = self.http.cookies["csrftoken"]
        return self.http.post(
            f"{self.base}{path}",
            data={**data, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=30,
        )
