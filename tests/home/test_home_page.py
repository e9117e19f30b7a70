from home.demo import MISSION_HEADING


def test_home_page_renders_for_an_anonymous_visitor(client, home_page):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="mission-heading" class="hero__heading">{MISSION_HEADING}</h1>' in html
    assert '<html lang="en"' in html
    assert 'href="#main"' in html  # skip link to the main landmark
    assert '<main id="main"' in html


def test_unknown_url_gets_the_custom_404_page(client, home_page):
    response = client.get("/no-such-story/")

    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_admin_login_page_is_served(client, home_page):
    response = client.get("/admin/login/")
    assert response.status_code == 200
