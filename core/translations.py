"""Where each module's message catalogue lives and which sources feed it.

Every domain module owns ``<module>/translations``; core, accounts and the shared
templates use the top-level ``translations``. Flask-Babel merges them.
"""

from pathlib import Path

from config import BASE_DIR

#: catalogue directory → (source directories, template directories)
DOMAINS = {
    "translations": (
        ["core", "accounts", "app.py"],
        ["templates/core", "templates/accounts", "templates/*.html"],
    ),
    "catalog/translations": (["catalog"], ["templates/catalog"]),
    "marketplace/translations": (["marketplace"], ["templates/marketplace"]),
    # Trade documents, rates and landed cost keep their own catalogue inside marketplace.
    "marketplace/documents/translations": (["marketplace/documents"], ["templates/marketplace/documents"]),
    "logistics/translations": (["logistics"], ["templates/logistics"]),
}
LOCALES = ("zh", "ru")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "_n": (1, 2),
}


def catalogue_dirs() -> list[str]:
    return [str(BASE_DIR / d) for d in DOMAINS if (BASE_DIR / d).is_dir()]


def source_files(domain: str) -> list[Path]:
    """The .py, .html and .txt files whose messages belong to ``domain``."""
    code, templates = DOMAINS[domain]
    files: list[Path] = []
    for entry in code:
        path = BASE_DIR / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    for pattern in templates:
        if "*" in pattern:
            files += sorted(BASE_DIR.glob(pattern))
        else:
            base = BASE_DIR / pattern
            files += sorted(p for p in base.rglob("*") if p.suffix in (".html", ".txt"))
    files = [f for f in files if "translations" not in f.parts and "__pycache__" not in f.parts]
    # A folder that has a catalogue of its own is not part of its parent's.
    nested = [BASE_DIR / d for other, (dirs, tpls) in DOMAINS.items() if other != domain for d in dirs + tpls]
    own = [BASE_DIR / d for d in code + templates]
    excluded = [n for n in nested if any(n != o and o in n.parents for o in own)]
    return [f for f in files if not any(e == f or e in f.parents for e in excluded)]
