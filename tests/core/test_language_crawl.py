"""Every page in the reader's language: logged in as every role (and logged out), every page
reachable from the home page is read in Chinese and in Russian; its visible text may hold no
snake_case code and no English word of the interface (the words of the catalogues' English
messages). Brand names, units, codes (HS, GS1, document numbers), e-mail addresses and user
content tagged with its own language (``lang="en"``) are allowed."""

import glob
import re
import time

import pytest
from babel.messages.pofile import read_po

from accounts.seed import DEMO_PASSWORD
from config import BASE_DIR
from core.extensions import db
from tests.crawl import crawl, visible_text

ROLES = {
    "anonymous": None,
    "buyer": "buyer@agrobridge.demo",
    "farmer": "farmer@agrobridge.demo",
    "operator": "operator@agrobridge.demo",
    "admin": "admin@agrobridge.demo",
}

#: Words of the English messages a zh or ru page may still show, and why.
ALLOWED_WORDS = {
    # Names: the platform, standards, authorities and systems, written so in every language.
    "agrobridge",
    "gacc",
    "epcis",
    "gs1",
    "sscc",
    "gln",
    "gtin",
    "uscc",
    "tn",
    "ved",
    "hs",
    "cbr",
    "sdiz",
    "fgis",
    "vetis",
    "mercury",
    "api",
    "json",
    "jsonld",
    "ld",
    "pdf",
    "csv",
    "xlsx",
    "url",
    "https",
    "http",
    "hmac",
    "sha256",
    "iban",
    "swift",
    "bic",
    "stripe",
    "alipay",
    "wechat",
    "pay",
    "cmr",
    "smgs",
    "eac",
    "iso",
    "ean",
    "id",
    "ok",
    # Incoterms 2020 and currencies, which contracts write in Latin letters in any language.
    "exw",
    "fca",
    "cpt",
    "cip",
    "dap",
    "dpu",
    "ddp",
    "fas",
    "fob",
    "cfr",
    "cif",
    "cny",
    "rub",
    "usd",
    "eur",
    # Units written the international way (°C, kg in product codes).
    "utc",
    "gmt",
}

#: Names written in Latin letters in Chinese and Russian too, matched as written, and why.
ALLOWED_EXACT = {
    "GOST",
    "HACCP",  # standards: ГОСТ 33980 is cited as GOST on export certificates
    "JPEG",
    "PNG",
    "GIF",
    "WebP",  # file formats
    "BIK",
    "CRUS",
    "INN",
    "KPP",
    "OGRN",
    "OGRNIP",  # Russian bank and registry ids as printed
    "PET",  # the plastic, as bottles are labelled
    "POST",
    "Unix",
    "hex",
    "Webhook",  # the webhook's technical description for developers
    "Incoterm",
    "Incoterms",  # the ICC's term, given in brackets beside its translation
}

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
LATIN_WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z'’]{2,}(?![\w@/-]|\.\w)")
EMAIL = re.compile(r"\S+@\S+")
URLISH = re.compile(r"(https?://|/)\S+")


def _english_words() -> set[str]:
    words = set()
    for path in glob.glob(
        str(BASE_DIR / "**" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"), recursive=True
    ):
        if ".venv" in path:
            continue
        with open(path, "rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for text in ids:
                text = re.sub(r"%\(\w+\)[sdf]|%[sd]|\{\w+\}", " ", text or "")
                words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))
    return words - ALLOWED_WORDS


def _offences(text: str, english: set[str]) -> list[str]:
    text = EMAIL.sub(" ", text)
    text = URLISH.sub(" ", text)
    found = [f"code {m}" for m in SNAKE.findall(text)]
    found += [
        f"word {w}"
        for w in LATIN_WORD.findall(text)
        if w not in ALLOWED_EXACT and w.lower().strip("'’") in english
    ]
    return found


def _login(client, email):
    response = client.post_form("/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.commit()


def _priced_pages() -> list[str]:
    """Pages a link reaches only with a quantity typed in: a product page and the landed-cost
    calculator with a quantity (goods line, packaging, plural units), one product per unit."""
    from sqlalchemy import select

    from catalog.models import Product

    urls = []
    for unit in ("tonne", "bag", "litre"):
        product = db.session.scalars(
            select(Product).where(Product.listed, Product.unit == unit).order_by(Product.id)
        ).first()
        if product is None or product.moq is None:
            continue
        quantity = format(product.moq.normalize() * 2, "f")
        urls.append(f"/catalog/products/{product.id}?quantity={quantity}")
        urls.append(f"/landed-cost?product_id={product.id}&quantity={quantity}")
    assert len(urls) >= 4, urls
    return urls


def test_every_page_speaks_chinese_and_russian(app, client, demo):
    english = _english_words()
    assert {"order", "shipment", "save"} <= english
    problems: dict[tuple[str, str], set[str]] = {}
    always = _priced_pages()
    started = time.process_time()
    pages_read = 0
    for language in ("zh", "ru"):
        for role, email in ROLES.items():
            client.raw.delete_cookie("session")
            client.raw.set_cookie("lang", language)
            if email:
                _login(client, email)
                from accounts.services import find_by_email, set_language

                set_language(find_by_email(email), language)
            for page in crawl(client, per_endpoint=1, limit=120, always=always):
                if page.status >= 500:
                    problems.setdefault((page.endpoint, page.url), set()).add(f"{page.status}")
                    continue
                pages_read += 1
                for text, tagged in visible_text(page.soup):
                    if tagged and not tagged.startswith(language):
                        continue  # user content in its own language, tagged as such
                    for offence in _offences(text, english):
                        problems.setdefault((page.endpoint, f"{language} {role}"), set()).add(
                            f"{offence} in «{text[:80]}»"
                        )
    elapsed = time.process_time() - started  # CPU seconds: the same on a loaded machine
    report = "\n".join(
        f"{endpoint} [{who}]: " + "; ".join(sorted(found)[:6])
        for (endpoint, who), found in sorted(problems.items())
    )
    assert not problems, f"{len(problems)} pages with English or codes ({pages_read} read):\n{report}"
    assert pages_read > 60
    assert elapsed < 60, f"{pages_read} pages took {elapsed:.0f} s of CPU"
