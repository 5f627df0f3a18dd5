"""HSTS on every request that arrived over HTTPS, directly or through a trusted proxy."""

import pytest
from flask import request


def test_hsts_over_https_only(client):
    secure = client.get("/", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.fixture
def one_proxy(app):
    app.config["PROXY_COUNT"] = 1
    yield app
    app.config["PROXY_COUNT"] = 0


def test_behind_a_proxy_x_forwarded_proto_counts(one_proxy, client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/").headers


def _client_address(app, client, headers):
    seen = {}

    def remember():
        seen["addr"] = request.remote_addr

    app.before_request_funcs.setdefault(None, []).append(remember)
    try:
        client.get("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    finally:
        app.before_request_funcs[None].remove(remember)
    return seen["addr"]


def test_the_client_address_comes_from_the_trusted_hop_only(one_proxy, client):
    # The client forged the first hop; our one proxy appended the address it saw.
    forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert _client_address(one_proxy, client, forwarded) == "203.0.113.7"


def test_without_proxies_forwarded_headers_are_not_trusted(app, client):
    assert _client_address(app, client, {"X-Forwarded-For": "203.0.113.7"}) == "10.0.0.2"
