"""A bounded crawl of the site as one user: every page reachable by links from the home page
and the navigation, at most a few URLs per endpoint, with the forms each page holds."""

from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from bs4 import BeautifulSoup
from flask import current_app
from werkzeug.exceptions import HTTPException

#: Endpoints a crawl never follows: they log out, switch language, download files or feeds
#: (not pages), or lead off to the API and its docs.
SKIP_PREFIXES = ("/api/", "/static/", "/webhooks/", "/logout", "/language", "/uploads/", "/_")
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx", ".json", ".png", ".jpg", ".svg", ".ics", ".zip")


@dataclass
class Page:
    url: str
    endpoint: str
    status: int
    html: str
    soup: BeautifulSoup = field(repr=False)


@dataclass
class PageForm:
    page: str
    action: str
    endpoint: str
    enctype: str
    #: name → (kind, [options]) for every field a person fills in (not hidden, not buttons).
    fields: dict
    #: name → value of the hidden inputs (the CSRF token, ids).
    hidden: dict


def endpoint_of(url: str) -> tuple[str | None, str]:
    """The endpoint and the method-independent rule a same-site URL is served by."""
    adapter = current_app.url_map.bind("localhost")
    path = urlsplit(url).path
    for method in ("GET", "POST"):
        try:
            endpoint, _args = adapter.match(path, method=method)
            return endpoint, method
        except HTTPException:
            continue
        except Exception:  # noqa: BLE001 - a redirect (RequestRedirect) or an odd URL: skip it
            return None, ""
    return None, ""


def _followable(href: str | None) -> str | None:
    if not href:
        return None
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not href.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return href


def crawl(client, starts=("/",), per_endpoint: int = 2, limit: int = 400, always=()) -> list[Page]:
    """GET every page reachable from ``starts`` (``per_endpoint`` URLs of each endpoint, and of
    each endpoint's query variants only the first), and every URL of ``always``."""
    queue = deque(list(always) + list(starts))
    forced = set(always)
    seen_urls: set[str] = set()
    per: dict[str, int] = {}
    pages: list[Page] = []
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        endpoint, method = endpoint_of(url)
        if endpoint is None or method != "GET":
            continue
        key = endpoint + ("?" if "?" in url else "")
        if url not in forced and per.get(key, 0) >= (1 if "?" in url else per_endpoint):
            continue
        per[key] = per.get(key, 0) + 1
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "")
        if response.status_code in (301, 302, 303):
            target = _followable(response.headers.get("Location", "").replace("http://localhost", ""))
            if target:
                queue.append(target)
            continue
        html = response.get_data(as_text=True) if content_type.startswith("text/html") else ""
        soup = BeautifulSoup(html, "html.parser")
        pages.append(Page(url, endpoint, response.status_code, html, soup))
        if not html:
            continue
        for anchor in soup.find_all("a", href=True):
            target = _followable(anchor["href"])
            if target and target not in seen_urls:
                queue.append(target)
    return pages


def page_forms(page: Page) -> list[PageForm]:
    """The POST forms of a page with the fields a person fills in."""
    forms = []
    for form in page.soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = form.get("action") or page.url
        endpoint, _method = endpoint_of(action)
        if endpoint is None or action.startswith(SKIP_PREFIXES):
            continue
        fields, hidden = {}, {}
        for element in form.find_all(["input", "select", "textarea", "button"]):
            name = element.get("name")
            if not name:
                continue
            kind = (
                element.name
                if element.name not in ("input", "button")
                else (element.get("type") or "text").lower()
            )
            if element.name == "button" and kind == "text":
                kind = "submit"
            if kind in ("submit", "button", "image", "reset"):
                hidden.setdefault(name, element.get("value", ""))  # the button a person presses
                continue
            if kind == "hidden":
                hidden[name] = element.get("value", "")
                continue
            options = [o.get("value", o.text) for o in element.find_all("option")] if kind == "select" else []
            fields.setdefault(name, (kind, options))
        forms.append(PageForm(page.url, action, endpoint, form.get("enctype") or "", fields, hidden))
    return forms


def visible_text(soup: BeautifulSoup) -> list[tuple[str, str | None]]:
    """The text a reader sees, each piece with the language it is tagged in (the nearest
    ``lang`` attribute): no scripts, styles, or hidden elements."""
    body = soup.body or soup
    pieces = []
    for text in body.find_all(string=True):
        parent = text.parent
        if parent is None or parent.name in (
            "script",
            "style",
            "noscript",
            "template",
            "code",
            "kbd",
            "samp",
        ):
            continue
        if any(p.has_attr("hidden") or p.get("aria-hidden") == "true" for p in text.parents if p.name):
            continue
        value = text.strip()
        if not value:
            continue
        pieces.append((value, _tagged(text)))
    for attribute in ("placeholder", "title", "aria-label", "alt"):
        for element in body.find_all(attrs={attribute: True}):
            pieces.append((element[attribute], element.get("lang") or _tagged(element)))
    return pieces


def _tagged(node) -> str | None:
    """The language a node is tagged in by its nearest ``lang`` (the page's own is not a tag)."""
    return next((p.get("lang") for p in node.parents if p.name and p.name != "html" and p.get("lang")), None)
