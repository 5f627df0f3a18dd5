"""Where each module's message catalogue lives and which sources feed it.

Every domain module owns ``<module>/translations``; core and the shared templates use the
top-level ``translations``. Flask-Babel merges them. The list of modules is the app's: this
module is told it, it does not know it.
"""

from pathlib import Path

from config import BASE_DIR

#: The catalogue of core, app.py and the shared templates; each domain module has its own.
SHARED = "translations"


def domains(modules) -> dict[str, tuple[list[str], list[str]]]:
    """Catalogue directory → (source directories, template directories), for the app's list
    of modules (``app.MODULES``): ``<module>/translations`` holds what ``<module>/`` and
    ``templates/<module>/`` say."""
    found = {SHARED: (["core", "app.py"], ["templates/core", "templates/*.html"])}
    for name in modules:
        found[f"{name}/translations"] = ([name], [f"templates/{name}"])
    return found


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


def catalogue_dirs(modules) -> list[str]:
    return [str(BASE_DIR / d) for d in domains(modules) if (BASE_DIR / d).is_dir()]


def source_files(domain: str, modules) -> list[Path]:
    """The .py, .html and .txt files whose messages belong to ``domain``."""
    code, templates = domains(modules)[domain]
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
    return [f for f in files if "translations" not in f.parts and "__pycache__" not in f.parts]
