import pytest

from home.demo import home_page_ensure


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migration-made rows (root page, site, groups,
    workflows, locales) before it runs.

    A transactional test ends by flushing every table, so without this the next one would
    start with no site at all. ``serialized_rollback`` reloads the state serialised when the
    test database was created.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        uses_live_server = {"live_server", "transactional_db"} & set(
            getattr(item, "fixturenames", ())
        )
        if (kwargs.get("transaction") or uses_live_server) and not kwargs.get(
            "serialized_rollback"
        ):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture
def home_page(db):
    """The demo home page as the default site's root, as `make run` leaves it."""
    page, _ = home_page_ensure()
    return page


@pytest.fixture
def people(db):
    """One member of each role a story passes through (``tests.factories.story_publish``,
    ``story_in_two_languages``). Modules that need other roles define their own."""
    from tests.factories import staff_in

    return {
        "author": staff_in("Editors"),
        "translator": staff_in("Translators"),
        "case_worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
    }


@pytest.fixture
def visitor(db):
    """An anonymous visitor of the deployed WSGI application (``cms.wsgi``), through WebTest:
    unlike Django's test client, it reaches ``PageCacheApplication``, which answers page-cache
    hits in front of Django."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from webtest import TestApp

    from cms.wsgi import application

    # As Django's test client does: the test's database connection stays open between
    # requests (it holds the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield TestApp(application, extra_environ={"HTTP_HOST": "testserver"})
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache. The database rolls back between tests but the
    local-memory cache does not, and the rollback also drops the on-commit hooks that would
    have bumped the public-content version: a cached menu or map of an earlier test's pages
    would otherwise be served."""
    from django.core.cache import cache

    cache.clear()
