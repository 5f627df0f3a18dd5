"""The documents' font, parsed once per process and handed to each document as its own copy.

fpdf2's ``add_font`` parses the whole TrueType font (for WenQuanYi Zen Hei: 42,000 glyphs,
the cmap, the metrics) into a ``TTFFont``, which also keeps the document's state: the glyphs
it used (``subset``), the characters it lacked, and its fontTools ``TTFont``, which
``output()`` cuts down in place to the glyphs used. Sharing one ``TTFFont`` between documents
would therefore mix their glyphs and leave the second document with the first one's cut-down
font; parsing it per document costs most of the time of issuing one.

So the font is parsed once (:func:`parsed`) and never drawn with nor cut down; each document
gets :func:`for_document`: a ``TTFFont`` that shares the parsed, read-only data (cmap, widths,
glyph ids, descriptor) and has its own subset state and its own ``TTFont``, whose tables are
shallow copies of the parsed ones. The subsetter only reassigns table attributes, so those
copies keep it off the parsed tables, except for the glyph objects it edits in place
(component remapping, trimming, bounds): the copy's glyph table hands out a copy of a glyph
whenever one is read, so the subset holds copies and the parsed glyphs stay as read.

The copy does not recompute bounding boxes when the subset is written (fontTools' own
subsetter does not either, ``recalc_bounds`` off by default): the glyphs keep the bounds they
were drawn with, and the font-wide maxima (head, hhea, maxp) stay those of the whole font,
which still hold for a subset. Recomputing them expanded every glyph used, a third of the
time of drawing a label sheet.
"""

import copy
import threading
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.font_type_3 import get_color_font_object
from fpdf.fonts import SubsetMap, TTFFont

_lock = threading.Lock()
_parsed: dict[tuple[str, int], TTFFont] = {}


def parsed(path: Path, collection_font_number: int = 0) -> TTFFont:
    """The font at ``path`` as fpdf2 parses it, every table loaded; built once per process."""
    key = (str(path), collection_font_number)
    font = _parsed.get(key)
    if font is not None:
        return font
    with _lock:
        font = _parsed.get(key)
        if font is None:
            holder = FPDF()
            holder.add_font("parsed", fname=str(path), collection_font_number=collection_font_number)
            font = holder.fonts["parsed"]
            ttfont = font.ttfont
            for tag in ttfont.keys():
                ttfont[tag]  # decompile now, so that copies share the decompiled table
            if "cmap" in ttfont:
                for subtable in ttfont["cmap"].tables:
                    subtable.ensureDecompiled()
            ttfont.reader.close()
            ttfont.reader = None
            _parsed[key] = font
    return font


class _GlyphCopies(dict):
    """A ``glyf`` table's glyphs, each read as a fresh copy of the parsed glyph."""

    def __getitem__(self, name):
        return copy.copy(dict.__getitem__(self, name))


def _document_ttfont(parsed_ttfont: ttLib.TTFont) -> ttLib.TTFont:
    ttfont = ttLib.TTFont(recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    ttfont.sfntVersion = parsed_ttfont.sfntVersion
    ttfont.setGlyphOrder(list(parsed_ttfont.getGlyphOrder()))
    for tag in parsed_ttfont.keys():
        if tag == "GlyphOrder":
            continue
        table = copy.copy(parsed_ttfont[tag])
        if tag == "glyf":
            table.glyphs = _GlyphCopies(table.glyphs)
        elif tag == "cmap":
            table.tables = [copy.copy(subtable) for subtable in table.tables]
        ttfont[tag] = table
    return ttfont


def for_document(pdf: FPDF, fontkey: str, path: Path, collection_font_number: int = 0) -> None:
    """Make the font at ``path`` available to ``pdf`` as ``fontkey``, like ``pdf.add_font``
    (family ``fontkey``, regular style) but without parsing it again."""
    base = parsed(path, collection_font_number)
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(base, slot):
            setattr(font, slot, getattr(base, slot))
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.ttfont = _document_ttfont(base.ttfont)
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    font.color_font = (
        get_color_font_object(pdf, font, font.palette_index)
        if base.color_font is not None and pdf.render_color_fonts
        else None
    )
    pdf.fonts[fontkey] = font
