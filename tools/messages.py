"""Extract, update and compile every module's message catalogue.

python -m tools.messages update [DIR]  # after changing strings; DIR: one catalogue, e.g.
                                       # catalog/translations
python -m tools.messages compile   # build the .mo files (make does this)
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app import MODULES
from config import BASE_DIR
from core.translations import KEYWORDS, LOCALES, domains, source_files

DOMAINS = domains(MODULES)

METHODS = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}
STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)
OPTIONS = {"jinja2": {"extensions": "jinja2.ext.do", "trimmed": "false"}, "python": {}}


def extract(domain: str) -> Catalog:
    # A fixed creation date keeps the catalogues' headers stable from one update to the next.
    catalog = Catalog(project="AgroBridge", charset="utf-8", creation_date=STABLE_DATE)
    for path in source_files(domain, MODULES):
        method = METHODS[path.suffix]
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=OPTIONS[method]
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(BASE_DIR)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(domain: str, locale: str) -> Path:
    return BASE_DIR / domain / locale / "LC_MESSAGES" / "messages.po"


def update(only: str | None = None) -> None:
    for domain in DOMAINS:
        if only and domain.rstrip("/") != only.rstrip("/"):
            continue
        template = extract(domain)
        for locale in LOCALES:
            path = po_path(domain, locale)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
            else:
                catalog = Catalog(locale=locale, project="AgroBridge", charset="utf-8")
            if not len(template) and not path.exists():
                continue
            catalog.update(template, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                # Sorted and without source locations: concurrent changes merge without conflicts.
                write_po(
                    fh,
                    catalog,
                    width=100,
                    omit_header=False,
                    ignore_obsolete=True,
                    no_location=True,
                    sort_output=True,
                )
            missing = [m.id for m in catalog if m.id and not m.string]
            print(f"{path.relative_to(BASE_DIR)}: {len(catalog)} messages, {len(missing)} untranslated")


def compile_all() -> None:
    for domain in DOMAINS:
        for locale in LOCALES:
            path = po_path(domain, locale)
            if not path.exists():
                continue
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            with path.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "update":
        update(sys.argv[2] if len(sys.argv) > 2 else None)
    else:
        compile_all()
