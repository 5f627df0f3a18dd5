"""Headers, cookies, no leaks, no outside assets."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_loads_anything_from_outside():
    outside = re.compile(r"<(script|link|img|iframe)[^>]*(src|href)=[\"']?(https?:)?//", re.I)
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if outside.search(line) and "js.stripe.com" not in line:
                offenders.append(f"{path.name}: {line.strip()}")
    assert not offenders


def test_pages_reference_only_local_assets(client):
    page = client.get("/").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_a_crash_leaks_nothing(client):
    api = client.get("/api/v1/_boom")
    assert api.status_code == 500
    assert api.get_json() == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side.", "fields": {}}
    }
    page = client.get("/_boom")
    assert page.status_code == 500
    assert "secret internals" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "<h1>404</h1>" in response.get_data(as_text=True)


def test_nul_characters_are_refused_before_any_query(client, api):
    api.as_role("admin")
    response = api.get("/api/v1/users?q=a%00b")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert api.post("/api/v1/auth/token", json={"email": "a\x00@b.c", "password": "x"}).status_code == 400
    assert client.post_form("/login", {"email": "a\x00b", "password": "x"}).status_code == 400
