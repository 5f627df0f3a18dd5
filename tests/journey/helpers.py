"""What the journey needs besides the browser: the interface's own words in each language, the
accessibility check (axe-core), screenshots, small files to upload and the telematics' API."""

import io
import json
import os
import re
import urllib.request
from collections import defaultdict
from pathlib import Path

from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
# Screenshots land in an ignored folder so that running the tests changes no tracked file;
# `make screenshots` points this at docs/screenshots to refresh the README's pictures.
SCREENSHOTS = Path(os.environ.get("JOURNEY_SCREENSHOTS") or ROOT / "test-results" / "screenshots")
AXE_JS = (ROOT / "static" / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
#: axe impacts that fail the test.
BLOCKING = ("serious", "critical")


class Words:
    """The interface's strings as a user of ``lang`` reads them, from the app's own catalogues:
    ``ru("Save")`` → ``"Сохранить"``. Keeps the test honest about translations."""

    def __init__(self, lang: str):
        from app import MODULES
        from core.translations import catalogue_dirs

        self.lang = lang
        self.catalogue = None
        if lang != "en":
            for directory in catalogue_dirs(MODULES):
                loaded = Translations.load(directory, [lang])
                if self.catalogue is None:
                    self.catalogue = loaded
                else:
                    self.catalogue.merge(loaded)

    def __call__(self, msgid: str, **values) -> str:
        text = self.catalogue.gettext(msgid) if self.catalogue is not None else msgid
        return text % values if values else text


en, ru, zh = Words("en"), Words("ru"), Words("zh")


class Recorder:
    """After each page load: run axe-core in the page (serious and critical violations are kept
    per URL, asserted at the end) and, if named, save a full-page screenshot."""

    def __init__(self):
        self.violations: dict[str, list[str]] = defaultdict(list)
        self.checked: list[str] = []
        self.screenshots: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(self, page, shot: str | None = None) -> None:
        page.wait_for_load_state("load")
        page.add_script_tag(content=AXE_JS)
        result = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
        )
        url = re.sub(r"^https?://[^/]+", "", page.url)
        self.checked.append(url)
        for v in result:
            if v["impact"] in BLOCKING:
                self.violations[url].append(f"{v['impact']} {v['id']}: {v['help']} — {v['nodes']}")
        if shot:
            save_png(page.screenshot(full_page=True), SCREENSHOTS / f"{shot}.png")
            self.screenshots.append(shot)

    def report(self) -> str:
        lines = []
        for url, items in self.violations.items():
            lines.append(url)
            lines.extend(f"  {item}" for item in sorted(set(items)))
        return "\n".join(lines)


def save_png(data: bytes, path: Path) -> None:
    """A 256-colour PNG: a third of the size, the same to the eye for these flat pages."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def pdf_bytes(title: str) -> bytes:
    """A small, valid one-page PDF (what a scanner would give, minus the scan)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(0, 10, title)
    return bytes(pdf.output())


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes, mime: str = "application/pdf") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def api_post(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local test server
        return json.loads(response.read())


def amount_of(text: str) -> str:
    """``"CN¥14,500.00"`` → ``"14500.00"``."""
    return re.sub(r"[^\d.]", "", text)
