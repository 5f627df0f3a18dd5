"""Reading a search query: its words parsed and corrected against the vocabulary (typos, the
other alphabet, whole words against prefixes), a quantity it names, and the words of a
"did you mean" suggestion. The SQL that matches products is ``catalog.search``'s."""

import difflib
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from catalog import querytext, textsearch, thesaurus
from catalog.models import SearchTerm
from core.extensions import db

MAX_CORRECTIONS = 3
#: How close a vocabulary word must be to a word that found nothing to be offered instead.
SUGGESTION_CUTOFF = 0.6


def dialect() -> str:
    return db.session.get_bind().dialect.name


def correct(groups: list[textsearch.Group]) -> None:
    """Add close vocabulary words as alternatives for words nobody has used (typos), and the
    other alphabet's spelling of a word when some product has it (``пломбир`` → plombir)."""
    prefixed = {
        t.lexeme for g in groups for alt in g.alternatives for t in alt if t.prefix and not t.lexeme.isdigit()
    }
    wanted = (
        {g.correctable for g in groups if g.correctable}
        | {g.translit for g in groups if g.translit}
        | prefixed
    )
    if not wanted:
        return
    known = set(db.session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(wanted))))
    for group in groups:
        # A last word some product has whole is that word, not the start of a longer one:
        # "oil" is not "oilseed", "масло" not "масличный".
        group.alternatives = [
            tuple(textsearch.Term(t.lexeme) if t.prefix and t.lexeme in known else t for t in alt)
            for alt in group.alternatives
        ]
        word = group.correctable
        if group.translit in known:
            group.alternatives.append((textsearch.Term(group.translit),))
            if word and word not in known:
                _drop_unmatchable(group, word)
            continue
        if not word or word in known:
            continue
        if dialect() == "postgresql":
            similarity = func.similarity(SearchTerm.term, word)
            stmt = (
                select(SearchTerm.term, similarity)
                .where(SearchTerm.term.op("%")(word))
                .order_by(similarity.desc(), SearchTerm.term)
                .limit(MAX_CORRECTIONS)
            )
            scored = [(term, float(score)) for term, score in db.session.execute(stmt)]
        else:
            pool = db.session.scalars(select(SearchTerm.term).where(SearchTerm.term.like(word[:1] + "%")))
            scored = [
                (term, difflib.SequenceMatcher(None, word, term).ratio())
                for term in difflib.get_close_matches(word, list(pool), n=MAX_CORRECTIONS, cutoff=0.75)
            ]
        # Only the closest spellings: a far second guess adds noise ("linsed" is not "linden").
        best = max((score for _, score in scored), default=0)
        candidates = [term for term, score in scored if score >= best - 0.1]
        if candidates:
            _drop_unmatchable(group, word)
        for candidate in candidates:
            for alternative in [(textsearch.Term(candidate),), *textsearch.concept_terms(candidate)]:
                if alternative not in group.alternatives:
                    group.alternatives.append(alternative)


def _drop_unmatchable(group: textsearch.Group, word: str) -> None:
    """Drop the misspelt word itself when no product can have it (nor, as a prefix, a longer word).

    The vocabulary holds every Latin/Cyrillic lexeme of 3+ letters ever indexed, so such a term
    matches no row and adds nothing to any rank; leaving it out spares PostgreSQL a prefix
    match and a second query term for every row the corrections find.
    """
    for alternative in list(group.alternatives):
        if len(alternative) != 1 or alternative[0].lexeme != word:
            continue
        if alternative[0].prefix:
            pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            longer = select(SearchTerm.term).where(SearchTerm.term.like(pattern, escape="\\")).limit(1)
            if db.session.scalar(longer) is not None:
                continue
        group.alternatives.remove(alternative)


@dataclass
class TextQuery:
    """A search query as understood: its words (parsed, corrected) and a quantity if it named one."""

    text: str
    groups: list[textsearch.Group]
    quantity: querytext.Quantity | None = None

    def understood(self) -> dict:
        """What the API and the page report back: the words searched and the quantity read."""
        return {
            "text": self.text,
            "quantity": str(self.quantity.amount) if self.quantity else None,
            "unit": self.quantity.unit if self.quantity else None,
        }


def read_query(q: str) -> TextQuery:
    text, quantity = querytext.split_quantity((q or "").strip())
    groups = textsearch.parse_query(text)
    if groups:
        correct(groups)
    return TextQuery(text, groups, quantity)


def suggestion_text(query: TextQuery) -> str | None:
    """``query`` with each word nobody has replaced by the closest word some product has, or
    None if no word could be replaced."""
    lexemes = {t.lexeme for g in query.groups for alt in g.alternatives for t in alt}
    known = {
        term: word or term
        for term, word in db.session.execute(
            select(SearchTerm.term, SearchTerm.word).where(SearchTerm.term.in_(lexemes))
        )
    }
    words, changed = [], False
    for group in query.groups:
        replacement = _replacement(group, known)
        words.append(replacement or group.word)
        changed = changed or replacement is not None
    if not changed:
        return None
    return " ".join(words) + (f" {query.quantity.text}" if query.quantity else "")


def _replacement(group: textsearch.Group, known: dict[str, str]) -> str | None:
    """A better word for ``group`` in a suggestion, or None to keep the word as typed: the
    word of a correction the search already made (``linsed`` → linseed), else the closest."""
    typed = group.word if "\u3400" <= group.word[0] or group.word.isdigit() else textsearch.stem(group.word)
    others = [t.lexeme for alt in group.alternatives for t in alt if t.lexeme != typed]
    if typed in known or textsearch.concept_terms(typed, typed=group.word):
        return None
    corrected = [known[lexeme] for lexeme in others if lexeme in known]
    return corrected[0] if corrected else _closest_word(group)


def _closest_word(group: textsearch.Group) -> str | None:
    word = group.word
    if "\u3400" <= word[0]:
        return _closest_chinese(word)
    if word.isdigit():
        return None
    scored = {}
    spellings = [(textsearch.stem(word), 1.0)]
    if group.translit:
        spellings.append((group.translit, 0.95))
    for lexeme, weight in spellings:
        pool = db.session.execute(
            select(SearchTerm.term, SearchTerm.word).where(
                SearchTerm.term.like(lexeme[:1] + "%"),
                func.length(SearchTerm.term).between(len(lexeme) - 2, len(lexeme) + 2),
            )
        ).all()
        for term, written in pool:
            score = difflib.SequenceMatcher(None, lexeme, term).ratio() * weight
            if score >= SUGGESTION_CUTOFF and score > scored.get(written or term, 0):
                scored[written or term] = score
    return max(scored, key=lambda w: (scored[w], w)) if scored else None


def _closest_chinese(word: str) -> str | None:
    shares = or_(*[SearchTerm.term.like(f"%{char}%") for char in set(word)])
    pool = set(
        db.session.scalars(
            select(SearchTerm.term).where(
                shares, func.length(SearchTerm.term).between(len(word) - 1, len(word) + 1)
            )
        )
    )
    pool |= {member for member in thesaurus.load().chinese if set(member) & set(word)}
    sound = "".join(textsearch.pinyin_of(word))
    scored = {}
    for candidate in pool - {word}:
        same_sound = "".join(textsearch.pinyin_of(candidate)) == sound
        score = 1.0 if same_sound else difflib.SequenceMatcher(None, word, candidate).ratio()
        if score >= SUGGESTION_CUTOFF:
            scored[candidate] = score
    return max(scored, key=lambda w: (scored[w], -len(w), w)) if scored else None
