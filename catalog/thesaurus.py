"""The search thesaurus (``thesaurus.txt``): word families and synonyms across zh, ru and en.

Each concept gets one lexeme, ``~name``. A product field that holds a member of a concept
carries the concept's lexeme with the field's weight (``textsearch.Document``); a query word
that is a member also looks for it (``textsearch.parse_query``). So гречка, греча, гречневый,
гречиха, 荞麦, qiaomai and buckwheat find the same products whatever form the farmer wrote,
at the cost of one lexeme per concept in the index and one more in the query — instead of
OR-ing every member into every query.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from catalog import textsearch

PATH = Path(__file__).with_name("thesaurus.txt")
CONCEPT_RE = re.compile(r"[a-z]+(-[a-z]+)*")
CJK_RUN_RE = re.compile(rf"[{textsearch.CJK}]+")
PREFIX = "~"


@dataclass(eq=False)
class Thesaurus:
    #: Simplified Chinese member → concept lexemes (a member matches inside a longer name).
    chinese: dict[str, set[str]] = field(default_factory=dict)
    #: Stems of a Russian/English member → concept lexemes.
    words: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    #: Toneless pinyin of a Chinese member, joined (``qiaomai``) → concept lexemes.
    pinyin: dict[str, set[str]] = field(default_factory=dict)
    longest_chinese: int = 0
    #: First stem of a member → the members starting with it (a field is scanned by its stems).
    by_first_stem: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    def of_word(self, word: str) -> set[str]:
        """Concept lexemes of one query word: a Chinese word, a stem, or joined pinyin."""
        if not word:
            return set()
        if word[0] >= "\u3400":
            return self.chinese.get(word, set())
        return self.words.get((word,), set()) | self.pinyin.get(word, set())

    def in_field(self, text: str) -> set[str]:
        """Concept lexemes of every member found in one field's text."""
        return _in_field(self, text)


def read(path: Path = PATH) -> list[tuple[str, list[str]]]:
    """(concept, members) per line of the file; raises ValueError on a malformed line."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        concept, sep, members = line.partition(":")
        concept = concept.strip()
        if not sep or not CONCEPT_RE.fullmatch(concept):
            raise ValueError(f"{path.name}:{number}: expected 'concept: member, member'")
        words = [m.strip() for m in members.split(",") if m.strip()]
        if not words:
            raise ValueError(f"{path.name}:{number}: {concept} has no members")
        entries.append((concept, words))
    return entries


@lru_cache(maxsize=1)
def load() -> Thesaurus:
    thesaurus = Thesaurus()
    for concept, members in read():
        lexeme = PREFIX + concept
        for member in members:
            folded = textsearch.fold(member)
            if CJK_RUN_RE.fullmatch(folded.replace(" ", "")):
                chinese = textsearch.to_simplified(folded.replace(" ", ""))
                if len(chinese) < 2:
                    raise ValueError(f"{PATH.name}: {concept}: single characters match too much ({member})")
                thesaurus.chinese.setdefault(chinese, set()).add(lexeme)
                thesaurus.longest_chinese = max(thesaurus.longest_chinese, len(chinese))
                thesaurus.pinyin.setdefault("".join(textsearch.pinyin_of(chinese)), set()).add(lexeme)
                continue
            stems = tuple(
                textsearch.stem(token)
                for token in textsearch.TOKEN_RE.findall(folded)
                if token not in textsearch.STOP_WORDS
            )
            if stems:
                if stems not in thesaurus.words:
                    thesaurus.by_first_stem.setdefault(stems[0], []).append(stems)
                thesaurus.words.setdefault(stems, set()).add(lexeme)
    return thesaurus


@lru_cache(maxsize=50000)
def _in_field(thesaurus: Thesaurus, text: str) -> set[str]:
    # Product names repeat across fields and products (category names, descriptions): cached.
    found: set[str] = set()
    folded = textsearch.fold(text)
    for run in CJK_RUN_RE.findall(folded):
        run = textsearch.to_simplified(run)
        for start in range(len(run)):
            for end in range(start + 2, min(len(run), start + thesaurus.longest_chinese) + 1):
                found |= thesaurus.chinese.get(run[start:end], set())
    stems = {
        textsearch.stem(token)
        for token in textsearch.TOKEN_RE.findall(folded)
        if token[0] < "\u3400" and token not in textsearch.STOP_WORDS
    }
    for stem in stems:
        for member in thesaurus.by_first_stem.get(stem, ()):
            if all(s in stems for s in member[1:]):
                found |= thesaurus.words[member]
    return found
