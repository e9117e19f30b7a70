"""How close the public pages come to serving a static file: the page goals of issue #10.

Run from the repository root (``make bench`` runs every benchmark; ``make bench
BENCH=bench/pages_bench.py`` only this one). Needs PostgreSQL (the server of
``DATABASE_URL``, else ``postgres@127.0.0.1:5432``), Redis (``REDIS_URL``, else
``127.0.0.1:6379/0``) and wrk (Debian's; installed here when running as root). Loopback
traffic only; six to seven minutes on the 2-core CI machine.

1. Creates its own database ``igivehope_bench_pages`` (dropped afterwards), migrates, loads
   the demo content, runs ``collectstatic`` and lets ``manage.py db_worker --batch`` do the
   queued work, as production would. Everything runs under ``settings.production``,
   whatever ``DJANGO_SETTINGS_MODULE`` says, driven by environment variables: DEBUG off, no
   SSL redirect, secrets and keys made up for this run, Redis under a key prefix of its own
   (its keys deleted afterwards), static and media files in ``var/bench/pages/``, email
   kept in memory.
2. For 100 and then 10,000 live stories (``stories_bulk_live`` writes them straight to the
   database, through the consent trigger; then ``ANALYZE``, as autovacuum soon would):
   - counts SQL queries per page in this process with Django's test client (anonymous, a
     fresh client per request): warm with the page cache off (the second request), and on
     a page-cache hit. The counts must not depend on the number of stories;
   - starts two gunicorns, 2 sync workers each, as deployed: *uncached*, with
     ``PAGE_CACHE_SECONDS=0`` and ``MAP_DATA_CACHE_SECONDS=0`` and cache keys of its own,
     so every request renders its page or builds the map (the small caches inside, such as
     the route cache, Wagtail's site root paths and the site links, stay on, as in
     production); and
     *cached*, with the page and map caches on. Each page's bytes, fetched once from the
     uncached server, are written to ``STATIC_ROOT/bench/`` as its *static twin*, served by
     whitenoise through the same gunicorn (the servers start after, as whitenoise reads
     the folder once);
   - runs wrk (``-t1 -c4``, 3 s) against every page uncached, cached and its twin, 3 rounds
     interleaved, and keeps the medians. Around each run it reads the CPU time of the
     gunicorn processes and of this database's PostgreSQL backends from
     ``/proc/<pid>/stat``: per request, a cost steadier than requests/s on a shared
     machine. The map is asked for with ``Accept-Encoding: gzip`` and its twin has a
     ``.gz`` beside it, so both send the compressed bytes; pages go uncompressed, as the
     app sends them.
3. At 10,000 stories, builds the map data in this process as the view does on a miss:
   queries, Python CPU (``time.process_time``: the selector, then ``json.dumps`` and gzip)
   and the gzipped size.
4. Five times, publishes a new story with a new image through the real workflow (editor,
   consent check, safeguarding review), lets the worker prepare its renditions, wakes the
   cached server's workers (a second of wrk on a static twin: idle for the worker's two
   seconds, a gunicorn worker answers its next request twice as slowly, whatever it is)
   and times the first request after it on the cached server (the story, home, story
   index, map data); the medians are set against the warm median of 15 sequential
   requests to the uncached server.

Prints the figures and each goal as met or missed (reported, not asserted: a shared
machine is too noisy for CI), and writes them as JSON to ``var/bench/pages.json``.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "igivehope_bench_pages"
WORK = ROOT / "var" / "bench" / "pages"
REPORT = ROOT / "var" / "bench" / "pages.json"
SIZES = (100, 10_000)
ROUNDS = 3
WRK_SECONDS = 3
WRK_CONNECTIONS = 4
WARM_REQUESTS = 15
MAP_BUILDS = 5
PUBLISHES = 5
FIRST_HIT_PAGES = ("story page", "home", "story index", "map data")
GZIP = {"Accept-Encoding": "gzip"}

# The goals (#10). Ratios are a page's requests/s ÷ its static twin's, same run.
GOAL_UNCACHED = {"story page": 0.05, "home": 0.03}
GOAL_CACHED = 0.8
CACHED_PAGES = ("home", "story page", "campaign", "map data")
GOAL_WARM_QUERIES = 15
GOAL_MAP_GZIP_BYTES = 250_000
GOAL_MAP_QUERIES = 2
GOAL_MAP_CPU_MS = 10.0
GOAL_FIRST_HIT = 2.0

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------
# Environment: production settings, made-up secrets, our own database and cache keys
# --------------------------------------------------------------------------------------


def _server_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/igivehope"
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def _environment(*, cache_prefix: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _server_url(DATABASE),
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STRIPE_SECRET_KEY": "sk_test_bench_" + secrets.token_hex(12),
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_" + secrets.token_hex(16),
        "IDENTITY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": cache_prefix,
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "PRIVATE_MEDIA_ROOT": str(WORK / "private"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "ERROR",
        "PAGE_CACHE_SECONDS": "300",
        "MAP_DATA_CACHE_SECONDS": "600",
    }


def _run(command: list[str], **options) -> subprocess.CompletedProcess:
    """Our own fixed commands, never user input; the program resolved on PATH."""
    program = shutil.which(command[0]) or command[0]
    return subprocess.run([program, *command[1:]], **options)  # noqa: S603


def _wrk_ensure() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: apt-get install -y --no-install-recommends wrk")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"]
    if _run(install, check=False, stdout=subprocess.DEVNULL).returncode:
        _run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        _run(install, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def _database_recreate(*, drop_only: bool = False) -> None:
    import psycopg2

    parts = urlsplit(_server_url("postgres"))
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def _redis_ensure() -> None:
    import redis

    url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis does not answer at {url} ({error}). Start it (Debian: apt-get install "
            "redis-server), or point REDIS_URL at one."
        ) from None


def _redis_forget(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=f"{prefix}*", count=1000):  # ours and the uncached one's
        client.delete(key)


def _manage(*args: str, timeout: int = 300) -> None:
    with (WORK / "manage.log").open("ab") as log:
        _run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=os.environ.copy(),
            check=True,
            timeout=timeout,
            stdout=log,
            stderr=log,
        )


# --------------------------------------------------------------------------------------
# The site and its data
# --------------------------------------------------------------------------------------


def _site_build() -> dict[str, float]:
    """Migrate, demo content, static files, queued work; returns seconds per step."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    seconds = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    seconds["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    with override_settings(DEMO_DATA_ALLOWED=True):  # a throw-away database, made here
        call_command("load_demo_data", stdout=io.StringIO())
    seconds["demo data"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    seconds["collectstatic"] = time.perf_counter() - started
    started = time.perf_counter()
    _manage("db_worker", "--batch", "--no-startup-delay")
    seconds["db_worker"] = time.perf_counter() - started
    return seconds


def _home_page():
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page.specific


def _stories_live() -> int:
    from stories.models import StoryPage

    return StoryPage.objects.live().count()


def _stories_grow_to(total: int, *, by) -> float:
    """Add generated live stories up to ``total``, then refresh the planner's statistics, as
    autovacuum soon would: with the statistics of a nearly empty database the public story
    queries take 20 s and more at 10,000 stories (nested loops over stale row estimates).
    The stories are written straight to the database: the uncached server's keys (apart
    from ours) never learn of them, so the cache is emptied (both servers' keys; neither
    is running)."""
    from django.db import connection

    from tests.factories import stories_bulk_live

    started = time.perf_counter()
    missing = total - _stories_live()
    if missing > 0:
        stories_bulk_live(_home_page(), missing, by=by)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _redis_forget(os.environ["CACHE_KEY_PREFIX"])
    return time.perf_counter() - started


def _urls() -> dict[str, str]:
    """The public pages measured: a demo story (images, quote, needs) stands for stories."""
    from campaigns.models import CampaignPage
    from stories.models import StoryIndexPage, StoryPage

    index = StoryIndexPage.objects.live().first()
    story = StoryPage.objects.live().order_by("pk").first()  # before the generated ones
    campaign = CampaignPage.objects.live().first()
    return {
        "home": "/",
        "story index": index.url,
        "story page": story.url,
        "campaign": campaign.url,
        "map data": "/map/stories.json",
    }


def _extra_urls(urls: dict[str, str]) -> dict[str, str]:
    """Further public pages whose query counts must not grow either (not load-tested)."""
    return {
        "story index, filtered": urls["story index"] + "?country=TH&funding=open",
        "story index, page 2": urls["story index"] + "?page=2",
        "simple page": "/about/",
        "search": "/search/?q=sewing",
    }


# --------------------------------------------------------------------------------------
# Queries, in this process
# --------------------------------------------------------------------------------------


def _get(path: str, **headers):
    """One anonymous request, without cookies, through the WSGI application gunicorn runs
    (``cms.wsgi``: it answers page-cache hits in front of Django), by WebTest; returns
    (queries, response)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from webtest import TestApp

    from cms.wsgi import application

    visitor = TestApp(application, extra_environ={"HTTP_HOST": "127.0.0.1"})
    with CaptureQueriesContext(connection) as captured:
        response = visitor.get(path, headers=headers, expect_errors=True)
    if response.status_int != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return len(captured), response


def _query_counts(urls: dict[str, str]) -> dict[str, dict]:
    """Warm counts with the page cache off, counts on a cache hit, the map's cold build."""
    from django.test.utils import override_settings

    from stories.public_cache import public_version_bump

    counts: dict[str, dict] = {}
    with override_settings(PAGE_CACHE_SECONDS=0, MAP_DATA_CACHE_SECONDS=0):
        for name, path in urls.items():
            _get(path)
            counts[name] = {"warm": _get(path)[0]}
    for name, path in urls.items():
        _get(path)
        queries, response = _get(path)
        cached = response.headers.get("X-Page-Cache") == "hit"
        counts[name].update(hit=queries if cached else None, cached=cached)
    public_version_bump()
    _get("/")  # Wagtail's own caches warm again; the map's is now cold
    counts["map data"]["build"] = _get(urls["map data"])[0]
    return counts


def _map_build() -> dict:
    """Build the map data as the view does on a miss, in this process; medians."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from stories.filters import StoryFilterForm
    from stories.selectors import map_json
    from stories.views import MAP_GZIP_LEVEL, thumbnail_url_template

    selector, encode, total, queries = [], [], [], []
    with translation.override("en"):
        filters = StoryFilterForm({}).filters()
        template = thumbnail_url_template()
        for _ in range(MAP_BUILDS):
            with CaptureQueriesContext(connection) as captured:
                cpu = time.process_time()
                text = map_json(language="en", filters=filters, thumbnail_url_template=template)
                built = time.process_time()
                raw = text.encode()
                body = gzip.compress(raw, compresslevel=MAP_GZIP_LEVEL, mtime=0)
                done = time.process_time()
            selector.append((built - cpu) * 1000)
            encode.append((done - built) * 1000)
            total.append((done - cpu) * 1000)
            queries.append(len(captured))
    data = json.loads(raw)
    return {
        "stories": sum(len(place["stories"]) for place in data["places"]),
        "places": len(data["places"]),
        "bytes": len(raw),
        "gzip_bytes": len(body),
        "queries": max(queries),
        "selector_cpu_ms": statistics.median(selector),
        "json_gzip_cpu_ms": statistics.median(encode),
        "build_cpu_ms": statistics.median(total),
    }


# --------------------------------------------------------------------------------------
# gunicorn, wrk and /proc
# --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, path: str, headers: dict | None = None):
    """(seconds, status, headers, body) of one GET over a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return time.perf_counter() - started, response.status, dict(response.getheaders()), body


class Server:
    """gunicorn as deployed (README "Deploying"): ``cms.wsgi``, 2 sync workers."""

    def __init__(self, name: str, **settings: str):
        self.name = name
        self.settings = settings
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        log = (WORK / f"gunicorn-{self.name}.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 -- our own gunicorn
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "cms.wsgi",
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env={**os.environ, **self.settings},
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ({self.name}) stopped; see {log.name}")
            try:
                if _request(self.port, "/static/css/site.css")[1] == 200 and len(self.pids()) > 2:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn ({self.name}) did not answer within a minute")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def pids(self) -> list[int]:
        """The master and its workers."""
        master = self.process.pid
        found = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == master:
                    found.append(int(entry.name))
        return found


def _cpu_ticks(pids) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def _cpu_ms(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU spent between two readings by processes alive at the second (new ones: all)."""
    spent = sum(max(0, ticks - before.get(pid, 0)) for pid, ticks in after.items())
    return spent * 1000 / CLOCK_TICKS


def _database_backends() -> list[int]:
    """PostgreSQL backends of our database, except this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        )
        return [row[0] for row in cursor.fetchall()]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(wrk: str, url: str, *, seconds: float, headers: dict | None = None) -> dict:
    command = [wrk, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = _run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    latency = {
        percent: float(value) * _UNITS[unit]
        for percent, value, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M
        )
    }
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


def _load(wrk: str, server: Server, path: str, *, headers=None, seconds=WRK_SECONDS) -> dict:
    """One wrk run with the CPU it cost the app and the database, per request."""
    app_pids = server.pids()
    app, database = _cpu_ticks(app_pids), _cpu_ticks(_database_backends())
    result = _wrk(wrk, f"http://127.0.0.1:{server.port}{path}", seconds=seconds, headers=headers)
    app_ms = _cpu_ms(app, _cpu_ticks(app_pids))
    database_ms = _cpu_ms(database, _cpu_ticks(_database_backends()))
    requests = max(result["requests"], 1)
    return {**result, "app_cpu_ms": app_ms / requests, "db_cpu_ms": database_ms / requests}


# --------------------------------------------------------------------------------------
# Static twins and the interleaved rounds
# --------------------------------------------------------------------------------------


def _twin_name(name: str) -> str:
    return name.replace(" ", "-") + (".json" if name == "map data" else ".html")


def _twins_write(server: Server, urls: dict[str, str]) -> None:
    """Each page's bytes as the uncached server sends them, into STATIC_ROOT/bench/."""
    folder = WORK / "static" / "bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, path in urls.items():
        _seconds, status, _headers, body = _request(server.port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        target = folder / _twin_name(name)
        target.write_bytes(body)
        if name == "map data":  # whitenoise sends the .gz to clients that accept gzip
            from stories.views import MAP_GZIP_LEVEL

            target.with_name(target.name + ".gz").write_bytes(
                gzip.compress(body, compresslevel=MAP_GZIP_LEVEL, mtime=0)
            )


def _targets(urls, uncached: Server, cached: Server) -> list[tuple[str, str, Server, str]]:
    targets = []
    for name, path in urls.items():
        twin = f"/static/bench/{_twin_name(name)}"
        targets += [
            (name, "uncached", uncached, path),
            (name, "cached", cached, path),
            (name, "twin", cached, twin),
        ]
    return targets


def _check(targets) -> dict[tuple[str, str], dict]:
    """Every target answers 200 (wrk counts a redirect as a success); what each sends."""
    seen = {}
    for name, variant, server, path in targets:
        headers = GZIP if name == "map data" else {}
        for _ in range(2):  # the second request of the cached server is a hit, if cacheable
            _seconds, status, response_headers, body = _request(server.port, path, headers)
        if status != 200:
            raise SystemExit(f"{variant} {path} answered {status}")
        seen[(name, variant)] = {
            "bytes": len(body),
            "encoding": response_headers.get("Content-Encoding", ""),
            "page_cache": response_headers.get("X-Page-Cache", ""),
        }
    return seen


def _rounds(wrk: str, targets) -> dict[tuple[str, str], list[dict]]:
    runs: dict[tuple[str, str], list[dict]] = {}
    for name, _variant, server, path in targets:  # warm every worker and cache
        _load(wrk, server, path, headers=GZIP if name == "map data" else None, seconds=1)
    for number in range(ROUNDS):
        shift = number % len(targets)  # a different order each round
        for name, variant, server, path in targets[shift:] + targets[:shift]:
            headers = GZIP if name == "map data" else None
            runs.setdefault((name, variant), []).append(_load(wrk, server, path, headers=headers))
    return runs


def _medians(runs: list[dict]) -> dict:
    keys = ("rps", "p50_ms", "p99_ms", "app_cpu_ms", "db_cpu_ms")
    summary = {key: statistics.median(run[key] for run in runs) for key in keys}
    summary["rps_min"] = min(run["rps"] for run in runs)
    summary["rps_max"] = max(run["rps"] for run in runs)
    summary["requests"] = sum(run["requests"] for run in runs)
    summary["non_2xx"] = sum(run["non_2xx"] for run in runs)
    return summary


# --------------------------------------------------------------------------------------
# First hit after publishing
# --------------------------------------------------------------------------------------


def _story_publish_new() -> tuple[str, float]:
    """A new story with a new image, through the real workflow; returns its path and the
    seconds the worker took on what publishing queued (its renditions)."""
    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    from cms.core.images import image_attest
    from cms.core.models import CustomImage
    from tests.factories import (
        StorytellerFactory,
        consent_give,
        image_block,
        staff_in,
        story_page,
        story_publish,
    )

    case_worker = staff_in("Case workers")
    reviewer = staff_in("Safeguarding reviewers")
    canvas = Image.new("RGB", (1200, 800), "#efe6d6")
    draw = ImageDraw.Draw(canvas)
    for offset in range(0, 1200, 30):  # a woven texture: no person, no place
        draw.line([(offset, 0), (offset + 300, 800)], fill="#7a5230", width=3)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    image = CustomImage(title="Woven cloth (bench)", file=ContentFile(buffer.getvalue(), "b.png"))
    image.save()
    image_attest(image=image, by=reviewer)
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker)
    page = story_page(
        _home_page(),
        storyteller,
        title="A loom of her own",
        slug=f"a-loom-of-her-own-{storyteller.pk}",
        body=[
            ("paragraph", "<p>She learned to weave in the shelter and wants to keep going.</p>"),
            image_block(image, alt_text="Woven cloth in warm colours"),
        ],
    )
    story_publish(page, case_worker=case_worker, reviewer=reviewer)
    page.refresh_from_db()
    if not page.live:
        raise SystemExit("the new story did not go live through the workflow")
    started = time.perf_counter()
    _manage("db_worker", "--batch", "--no-startup-delay")
    return page.url, time.perf_counter() - started


def _first_hits(wrk: str, urls: dict[str, str], *, cached: Server, uncached: Server) -> dict:
    """Publish a new story PUBLISHES times; after each, time the first request of the new
    story, the home page, the story index and the map data on the cached server. Against
    the warm median of WARM_REQUESTS sequential requests to the uncached server.

    Before the first requests, a second of wrk on a static twin wakes both gunicorn
    workers, as a site's visitors keep them: they sat idle while the worker process ran,
    and a worker's first request after a few idle seconds takes about twice as long even
    for an unchanged page (8 to 9.5 ms against 4.6 ms warm, measured here), which would
    be counted against publishing."""
    pages = {name: {"first_ms": [], "page_cache": []} for name in FIRST_HIT_PAGES}
    worker = []
    wake = f"http://127.0.0.1:{cached.port}/static/bench/{_twin_name('home')}"
    for _ in range(PUBLISHES):
        story, seconds = _story_publish_new()
        worker.append(seconds)
        _wrk(wrk, wake, seconds=1)
        paths = {**urls, "story page": story}
        for name, page in pages.items():
            headers = GZIP if name == "map data" else {}
            seconds, status, answer, _body = _request(cached.port, paths[name], headers)
            if status != 200:
                raise SystemExit(f"{paths[name]} answered {status} after publishing")
            page["first_ms"].append(seconds * 1000)
            page["page_cache"].append(answer.get("X-Page-Cache", "none"))
    for name, page in pages.items():
        headers = GZIP if name == "map data" else {}
        for _ in range(2):
            _request(uncached.port, paths[name], headers)
        warm = [_request(uncached.port, paths[name], headers)[0] for _ in range(WARM_REQUESTS)]
        page.update(
            path=paths[name],
            first_median_ms=statistics.median(page["first_ms"]),
            warm_p50_ms=statistics.median(warm) * 1000,
        )
        page["ratio"] = page["first_median_ms"] / page["warm_p50_ms"]
    return {"publishes": PUBLISHES, "worker_seconds": worker, "pages": pages}


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _versions(wrk: str) -> dict[str, str]:
    import django
    import gunicorn
    import wagtail
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    commit = _run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    wrk_version = _run([wrk, "--version"], capture_output=True, text=True).stdout
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version.split()[1] if wrk_version else "?",
        "postgresql": postgres,
        "commit": commit,
    }


def _machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    debian = Path("/etc/debian_version")
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "system": f"Debian {debian.read_text().strip()}" if debian.exists() else platform.system(),
        "kernel": platform.release(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _rounded(value):
    """The report with floats to 3 decimals, for JSON."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {str(key): _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


def _goals(report: dict) -> list[dict]:
    """Each goal of the issue, judged on the larger data set."""
    large = str(SIZES[-1])
    load = report["throughput"][large]["pages"]
    counts = report["queries"][large]
    goals = []
    for name, threshold in GOAL_UNCACHED.items():
        row = load[name]["uncached"]
        goals.append(
            {
                "goal": f"{name} uncached ≥ {threshold} of its static twin",
                "value": f"{row['ratio']:.4f} (by CPU: {1 / row['cpu_ratio']:.4f})",
                "met": row["ratio"] >= threshold,
            }
        )
    for name in CACHED_PAGES:
        row, hit = load[name]["cached"], counts[name]["hit"]
        goals.append(
            {
                "goal": f"{name} from the cache ≥ {GOAL_CACHED} of its twin, 0 queries",
                "value": f"{row['ratio']:.2f} (by CPU: {1 / row['cpu_ratio']:.2f}), "
                + ("not cached" if hit is None else f"{hit} queries"),
                "met": row["ratio"] >= GOAL_CACHED and hit == 0,
            }
        )
    small = report["queries"][str(SIZES[0])]
    differ = {
        name: (small[name]["warm"], counts[name]["warm"])
        for name in counts
        if small[name]["warm"] != counts[name]["warm"]
    }
    over = {name: count["warm"] for name, count in counts.items()}
    over = {name: count for name, count in over.items() if count > GOAL_WARM_QUERIES}
    build = report["map_build"]
    goals += [
        {
            "goal": f"same queries at {SIZES[0]:,} and {SIZES[-1]:,} stories, every page",
            "value": f"differ: {differ}" if differ else "same",
            "met": not differ,
        },
        {
            "goal": f"≤ {GOAL_WARM_QUERIES} queries warm, every page",
            "value": f"over: {over}" if over else "all within",
            "met": not over,
        },
        {
            "goal": f"map data for {SIZES[-1]:,} stories ≤ {GOAL_MAP_GZIP_BYTES // 1000} KB gzip",
            "value": f"{build['gzip_bytes'] / 1000:.1f} KB",
            "met": build["gzip_bytes"] <= GOAL_MAP_GZIP_BYTES,
        },
        {
            "goal": f"map data built in ≤ {GOAL_MAP_QUERIES} queries",
            "value": build["queries"],
            "met": build["queries"] <= GOAL_MAP_QUERIES,
        },
        {
            "goal": f"map data built in ≤ {GOAL_MAP_CPU_MS:.0f} ms of Python CPU",
            "value": f"{build['build_cpu_ms']:.1f} ms",
            "met": build["build_cpu_ms"] <= GOAL_MAP_CPU_MS,
        },
    ]
    for name, hit in report["first_hit"]["pages"].items():
        goals.append(
            {
                "goal": f"first hit after publishing ≤ {GOAL_FIRST_HIT:g} × warm p50, {name}",
                "value": f"{hit['ratio']:.2f}",
                "met": hit["ratio"] <= GOAL_FIRST_HIT,
            }
        )
    return goals


def _print_throughput(size: str, measured: dict) -> None:
    header = (
        f"{'page':<12} {'served':<9} {'bytes':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'app CPU':>8} {'PG CPU':>7} {'÷ twin':>7} {'CPU×':>6}  goal"
    )
    print(
        f"\n{int(size):,} stories (load average before: {measured['load_average_before']})"
        f"\n{header}\n{'-' * len(header)}"
    )
    for name, variants in measured["pages"].items():
        for variant in ("uncached", "cached", "twin"):
            row = variants[variant]
            goal = ""
            if variant == "uncached" and name in GOAL_UNCACHED:
                met = row["ratio"] >= GOAL_UNCACHED[name]
                goal = f"≥ {GOAL_UNCACHED[name]} {_verdict(met)}"
            if variant == "cached" and name in CACHED_PAGES:
                goal = f"≥ {GOAL_CACHED} {_verdict(row['ratio'] >= GOAL_CACHED)}"
            if row.get("note"):
                goal += f" ({row['note']})"
            print(
                f"{name if variant == 'uncached' else '':<12} {variant:<9} {row['bytes']:>9,} "
                f"{row['rps']:>8.1f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
                f"{row['app_cpu_ms']:>8.2f} {row['db_cpu_ms']:>7.2f} {row['ratio']:>7.3f} "
                f"{row['cpu_ratio']:>6.1f}  {goal}"
            )


def _print_report(report: dict) -> None:
    machine, versions = report["machine"], report["versions"]
    print(
        f"\nPublic pages, {report['date']}: {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['system']}, load average at the end {machine['load_average']}"
    )
    print("  " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    print(
        f"  settings.production (DEBUG off), gunicorn 2 sync workers; "
        f"wrk -t1 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s per run, {ROUNDS} rounds interleaved, "
        "medians. uncached: page and map caches off;\n  cached: page cache (Redis) on; twin: "
        "the same bytes as a static file (whitenoise, same gunicorn). bytes as sent (the map "
        "gzipped);\n  CPU in ms per request (gunicorn processes; this database's PostgreSQL "
        "backends); ÷ twin: req/s over the twin's; CPU×: (app + PG CPU) over the twin's."
    )
    for size, measured in report["throughput"].items():
        _print_throughput(size, measured)

    small, large = (report["queries"][str(size)] for size in SIZES)
    print(
        f"\n{'SQL queries (anonymous, in-process)':<36} {f'{SIZES[0]:,} warm':>10} "
        f"{f'{SIZES[-1]:,} warm':>12} {'cache hit':>10}"
    )
    for name in large:
        hit = large[name]["hit"]
        print(
            f"{name:<36} {small[name]['warm']:>10} {large[name]['warm']:>12} "
            f"{'not cached' if hit is None else hit:>10}"
        )
    print(
        f"{'map data, cold build':<36} {small['map data']['build']:>10} "
        f"{large['map data']['build']:>12}"
    )

    build = report["map_build"]
    print(
        f"\nmap data, {build['stories']:,} stories in {build['places']} places: "
        f"{build['bytes'] / 1000:.0f} KB, {build['gzip_bytes'] / 1000:.1f} KB gzip; "
        f"{build['queries']} queries; Python CPU {build['build_cpu_ms']:.1f} ms "
        f"(selector {build['selector_cpu_ms']:.1f} + json and gzip "
        f"{build['json_gzip_cpu_ms']:.1f}), median of {MAP_BUILDS} builds"
    )

    first = report["first_hit"]
    worker = ", ".join(f"{seconds:.1f}" for seconds in first["worker_seconds"])
    print(
        f"\nfirst request after publishing a new story with a new image ({first['publishes']} "
        f"times; the worker prepared its renditions in {worker} s), cached server,\n"
        f"median, against the warm p50 of {WARM_REQUESTS} sequential requests to the "
        "uncached server:"
    )
    for name, hit in first["pages"].items():
        firsts = ", ".join(f"{ms:.0f}" for ms in hit["first_ms"])
        print(
            f"  {name:<12} {hit['first_median_ms']:>7.1f} ms ({firsts}; "
            f"page cache {'/'.join(sorted(set(hit['page_cache'])))}) vs "
            f"{hit['warm_p50_ms']:>6.1f} ms = {hit['ratio']:.2f} ×"
        )

    print(f"\ngoals (issue #10) at {SIZES[-1]:,} stories; reported, not asserted:")
    for goal in report["goals"]:
        print(f"  {_verdict(goal['met']):<7} {goal['goal']}: {goal['value']}")
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in report["seconds"].items())
    print(f"\ntimes: {steps}")
    print(f"written to {REPORT.relative_to(ROOT)}")


def _throughput(runs, seen, urls) -> dict:
    table = {}
    for name in urls:
        twin = _medians(runs[(name, "twin")])
        twin_cpu = twin["app_cpu_ms"] + twin["db_cpu_ms"]
        table[name] = {}
        for variant in ("uncached", "cached", "twin"):
            row = _medians(runs[(name, variant)])
            row["bytes"] = seen[(name, variant)]["bytes"]
            row["ratio"] = row["rps"] / twin["rps"]
            row["cpu_ratio"] = (row["app_cpu_ms"] + row["db_cpu_ms"]) / twin_cpu
            notes = []
            if variant == "cached" and name != "map data":
                cache = seen[(name, variant)]["page_cache"]
                if cache != "hit":
                    notes.append("not from the page cache: X-Page-Cache " + (cache or "absent"))
            if row["non_2xx"]:
                notes.append(f"{row['non_2xx']} answers not 2xx/3xx")
            twin_bytes = seen[(name, "twin")]["bytes"]
            if abs(row["bytes"] - twin_bytes) > twin_bytes // 100:
                notes.append(f"differs from its twin ({twin_bytes:,} bytes)")
            row["note"] = "; ".join(notes)
            table[name][variant] = row
    return table


# --------------------------------------------------------------------------------------


def _serve(urls: dict[str, str], *, prefix: str) -> tuple[Server, Server]:
    """Both servers, started after each page's static twin is written."""
    # The uncached server keeps its small caches apart: in the shared ones it would find
    # the map data the cached server stored.
    uncached = Server(
        "uncached",
        PAGE_CACHE_SECONDS="0",
        MAP_DATA_CACHE_SECONDS="0",
        CACHE_KEY_PREFIX=f"{prefix}-uncached",
    )
    cached = Server("cached")
    uncached.start()
    try:
        _twins_write(uncached, urls)
    finally:
        uncached.stop()  # whitenoise reads STATIC_ROOT once, at start
    return uncached.start(), cached.start()


def _throughput_at(wrk: str, urls: dict[str, str], uncached: Server, cached: Server) -> dict:
    targets = _targets(urls, uncached, cached)
    seen = _check(targets)
    load = [round(value, 2) for value in os.getloadavg()]
    runs = _rounds(wrk, targets)
    return {"load_average_before": load, "pages": _throughput(runs, seen, urls)}


def main() -> None:
    started = time.perf_counter()
    wrk = _wrk_ensure()
    prefix = f"igivehope-bench-pages-{secrets.token_hex(4)}"
    os.environ.update(_environment(cache_prefix=prefix))
    _redis_ensure()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    _database_recreate()
    servers: list[Server] = []
    try:
        import django

        django.setup()
        from django.db import connection

        from tests.factories import staff_in

        report: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
        seconds = _site_build()
        print("site built: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
        case_worker = staff_in("Case workers")
        urls = _urls()
        every_url = {**urls, **_extra_urls(urls)}
        report.update(queries={}, throughput={})
        for size in SIZES:
            seconds[f"{size:,} stories"] = _stories_grow_to(size, by=case_worker)
            report["queries"][str(size)] = _query_counts(every_url)
            if size == SIZES[-1]:
                report["map_build"] = _map_build()
            step = time.perf_counter()
            uncached, cached = _serve(urls, prefix=prefix)
            servers = [uncached, cached]
            report["throughput"][str(size)] = _throughput_at(wrk, urls, uncached, cached)
            seconds[f"wrk at {size:,}"] = time.perf_counter() - step
            print(f"{_stories_live():,} live stories: queries counted, pages measured")
            if size != SIZES[-1]:
                for server in servers:
                    server.stop()
        report["stories"] = _stories_live()

        step = time.perf_counter()
        report["first_hit"] = _first_hits(wrk, urls, cached=cached, uncached=uncached)
        seconds["publishing"] = time.perf_counter() - step
        report["versions"] = _versions(wrk)
        report["machine"] = _machine()
        report["settings"] = {
            "module": "settings.production",
            "debug": False,
            "workers": 2,
            "uncached": uncached.settings,
            "cached": "Redis; PAGE_CACHE_SECONDS=300, MAP_DATA_CACHE_SECONDS=600",
            "wrk": f"-t1 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency",
            "rounds": ROUNDS,
        }
        report["goals"] = _goals(report)
        seconds["total"] = time.perf_counter() - started
        report["seconds"] = seconds
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(_rounded(report), indent=2, ensure_ascii=False) + "\n")
        _print_report(report)
        connection.close()
        shutil.rmtree(WORK, ignore_errors=True)  # kept after a failure: the gunicorn logs
    finally:
        for server in servers:
            server.stop()
        _database_recreate(drop_only=True)
        _redis_forget(prefix)


if __name__ == "__main__":
    main()
