"""The *match text* of a title, with other languages read into English (shared by roles and seniority).

A match text is lower-case words without accents joined by single spaces, with one space before and after
(" sr ml engineer "); the rules in ``taxonomy_v1.yaml`` are written against it. Titles in German, French,
Portuguese, Spanish, Italian and Chinese are first read into their English twins with the word list in
``taxonomy/languages.yaml`` ("Desenvolvedor Pleno" -> " developer mid level ", "高级算法工程师" ->
" senior ml engineer "); gender and contract markers ("(m/w/d)", "H/F") are dropped as noise.

The check whether a title needs reading at all is one Aho-Corasick pass, so English titles pay almost
nothing for it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ahocorasick

from transform.taxonomy import load_taxonomy

__all__ = ["fold", "match_text", "read_foreign"]

_AI_DOTS_RE = re.compile(r"\ba\.\s?i\.?(?=\W|$)", re.I)
_NONWORD_RE = re.compile(r"[^\w+#]+|_+")
_COMBINING_RE = re.compile("[\u0300-\u036f]")
_ASCII_NONWORD = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isalnum() or c in "+#")} | {"&": " and "}
)
# Han characters (Chinese has no spaces: its words are found as substrings).
_CJK_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Lower-case, accents removed (développeur → developpeur)."""
    s = text.lower()
    if not s.isascii():
        s = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", s))
    return s


def match_text(clean: str) -> str:
    """Lower-case words joined by single spaces, with a space before and after (" sr ml engineer ")."""
    s = _AI_DOTS_RE.sub(" ai ", clean) if "." in clean else clean
    s = fold(s)
    s = s.translate(_ASCII_NONWORD) if s.isascii() else _NONWORD_RE.sub(" ", s.replace("&", " and "))
    return " " + " ".join(s.split()) + " "


# German compound nouns ("Softwareentwickler", "Vertriebsleiter"): <prefix><job noun>[in|innen].
_DE_SUFFIXES = {
    "entwickler": "developer",
    "entwicklung": "development",
    "ingenieur": "engineer",
    "wissenschaftler": "scientist",
    "forscher": "researcher",
    "berater": "consultant",
    "leiter": "head",
    "leitung": "head",
    "architekt": "architect",
    "spezialist": "specialist",
    "techniker": "technician",
}


class _Reader:
    def __init__(self) -> None:
        lang = load_taxonomy().languages
        terms: dict[str, str] = {}
        for table in lang["terms"].values():
            for key, value in table.items():
                terms[fold(str(key))] = " ".join(str(value or "").split())
        self.terms = terms
        latin = sorted((k for k in terms if not _CJK_RE.search(k)), key=len, reverse=True)
        cjk = sorted((k for k in terms if _CJK_RE.search(k)), key=len, reverse=True)
        self.latin_re = re.compile(" (" + "|".join(re.escape(k) for k in latin) + ")(?= )")
        self.cjk_re = re.compile("|".join(re.escape(k) for k in cjk)) if cjk else None
        self.compound_re = re.compile(" ([a-z]+?)s?(" + "|".join(_DE_SUFFIXES) + r")(?:in|innen)?(?= )")
        self.noise_re = re.compile("|".join(f"(?:{p})" for p in lang["noise"]), re.I)
        self.stage_re = re.compile(lang["stage_intern"])
        self.ia_re = re.compile(lang["ia_ai"])
        r = lang["reorder"]
        fields = sorted(r["fields"], key=len, reverse=True)
        self.reorder_re = re.compile(
            " ("
            + "|".join(r["nouns"])
            + ") (?:(?:"
            + "|".join(r["connectors"])
            + ") )?("
            + "|".join(re.escape(f) for f in fields)
            + ")(?= )"
        )
        automaton = ahocorasick.Automaton()
        for key in terms:
            automaton.add_word(key if _CJK_RE.search(key) else f" {key} ", 1)
        for key in _DE_SUFFIXES:
            automaton.add_word(key, 1)
        for key in (" m w d ", " w m d ", " m f d ", " f m d ", " d m w ", " m w x ", " h f ", " f h "):
            automaton.add_word(key, 1)
        for key in (" stage ", " ia ", " gn ", " all genders "):
            automaton.add_word(key, 1)
        automaton.make_automaton()
        self.automaton = automaton

    def needs_reading(self, mt: str) -> bool:
        for _ in self.automaton.iter(mt):
            return True
        return False

    def read(self, clean: str) -> str | None:
        """The English match text of a title in another language, or None when nothing was read."""
        s = (
            self.noise_re.sub(" ", clean)
            if ("/" in clean or "(" in clean or "*" in clean or ":" in clean)
            else clean
        )
        s = self.ia_re.sub(" AI ", s)
        mt = match_text(s)
        if self.cjk_re is not None and _CJK_RE.search(mt):
            mt = self.cjk_re.sub(lambda m: f" {self.terms[m.group(0)]} ", mt)
            mt = " " + " ".join(mt.split()) + " "
        mt = self.stage_re.sub("internship", mt)
        mt = self.latin_re.sub(lambda m: f" {self.terms[m.group(1)]}", mt)
        mt = self.compound_re.sub(self._compound, mt)
        mt = " " + " ".join(mt.split()) + " "
        mt = self.reorder_re.sub(r" \2 \1", mt)
        return mt

    def _compound(self, m: re.Match[str]) -> str:
        prefix, noun = m.group(1), _DE_SUFFIXES[m.group(2)]
        prefix = self.terms.get(prefix, prefix)
        return f" {prefix} {noun}"


@lru_cache(maxsize=1)
def _reader() -> _Reader:
    return _Reader()


def read_foreign(clean: str, mt: str) -> str:
    """``mt`` (the match text of ``clean``), or the English reading of a title in another language."""
    reader = _reader()
    if mt.isascii() and not reader.needs_reading(mt):
        return mt
    if not reader.needs_reading(mt) and not _CJK_RE.search(mt):
        return mt
    return reader.read(clean) or mt
