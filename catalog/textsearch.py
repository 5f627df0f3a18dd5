"""Text normalisation for search in Chinese, Russian and English (no database here).

Documents and queries go through the same code, so PostgreSQL and SQLite match on the
same lexemes:

- Chinese: Traditional → Simplified (OpenCC), jieba words, character bigrams (and, in
  names, single characters), pinyin of names as syllables and joined syllable pairs
  (``荞麦`` → ``qiao``, ``mai``, ``qiaomai``).
- Russian and English: NFKC, case folding, ``ё`` → ``е``, Snowball stems (the same
  algorithms as PostgreSQL's ``russian_stem``/``english_stem``), a few stop words dropped.

The lexemes are written into a ``tsvector`` with explicit weights and positions (A name,
B category, C description, D HS code) rather than through ``to_tsvector``: PostgreSQL's
parsers cannot split Chinese, and building the lexemes here keeps the SQLite fallback
equivalent.
"""

import gc
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(rf"[{CJK}]+|[a-z0-9]+|[а-я]+")
LATIN_MARKS_RE = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")

STOP_WORDS = {
    # English
    "a",
    "an",
    "and",
    "or",
    "the",
    "of",
    "for",
    "with",
    "in",
    "on",
    "to",
    "from",
    "by",
    "at",
    "is",
    # Russian (already ё-folded)
    "и",
    "или",
    "в",
    "во",
    "на",
    "с",
    "со",
    "из",
    "для",
    "по",
    "от",
    "до",
    "к",
    "о",
    "об",
    "без",
    "а",
    # Chinese particles
    "的",
    "和",
    "与",
    "及",
    "或",
}
MAX_POSITION = 16383  # PostgreSQL's limit for tsvector positions
MAX_QUERY_WORDS = 12

_local = threading.local()
_init_lock = threading.Lock()
_jieba = None
_t2s = None


def _segmenter():
    """jieba, loaded on first use (about half a second), quietly."""
    global _jieba
    if _jieba is None:
        with _init_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                # The thesaurus's Chinese words stay whole (亚麻籽油, not 亚麻 + 籽油), so a query
                # word is found as the member it is.
                from catalog import thesaurus

                for word in thesaurus.load().chinese:
                    jieba.add_word(word)
                # The dictionary is ~250,000 long-lived objects: out of the collector's
                # generations, a full collection no longer rescans them (a 100 ms pause every
                # few dozen searches otherwise).
                gc.freeze()
                _jieba = jieba
    return _jieba


def _converter():
    global _t2s
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("t2s")
    return _t2s


def _stemmer(language: str):
    # Snowball stemmer objects keep state while stemming: one per thread.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        import snowballstemmer

        stemmers = _local.stemmers = {
            "ru": snowballstemmer.stemmer("russian"),
            "en": snowballstemmer.stemmer("english"),
        }
    return stemmers[language]


def _strip_latin_marks(match: re.Match) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group(0))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """NFKC, lower case, ``ё`` → ``е``, accents off Latin letters (``qiáo`` → ``qiao``)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    return LATIN_MARKS_RE.sub(_strip_latin_marks, text)


def to_simplified(text: str) -> str:
    return _converter().convert(text)


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    if "а" <= word[0] <= "я":
        return _stemmer("ru").stemWord(word)
    return _stemmer("en").stemWord(word)


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, from pypinyin's dictionary."""
    from pypinyin.constants import PINYIN_DICT

    syllables = set()
    for value in PINYIN_DICT.values():
        for reading in value.split(","):
            plain = fold(reading).replace("ü", "u")
            if plain.isalpha() and plain.isascii():
                syllables.add(plain)
    return frozenset(syllables)


@lru_cache(maxsize=5000)
def split_pinyin(word: str) -> tuple[str, ...] | None:
    """``qiaomai`` → ``("qiao", "mai")``; None when the word is not pinyin.

    Fewest syllables wins (``xian`` is one syllable); ``v`` stands for ``ü`` as on keyboards.
    """
    word = word.replace("v", "u")
    if not word.isascii() or not word.isalpha() or len(word) > 36:
        return None
    syllables = pinyin_syllables()
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and word[start:end] in syllables:
                candidate = head + (word[start:end],)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] or None


