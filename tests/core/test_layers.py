"""core knows neither the app nor any domain module, even inside a function. import-linter's
layers contract (make lint) checks the packages; app.py is a module it cannot list, so this
test keeps core away from it."""

import ast
from pathlib import Path

from app import MODULES

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def test_core_imports_neither_the_app_nor_a_domain_module():
    above = {"app", *MODULES}
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] in above
    ]
    assert found == []


def test_every_module_of_the_app_is_a_layer_of_the_contract():
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in settings["contracts"] if c["type"] == "layers"]
    assert set(layers) == {"core", *MODULES}
    assert set(settings["root_packages"]) == {"core", *MODULES}
