import pytest

from home.demo import home_page_ensure


@pytest.fixture
def home_page(db):
    """The demo home page as the default site's root, as `make run` leaves it."""
    page, _ = home_page_ensure()
    return page
