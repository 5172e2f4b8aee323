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


_TERM, _CJK, _COMPOUND, _NOISE, _STAGE, _IA = 1, 2, 4, 8, 16, 32


class _Reader:
    def __init__(self) -> None:
        lang = load_taxonomy().languages
        terms: dict[str, str] = {}
        for table in lang["terms"].values():
            for key, value in table.items():
                terms[fold(str(key))] = " ".join(str(value or "").split())
        self.terms = terms
        cjk = sorted((k for k in terms if _CJK_RE.search(k)), key=len, reverse=True)
        #: longest Latin-script key, in words (phrases are looked up longest first)
        self.max_words = max((k.count(" ") + 1 for k in terms if not _CJK_RE.search(k)), default=1)
        self.cjk_re = re.compile("|".join(re.escape(k) for k in cjk)) if cjk else None
        self.compound_re = re.compile(" ([a-z]+?)s?(" + "|".join(_DE_SUFFIXES) + r")(?:in|innen)?(?= )")
        self.noise_re = re.compile("|".join(f"(?:{p})" for p in lang["noise"]), re.I)
        self.stage_re = re.compile(lang["stage_intern"])
        self.ia_re = re.compile(lang["ia_ai"])
        r = lang["reorder"]
        fields = sorted(r["fields"], key=len, reverse=True)
        self.fields = frozenset(w for f in r["fields"] for w in f.split())
        self.reorder_re = re.compile(
            " ("
            + "|".join(r["nouns"])
            + ") (?:(?:"
            + "|".join(r["connectors"])
            + ") )?("
            + "|".join(re.escape(f) for f in fields)
            + ")(?= )"
        )
        # What a hit means: which reading steps the title needs (the rest are skipped).
        flags: dict[str, int] = {}
        for key in terms:
            is_cjk = bool(_CJK_RE.search(key))
            flags[key if is_cjk else f" {key} "] = _CJK if is_cjk else _TERM
        for key in _DE_SUFFIXES:
            flags[key] = flags.get(key, 0) | _COMPOUND
        for key in (
            " m w d ",
            " w m d ",
            " m f d ",
            " f m d ",
            " d m w ",
            " m w x ",
            " h f ",
            " f h ",
            " gn ",
        ):
            flags[key] = flags.get(key, 0) | _NOISE
        flags[" all genders "] = _NOISE
        flags[" stage "] = flags.get(" stage ", 0) | _STAGE
        flags[" ia "] = flags.get(" ia ", 0) | _IA
        automaton = ahocorasick.Automaton()
        for key, flag in flags.items():
            automaton.add_word(key, flag)
        automaton.make_automaton()
        self.automaton = automaton

    def steps(self, mt: str) -> int:
        """The reading steps a match text needs (0: an English title)."""
        found = 0
        for _end, flag in self.automaton.iter(mt):
            found |= flag
        return found

    def read(self, clean: str, steps: int) -> str:
        """The English match text of a title in another language."""
        s = self.noise_re.sub(" ", clean) if steps & _NOISE or "(" in clean else clean
        if steps & _IA and steps & _TERM:  # "IA" is AI beside other French/Spanish words, not a state code
            s = self.ia_re.sub(" AI ", s)
        mt = match_text(s)
        if steps & _CJK and self.cjk_re is not None:
            mt = self.cjk_re.sub(lambda m: f" {self.terms[m.group(0)]} ", mt)
            mt = " " + " ".join(mt.split()) + " "
        if steps & _STAGE:
            mt = self.stage_re.sub("internship", mt)
        if steps & (_TERM | _CJK | _STAGE):
            mt = self._translate_words(mt)
        if steps & _COMPOUND:
            mt = self.compound_re.sub(self._compound, mt)
            mt = " " + " ".join(mt.split()) + " "
        if steps & (_TERM | _CJK):
            mt = self.reorder_re.sub(self._reorder, mt)
        return mt

    def _translate_words(self, mt: str) -> str:
        """Replace known words and phrases, longest phrase first (a dictionary lookup per position)."""
        words = mt.split()
        out: list[str] = []
        i, n = 0, len(words)
        while i < n:
            for size in range(min(self.max_words, n - i), 0, -1):
                english = self.terms.get(" ".join(words[i : i + size]))
                if english is not None:
                    if english:
                        out.append(english)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return " " + " ".join(out) + " "

    def _reorder(self, m: re.Match[str]) -> str:
        # A noun that already has its field before it ("product manager ai") stays as it is.
        before = m.string[: m.start()].rsplit(" ", 2)[-2:]
        if before and before[-1] in self.fields or (len(before) == 2 and before[0] in self.fields):
            return m.group(0)
        return f" {m.group(2)} {m.group(1)}"

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
    steps = reader.steps(mt)
    return reader.read(clean, steps) if steps else mt
