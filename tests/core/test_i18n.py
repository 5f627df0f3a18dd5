"""Three languages: how one is chosen, and that zh and ru catalogues are complete."""

from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from core.translations import LOCALES
from tests import factories
from tools.messages import DOMAINS, extract, po_path

HOME_TITLE = {
    "zh": "南乌拉尔的有机食品",
    "ru": "Органические продукты Южного Урала",
    "en": "Organic food from the South Urals",
}


@pytest.mark.parametrize(
    "header, lang", [("zh-CN,zh;q=0.9", "zh"), ("ru-RU,ru;q=0.8", "ru"), ("en-US", "en"), ("de-DE", "en")]
)
def test_accept_language_picks_the_interface(client, header, lang):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert HOME_TITLE[lang] in page
    assert f'<html lang="{ {"zh": "zh-Hans"}.get(lang, lang) }">' in page


def test_switcher_cookie_beats_accept_language(client):
    response = client.post_form("/language", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert HOME_TITLE["ru"] in page


def test_switcher_refuses_foreign_redirects(client):
    response = client.post_form("/language", {"language": "zh", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_profile_language_beats_cookie_and_switcher_updates_it(client):
    user = factories.UserFactory(language="zh")
    client.login(user)
    client.raw.set_cookie("lang", "ru")
    assert HOME_TITLE["zh"] in client.get("/").get_data(as_text=True)
    client.post_form("/language", {"language": "en", "next": "/"})
    assert user.language == "en"
    assert HOME_TITLE["en"] in client.get("/").get_data(as_text=True)


def test_every_page_has_the_switcher(client):
    for url in ("/", "/login", "/register"):
        page = client.get(url).get_data(as_text=True)
        assert 'value="zh"' in page and 'value="ru"' in page and 'value="en"' in page


def test_api_errors_follow_the_callers_language(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "需要登录认证。"
    response = client.get("/api/v1/me", headers={"Accept-Language": "ru"})
    assert response.get_json()["error"]["message"] == "Требуется аутентификация."


def test_money_and_dates_are_formatted_by_locale(app):
    from datetime import date

    from flask_babel import format_currency, format_date

    with app.test_request_context("/"):
        with force_locale("ru"):
            assert format_currency(Decimal("12345.5"), "CNY").replace("\xa0", " ") in (
                "12 345,50 CN¥",
                "12 345,50 ¥",
            )
            assert format_date(date(2026, 11, 27), "long").replace("\u202f", " ") == "27 ноября 2026 г."
        with force_locale("zh"):
            assert format_date(date(2026, 11, 27), "long") == "2026年11月27日"


@pytest.mark.parametrize("domain", list(DOMAINS))
@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(domain, locale):
    """Every message in the code and templates has a zh and a ru translation."""
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in extract(domain) if m.id}
    if not wanted:
        pytest.skip(f"{domain} has no messages yet")
    path = po_path(domain, locale)
    assert path.exists(), f"{path} is missing: run `make update-messages` and translate"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} messages lack a {locale} translation in {path}: {missing[:10]}"
