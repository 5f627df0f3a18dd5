"""Interface language: the user's profile, else the switcher's cookie, else Accept-Language."""

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from flask_babel import format_currency, format_date, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

LANGUAGE_COOKIE = "lang"
#: Native names shown by the switcher.
LANGUAGE_NAMES = {"zh": "中文", "ru": "Русский", "en": "English"}
#: BCP 47 tags for <html lang>.
HTML_LANG = {"zh": "zh-Hans", "ru": "ru", "en": "en"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if request:
        cookie = request.cookies.get(LANGUAGE_COOKIE)
        if cookie in languages:
            return cookie
        match = request.accept_languages.best_match(languages)
        if match:
            return match
        # "zh-CN", "zh-TW", "ru-RU" match on their primary tag.
        for lang, _quality in request.accept_languages:
            primary = lang.split("-")[0].split("_")[0].lower()
            if primary in languages:
                return primary
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "en").split("_")[0]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths may be redirected to.

    Control characters (CR/LF would split the Location header) and backslashes (browsers read
    ``/\\evil.example`` as ``//evil.example``) are refused as well.
    """
    if not target or any(ord(c) < 0x20 or c in "\x7f\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def plain_decimal(value) -> str:
    """A quantity as people read it: ``500.000`` → ``500``, ``1250.500`` → ``1,250.5`` (by locale)."""
    return format_decimal(Decimal(str(value)).normalize(), format="#,##0.###")


def input_decimal(value) -> str:
    """A quantity for a form field in the page's language, as the page reads it back: no
    grouping, no trailing zeros (``500``, ``12.5``; ``12,5`` in Russian)."""
    from core.numbers import input_number

    return input_number(value)


def pick_translation(values: dict | None, lang: str | None = None) -> tuple[str, str | None]:
    """The text in ``lang``; else the first available, with the language it is in.

    Returns ``(text, fallback_lang)``; ``fallback_lang`` is None when the text is in ``lang``.
    """
    values = values or {}
    lang = lang or current_language()
    if values.get(lang):
        return values[lang], None
    for other in ("zh", "ru", "en"):
        if values.get(other):
            return values[other], other
    return "", None


_CJK = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
#: The small tag beside text kept in its original language, in the reader's language.
LANGUAGE_TAGS = {"zh": _l("Chinese"), "ru": _l("Russian"), "en": _l("English")}


def text_language(text: str | None, default: str | None = None) -> str | None:
    """The language a free text is written in, as far as its script tells: Chinese characters,
    Cyrillic, else Latin words read as English; ``default`` (None) for codes and numbers."""
    text = text or ""
    if _CJK.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    if _LATIN.search(text):
        return "en"
    return default


def is_multilingual(text: str | None) -> bool:
    """Text written in two languages at once (bilingual contract terms "… / …")."""
    text = text or ""
    return sum(bool(p.search(text)) for p in (_CJK, _CYRILLIC, _LATIN)) > 1


def note_language(text: str | None) -> str | None:
    """The language code to keep beside a free text: zh, ru or en, ``mul`` when bilingual,
    None for empty text or codes and numbers only."""
    if is_multilingual(text):
        return "mul"
    return text_language(text)


def html_lang(text: str | None) -> str | None:
    """The ``lang`` attribute for free text: ``mul`` when it is bilingual."""
    if is_multilingual(text):
        return "mul"
    lang = text_language(text)
    return HTML_LANG[lang] if lang else None


def original(text, lang: str | None = None, tag: bool = True) -> Markup:
    """Free text (a company, an issuer, a note) as written: when it is not in the reader's
    language it carries its ``lang`` and a small tag naming that language; bilingual text is
    marked ``mul``, untagged (the reader finds their own half)."""
    if text is None or text == "":
        return Markup("")
    if lang == "mul" or (lang is None and is_multilingual(str(text))):
        return Markup('<span lang="mul">{}</span>').format(text)
    lang = lang or text_language(str(text))
    if lang is None or lang == current_language():
        return Markup("{}").format(text)
    label = Markup(' <small class="lang-tag">{}</small>').format(LANGUAGE_TAGS[lang]) if tag else Markup("")
    return Markup('<span lang="{}">{}</span>').format(HTML_LANG[lang], text) + label


def money(amount, currency: str = "CNY") -> str:
    """``¥7,800.00``, ``7 800,00 CN¥``: an amount (a Decimal or a decimal string) by locale."""
    return format_currency(Decimal(str(amount)), currency)


def local_date(value, format: str = "medium") -> str:
    """A date by locale; an ISO date string (as the API's JSON carries dates) is read first."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format)


def init_i18n(app):
    from core.extensions import babel
    from core.timezones import format_when, select_timezone, zone_label

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        HTML_LANG=HTML_LANG,
        current_language=current_language,
        pick_translation=pick_translation,
        text_language=text_language,
        original=original,
        html_lang=html_lang,
    )
    app.jinja_env.filters.update(
        date=local_date,
        # Every time on a page, e-mail or PDF names its zone (the reader's, or ``zone=``).
        datetime=format_when,
        when=format_when,
        zone_label=zone_label,
        decimal=format_decimal,
        money=money,
        plain_decimal=plain_decimal,
        original=original,
        # For form values: no grouping, no trailing zeros ("500", "12.5").
        input_decimal=input_decimal,
    )