def pinyin_of(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [fold(s).replace("ü", "u") for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)]


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _chinese_lexemes(run: str, *, name: bool) -> list[str]:
    run = to_simplified(run)
    out = [w for w in _segmenter().cut_for_search(run) if len(w) > 1 or name]
    out += bigrams(run)
    if name:
        out += list(run)
        syllables = pinyin_of(run)
        out += syllables
        out += ["".join(syllables[i : i + 2]) for i in range(len(syllables) - 1)]
        for word in _segmenter().cut(run):
            if len(word) > 2:
                out.append("".join(pinyin_of(word)))
    return [w for w in out if w not in STOP_WORDS]


def text_lexemes(text: str, *, name: bool = False) -> list[str]:
    """Lexemes of one field, in order, duplicates kept (positions)."""
    out: list[str] = []
    for token in TOKEN_RE.findall(fold(text)):
        if "\u3400" <= token[0]:
            out += _chinese_lexemes(token, name=name)
        elif token not in STOP_WORDS:
            out.append(stem(token)[:64])
    return out


def surface_words(text: str, *, name: bool = False) -> dict[str, str]:
    """Vocabulary lexeme → a word as written, for "did you mean": Latin and Cyrillic words of
    three letters or more by their stem; Chinese words of names (jieba's, two characters or more)."""
    words: dict[str, str] = {}
    for token in TOKEN_RE.findall(fold(text)):
        if "\u3400" <= token[0]:
            if name:
                for word in _segmenter().cut_for_search(to_simplified(token)):
                    if len(word) > 1 and word not in STOP_WORDS:
                        words.setdefault(word[:64], word[:64])
        elif len(token) >= 3 and not token.isdigit() and token not in STOP_WORDS:
            words.setdefault(stem(token)[:64], token[:64])
    return words


@dataclass
class Document:
    """Weighted lexemes of one product, in order, and its words for the vocabulary."""

    items: list[tuple[str, str]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)

    def add(self, text: str | None, weight: str, *, name: bool = False) -> None:
        if text:
            from catalog import thesaurus

            self.items += [(lexeme, weight) for lexeme in text_lexemes(text, name=name)]
            # Concept lexemes (``~buckwheat``) carry the field's weight: a name that says
            # гречка ranks as a name match for 荞麦.
            self.items += [(concept, weight) for concept in sorted(thesaurus.load().in_field(text))]
            for lexeme, word in surface_words(text, name=name).items():
                self.words.setdefault(lexeme, word)

    def add_raw(self, lexemes, weight: str) -> None:
        self.items += [(lexeme, weight) for lexeme in lexemes if lexeme]

    def tsvector(self, weights: str | None = None) -> str:
        """The ``tsvector`` input text: ``'lexeme':1A,7C …`` (quoted, so never re-parsed);
        only lexemes of ``weights`` (``"AB"``: names and categories) when given."""
        positions: dict[str, list[str]] = {}
        for index, (lexeme, weight) in enumerate(self.items[:MAX_POSITION], start=1):
            if weights and weight not in weights:
                continue
            positions.setdefault(lexeme, [])
            if len(positions[lexeme]) < 256:
                positions[lexeme].append(f"{index}{weight}")
        return " ".join(_quote(lexeme) + ":" + ",".join(pos) for lexeme, pos in positions.items())

    def like_text(self) -> str:
        """The SQLite form: `` lexeme/W `` with each lexeme's strongest weight."""
        best: dict[str, str] = {}
        for lexeme, weight in self.items:
            if lexeme not in best or weight < best[lexeme]:
                best[lexeme] = weight
        return " " + " ".join(f"{lexeme}/{weight}" for lexeme, weight in best.items()) + " "

    def vocabulary(self) -> dict[str, str]:
        """Lexeme → word as written, worth offering as corrections: Latin and Cyrillic lexemes
        (typo tolerance, "did you mean"; pinyin too) and the Chinese words of names."""
        words = {word: word for word in self.words.values() if "\u3400" <= word[0]}
        for lexeme, _ in self.items:
            if len(lexeme) >= 3 and not lexeme.isdigit() and lexeme[0] < "\u3400" and lexeme[0] != "~":
                words.setdefault(lexeme, self.words.get(lexeme, lexeme))
        return words


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def product_document(
    *, names: dict, descriptions: dict, category_names: dict, hs_code: str | None
) -> Document:
    doc = Document()
    for lang in ("zh", "ru", "en"):
        doc.add(names.get(lang), "A", name=True)
    for lang in ("zh", "ru", "en"):
        doc.add(category_names.get(lang), "B")
    for lang in ("zh", "ru", "en"):
        doc.add(descriptions.get(lang), "C")
    if hs_code:
        doc.add_raw({hs_code, hs_code[:4], hs_code[:6]}, "D")
    return doc


