"""The OpenAPI document and its human docs page."""

import re

from openapi_spec_validator import validate


def test_openapi_spec_is_valid_and_documents_the_base(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/users"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    error = spec["components"]["schemas"]["Error"]
    assert "error" in error["properties"]


def test_docs_page_serves_local_assets(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