@dataclass(frozen=True)
class Term:
    lexeme: str
    prefix: bool = False


@dataclass
class Group:
    """One query word: any of ``alternatives`` (each an AND of terms) must match."""

    word: str
    alternatives: list[tuple[Term, ...]]
    #: The lexeme to look up in the vocabulary for typo tolerance (Latin/Cyrillic words).
    correctable: str | None = None
    #: The word's stem in the other alphabet (``grechka`` → ``гречк``), used if some product has it.
    translit: str | None = None


def concept_terms(lexeme: str, *, typed: str = "") -> list[tuple[Term, ...]]:
    """Alternatives for the thesaurus concepts of a lexeme (and of the word as typed: pinyin)."""
    from catalog import thesaurus

    found = thesaurus.load().of_word(lexeme)
    if typed and typed.isascii():
        found = found | thesaurus.load().of_word(typed.replace("v", "u"))
    return [(Term(concept),) for concept in sorted(found)]


def chinese_words(run: str) -> list[str]:
    """jieba's words of a Chinese query run, a lone character joined to its neighbour.

    In a run of two characters or more a single character is a fragment (荞麦粉 is one thing,
    not 荞麦 and 粉; 荞卖 is a typo, not 荞 and 卖), and on its own it would match every name
    that shares it. A one-character query (米) stays a character.
    """
    words = [w for w in _segmenter().cut(to_simplified(run)) if w not in STOP_WORDS]
    merged: list[str] = []
    for word in words:
        if merged and (len(word) == 1 or len(merged[-1]) == 1):
            merged[-1] += word
        else:
            merged.append(word)
    return merged


def _other_alphabet(token: str) -> str | None:
    from catalog import querytext

    other = querytext.to_cyrillic(token) if token.isascii() else querytext.to_latin(token)
    return stem(fold(other)) if other else None


def parse_query(q: str) -> list[Group]:
    """Query words → AND of groups, each an OR of spellings (stem, pinyin, bigrams, concepts,
    the other alphabet's spelling)."""
    groups: list[Group] = []
    tokens = [t for t in TOKEN_RE.findall(fold(q)) if t not in STOP_WORDS]
    for position, token in enumerate(tokens[:MAX_QUERY_WORDS]):
        last = position == len(tokens) - 1
        if "\u3400" <= token[0]:
            for word in chinese_words(token):
                alternatives = [(Term(word),)]
                if len(word) > 2:
                    alternatives.append(tuple(Term(b) for b in bigrams(word)))
                groups.append(Group(word, alternatives + concept_terms(word)))
            continue
        if token.isdigit():
            groups.append(Group(token, [(Term(token, prefix=last and len(token) >= 4),)]))
            continue
        lexeme = stem(token)
        alternatives = [(Term(lexeme, prefix=last and len(token) >= 3),)]
        if token.isascii():
            syllables = split_pinyin(token)
            if syllables:
                if len(syllables) == 1:
                    pinyin = (Term(syllables[0]),)
                else:
                    pinyin = tuple(Term(a + b) for a, b in zip(syllables, syllables[1:], strict=False))
                if [t.lexeme for t in pinyin] != [lexeme]:
                    alternatives.append(pinyin)
        concepts = concept_terms(lexeme, typed=token)
        translit = None
        other = _other_alphabet(token)
        if other and not concepts:
            # A concept of the transliterated word is certain (grechka → гречка); any other
            # stem only counts if some product has it (``search.correct`` looks).
            concepts = concept_terms(other)
            if concepts:
                alternatives.append((Term(other),))
            elif len(other) >= 3:
                translit = other
        groups.append(
            Group(
                token,
                alternatives + concepts,
                correctable=lexeme if len(lexeme) >= 4 and not concepts else None,
                translit=translit,
            )
        )
    return groups


def tsquery(groups: list[Group], weights: str | None = None) -> str:
    """The ``tsquery`` input text for ``groups`` (quoted lexemes: no re-parsing); with
    ``weights`` (``"A"``, ``"AB"``) each term only matches lexemes of those weights."""

    def term(t: Term) -> str:
        label = ("*" if t.prefix else "") + (weights or "")
        return _quote(t.lexeme) + (":" + label if label else "")

    parts = []
    for group in groups:
        alternatives = ["(" + " & ".join(term(t) for t in alt) + ")" for alt in group.alternatives]
        parts.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(parts)
