"""Recognition: a spreadsheet cell as people write it -> resource, qualifiers, confidence.

``"spillvarme 60 °C"``, ``"restvärme 40–60 °C"``, ``"fiskrens och slam"``,
``"CO2 from ammonia plant (high purity)"``, ``"flyveaske 10 01 04*"``: the cell is read in
English, bokmål, nynorsk, Swedish, Danish or Finnish against the lexicon
(``data/lexicon.csv``), the resource names and the descriptions of the European List of
Waste codes mapped to resources.

Steps, each cheap and cached per distinct text and per distinct word:

1. a confirmed mapping (``text,resource``) decides at once;
2. qualifiers are read and cut out of the text: temperatures and ranges, purity,
   dry matter, moisture, state (dry, wet, liquid, gas), an EWC code and its hazard star;
3. words and word sequences are looked up as written, then as lemmas (``simplemma``),
   then without a definite, plural or case ending or as a compound whose last part is
   inflected (``settefiskslammet`` -> ``settefiskslam``, ``kalalietteet`` -> ``kalaliete``),
   then as the head of a compound (``biorestslam`` -> ``slam``), then with typos
   (``rapidfuzz``); words after "from / fra / från / frå / -lta" name a source, not the
   resource, and weigh less; words of a purpose clause ("til biogass", "for digestion",
   "kuivausta varten") weigh less too and never pick a kind; so do Finnish genitives
   before a word that names the flow ("rikkihappotehtaan jäähdytyksen hukkalämpö": the
   waste heat, not the cooling); a bare "gas / gass / kaasu" is fuel gas only when
   nothing else in the cell names the flow, and a compound of a name and a gas word is
   that substance ("hydrogengass"), or asked about when the name is unknown;
4. a generic concept is refined to one of its kinds when another word of the cell names
   that kind (``"sludge from the fish farm"`` -> fish sludge).

The confidence (0-1) combines how the words were found, how much of the cell they explain
and the margin over the next unrelated resource. Below :data:`ASK_BELOW` the caller lists
:attr:`Recognition.suggestions` and asks; nothing becomes a silent custom resource.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import DataFileError
from .export import spreadsheet_text
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["Recognition", "Recognizer", "recognizer", "ASK_BELOW", "load_mapping",
           "normalise_text"]

#: below this confidence a flow's resource is asked for, with the best three suggestions
ASK_BELOW = 0.55
_LEMMA_LANGS = ("nb", "sv", "da", "en", "nn", "fi")
#: how much a word found each way counts; ``gas_compound`` is a compound of an unknown
#: first part and a state noun ("prosessgass", "rikkidioksidikaasu"): a gas, but of what
#: the lexicon does not say, so it is fuel gas only once the user confirms
_WEIGHT = {"mapping": 1.0, "exact": 1.0, "lemma": 0.9, "compound": 0.75, "fuzzy": 0.65,
           "gas_compound": 0.5, "ewc": 1.0}
_SOURCE_WORDS = {"from", "fra", "frå", "från", "ifrån", "of", "av", "fr", "ex", "at",
                 "hos", "ved", "i", "in", "på", "til", "till", "to", "for", "för", "fór",
                 "med", "with", "w", "mot", "via", "som", "as", "kuten", "såsom",
                 "istället", "instead", "erstatning", "ersättning", "erstatter"}
#: words that open a purpose clause ("sludge for digestion", "gass til tørking", "gas för
#: torkning"): what follows says what the flow is for, not what it is, so it neither names
#: the resource nor picks one of its kinds
_PURPOSE_WORDS = {"til", "till", "to", "for", "för", "fór", "mot", "into", "forward"}
#: Finnish postpositions that close a purpose phrase ("kuivausta varten": for drying)
_FINNISH_PURPOSE_AFTER = {"varten", "käyttöön", "tarpeisiin"}
#: words that join the items of a list: a cell naming two resources this way is a mix
_LIST_WORDS = {"og", "and", "och", "ja", "sekä", "eller", "or", "tai", "samt", "plus"}
_STOP = {"og", "and", "och", "ja", "sekä", "eller", "or", "tai", "the", "a", "an", "en",
         "ett", "et", "ei", "ca", "approx", "about", "circa", "omkring", "cirka", "noin",
         "n", "na", "nb", "inkl", "incl", "etc", "mv", "m", "fx", "eg", "type", "typ",
         "tyyppi", "kl", "klasse", "class", "luokka", "per", "pr", "år", "yr", "year",
         "vuosi", "vuodessa", "aar", "årlig", "annual", "total", "totalt", "yhteensä",
         "all", "alle", "alla", "kaikki", "mixed", "blandet", "blandat", "sekalainen",
         "some", "noe", "noko", "nogle", "något", "jotain", "kg", "t", "tonn", "tonnes",
         "ton", "tons", "tonnia", "mwh", "gwh", "kwh", "m3", "lm3", "fm3", "nm3", "mw"}
#: Finnish case endings of words that say where from, where to or what for (ablative,
#: elative, allative, illative, translative): context, not the resource
_FINNISH_SOURCE_ENDINGS = ("lta", "ltä", "sta", "stä", "lle", "ksi", "seen", "siin", "hin")
#: of those, the endings that say where to or what for (allative, translative, illative)
_FINNISH_PURPOSE_ENDINGS = ("lle", "ksi", "seen", "siin", "hin")
#: endings of definite and plural forms (bokmål, nynorsk, Swedish, Danish), of Finnish
#: partitive, genitive and plural, and of English plurals, shortest first: a word that is
#: not in the lexicon as written is tried without them (``fiskeslammet`` -> ``fiskeslam``,
#: ``kylvattnet`` -> ``kylvatten``, ``biokaasua`` -> ``biokaasu``)
_ENDINGS = ("n", "t", "r", "a", "ä", "e", "s", "en", "et", "er", "ar", "or", "na", "ne",
            "es", "ta", "tä", "in", "ja", "jä", "ene", "ane", "tta", "ttä", "erne", "arna",
            "orna", "erna", "ernes", "arnas")
_VOWELS = set("aeiouyæøåäöü")

_NUM = r"-?\d+(?:[.,]\d+)?"
_DEG = r"(?:°\s*c\b|°|℃|grader\b|grad\b|gr\b|astetta\b|aste\b|deg\b|degrees\b|c\b)"
_TEMP_RANGE = re.compile(rf"({_NUM})\s*(?:°\s*c?)?\s*(?:–|—|-|to|til|till|/)\s*({_NUM})\s*{_DEG}",
                         re.IGNORECASE)
_TEMP = re.compile(rf"({_NUM})\s*{_DEG}", re.IGNORECASE)
_PCT = re.compile(rf"({_NUM})\s*(?:%|prosent\b|procent\b|prosentti\b|percent\b)\s*"
                  r"(ts\b|tørrstoff\b|torrsubstans\b|tørstof\b|dm\b|dry matter\b|kuiva-aine\b|"
                  r"ka\b|fukt\w*\b|moisture\b|kosteus\w*\b|vatten\w*\b|vann\w*\b|"
                  r"co2\b|o2\b|h2\b|ch4\b|metan\w*\b|methane\b|renhet\b|purity\b|puhtaus\b)?",
                  re.IGNORECASE)
_HIGH_PURITY = re.compile(r"\b(high[- ]purity|høy renhet|hög renhet|høj renhed|"
                          r"korkea puhtaus|korkean puhtauden|food[- ]grade|næringsmiddelkvalitet|"
                          r"livsmedelskvalitet|fødevarekvalitet|elintarvikelaatu\w*|"
                          r"pure|ren|rein|puhdas)\b", re.IGNORECASE)
_GAS_WORDS = re.compile(r"\b(co2|oksygen|oxygen|syre|ilt|hydrogen|vätgas|vätet|brint|vety|"
                        r"happi|kuldioxid|koldioxid|karbondioksid|hiilidioksidi|nitrogen|kväve|"
                        r"typpi|argon)\b")
_EWC = re.compile(r"(?<!\d)(\d{2})[ .]?(\d{2})[ .]?(\d{2})(?!\d)\s*(\*)?")
_STATES = {
    "dry": ("tørr", "tørt", "torr", "torrt", "tør", "tørret", "tørka", "torkad", "torkat",
            "tørket", "tørka", "tørrede", "tørret", "dry", "dried", "kuiva", "kuivattu",
            "kuivaa", "turr", "turt"),
    "wet": ("våt", "vått", "våd", "vådt", "blöt", "blött", "wet", "märkä", "märkää",
            "fuktig", "fugtig", "kostea", "avvattnad", "avvannet", "avvatna", "afvandet",
            "dewatered", "vedenpoistettu"),
    "liquid": ("flytende", "flytande", "flydende", "liquid", "liquified", "liquefied",
               "nestemäinen", "nestemäistä", "nesteytetty", "væske", "vätska", "flytendegjort"),
    "gas": ("gass", "gassform", "gassformig", "gasformig", "gasform", "gas", "gaseous",
            "kaasu", "kaasumainen", "luftformig"),
}
_STATE_OF = {w: s for s, words in _STATES.items() for w in words}
#: state words that are also nouns in names ("landfill gas", "CO-gass"): they give the
#: state only when no name took them
_STATE_NOUNS = {"gas", "gass", "kaasu", "væske", "vätska"}
#: words for what is left of something ("askerester", "glasavfall", "metallijäte"): in a
#: compound the first part names the flow
_RESIDUE_NOUNS = ("rester", "restene", "avfall", "avfallet", "affald", "jäte", "jätteet",
                  "waste", "residues")
_WORD = re.compile(r"[0-9a-zåæøäöüéèáàóòúçñõšž₂]+", re.IGNORECASE)


_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ø": "o", "æ": "ae", "ü": "u",
                       "é": "e", "è": "e", "á": "a", "à": "a", "ó": "o", "õ": "o"})


def fold(text: str) -> str:
    """Without diacritics (``fjärrvärme`` -> ``fjarrvarme``), as people type on
    keyboards without them."""
    return text.translate(_FOLD)


def normalise_text(text: str) -> str:
    """Lower case, compatibility forms (``CO₂`` -> ``co2``), single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("₂", "2").lower()
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Recognition:
    """What a cell was read as; ``text`` is always kept beside the interpretation."""

    text: str
    resource: str | None
    confidence: float
    qualifiers: Mapping[str, float | str | bool] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    suggestions: tuple[tuple[str, float], ...] = ()
    method: str = "none"

    @property
    def sure(self) -> bool:
        return self.resource is not None and self.confidence >= ASK_BELOW


def _proper_names(original: str) -> set[str]:
    """Words written with a capital inside the cell (not its first word, not all
    capitals): names of places and companies, context rather than resource."""
    out = set()
    tokens = _WORD.findall(unicodedata.normalize("NFKC", original))
    for k, tok in enumerate(tokens):
        if k and tok[:1].isupper() and not tok.isupper() and tok[1:].islower():
            out.add(tok.lower())
    return out


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _qualifiers(text: str, ewc_codes: Mapping[str, tuple[str, bool]]
                ) -> tuple[dict[str, float | str | bool], str]:
    """Qualifiers found in ``text`` (normalised) and the text with them cut out."""
    q: dict[str, float | str | bool] = {}
    cut = text

    def blank(m: re.Match[str]) -> None:
        nonlocal cut
        cut = cut[:m.start()] + " " * (m.end() - m.start()) + cut[m.end():]

    m = _EWC.search(cut)
    code = "".join(m.groups()[:3]) if m else ""
    if m and code in ewc_codes:
        q["ewc"] = code
        if m.group(4) or ewc_codes[code][1]:
            q["hazardous"] = True
        blank(m)
    m = _TEMP_RANGE.search(cut)
    if m:
        a, b = _num(m.group(1)), _num(m.group(2))
        q["temperature_min"], q["temperature_max"] = min(a, b), max(a, b)
        blank(m)
    else:
        m = _TEMP.search(cut)
        if m and not re.match(r"\s*(?:bar|kw|mw)", cut[m.end():]):
            q["temperature_min"] = q["temperature_max"] = _num(m.group(1))
            blank(m)
    for m in list(_PCT.finditer(cut)):
        what = (m.group(2) or "").lower()
        value = _num(m.group(1))
        if not 0 <= value <= 100:
            continue
        gas = what in ("co2", "o2", "h2", "ch4") or what.startswith(("metan", "methane"))
        if what.startswith(("ts", "tørr", "torr", "tørs", "dm", "dry", "kuiva", "ka")):
            q["dry_matter_pct"] = value
        elif what.startswith(("fukt", "moist", "koste", "vatt", "vann")):
            q["moisture_pct"] = value
        else:
            q["purity_pct"] = value
        # "99 % CO2": the gas still names the flow, so only the figure is cut out
        end = m.start(2) if gas else m.end()
        cut = cut[:m.start()] + " " * (end - m.start()) + cut[end:]
    if "purity_pct" not in q:
        m = _HIGH_PURITY.search(cut)
        plain = m is not None and m.group(1) in ("ren", "rein", "pure", "puhdas")
        if m and (not plain or _GAS_WORDS.search(cut)):
            q["purity_pct"] = 99.0
            blank(m)
    return q, cut


@dataclass(frozen=True)
class _Lexicon:
    """The lookup tables of one taxonomy's terms: built once per taxonomy and shared by
    its recognizers (each recognizer keeps its own caches of readings)."""

    index: Mapping[str, frozenset[str]]
    nordic: frozenset[str]
    max_words: int
    singles: list[str]
    #: the one-word terms by their first letter (without diacritics)
    by_initial: Mapping[str, list[str]]
    multi: list[str]
    head_set: frozenset[str]
    starts: Mapping[str, int]
    term_words: Mapping[str, set[str]]


def _by_initial(words: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for w in words:
        out[fold(w)[:1]].append(w)
    return dict(out)


_LEXICONS: dict[int, tuple[Taxonomy, _Lexicon]] = {}
_LEXICONS_KEPT = 16


def _lexicon(taxonomy: Taxonomy) -> _Lexicon:
    cached = _LEXICONS.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    found: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)

    def add(term: str, key: str, into: dict[str, set[str]] = found) -> None:
        norm = " ".join(_WORD.findall(normalise_text(term)))
        if norm:
            for form in {norm, norm.replace(" ", ""), fold(norm), fold(norm).replace(" ", "")}:
                into[form].add(key)  # as written, as one compound, without diacritics

    for res in taxonomy.resources.values():
        for name in (res.key.replace("_", " "), res.label_en, res.label_no):
            add(name, res.key, names)
            add(name, res.key)
        for alias in res.aliases:
            add(alias, res.key)
    nordic: dict[str, set[str]] = defaultdict(set)  # the forms that inflect as Nordic words
    for t in taxonomy.knowledge.terms:
        add(t.term, t.resource)
        if t.lang != "en":
            add(t.term, t.resource, nordic)
    for res in taxonomy.resources.values():
        add(res.label_no, res.key, nordic)
    for code, key in taxonomy.ewc_map.items():
        add(taxonomy.ewc_codes[code][0], key)
    anc = taxonomy.ancestors
    for form, keys in found.items():
        # a resource's own name decides; a word shared by a concept and its kinds
        # belongs to the concept
        own = names.get(form, set()) & keys
        if len(own) == 1:
            found[form] = own
            continue
        found[form] = {k for k in keys if not any(a in keys for a in anc(k)[1:])}
    index = {k: frozenset(v) for k, v in found.items()}
    singles = sorted(k for k in index if " " not in k and len(k) >= 3)
    # the longest term (in words) that starts with each word
    starts: dict[str, int] = {}
    for k in index:
        if " " in k:
            first = k.split(" ", 1)[0]
            starts[first] = max(starts.get(first, 1), k.count(" ") + 1)
    term_words: dict[str, set[str]] = defaultdict(set)
    for k, named in index.items():
        for key in named:
            term_words[key].update(w for w in k.split(" ") if len(w) >= 3)
    lex = _Lexicon(index=index,
                   nordic=frozenset(k for k in nordic if " " not in k and k in index),
                   max_words=max((k.count(" ") + 1 for k in index), default=1),
                   singles=singles, by_initial=_by_initial(singles),
                   multi=sorted(k for k in index if " " in k),
                   # heads of compounds: at least four letters
                   head_set=frozenset(k for k in singles if len(k) >= 4),
                   starts=starts, term_words=term_words)
    if len(_LEXICONS) >= _LEXICONS_KEPT:  # the oldest goes: taxonomies are few and long-lived
        del _LEXICONS[next(iter(_LEXICONS))]
    _LEXICONS[id(taxonomy)] = (taxonomy, lex)
    return lex


class Recognizer:
    """Recognition against one taxonomy (its lexicon, names and EWC map)."""

    def __init__(self, taxonomy: Taxonomy, *, mapping: Mapping[str, str] | None = None):
        self.taxonomy = taxonomy
        self.mapping = {normalise_text(k): v for k, v in (mapping or {}).items()}
        lex = _lexicon(taxonomy)
        self._index = lex.index
        self._nordic = lex.nordic
        self._max_words = lex.max_words
        self._singles = lex.singles
        self._by_initial = lex.by_initial
        self._multi = lex.multi
        self._head_set = lex.head_set
        self._starts = lex.starts
        self._kids = taxonomy.knowledge.children()
        self._term_words = lex.term_words

    # -- words -------------------------------------------------------------------
    @lru_cache(maxsize=65536)  # noqa: B019 - one recognizer per taxonomy and mapping
    def _word(self, word: str) -> tuple[frozenset[str], str, str]:
        """Resources one word names, how it was found, and the form that matched."""
        hit = self._index.get(word) or self._index.get(fold(word))
        if hit:
            return hit, "exact", word
        if len(word) < 3 or word.isdigit():
            return frozenset(), "none", word
        for lemma in self._lemmas(word):
            hit = self._index.get(lemma)
            if hit:
                return hit, "lemma", lemma
        for base in self._base_forms(word):  # an inflected form of a term or compound
            hit = self._index.get(base)
            if hit:
                return hit, "lemma", base
        named = self._named_first_part(word)
        if named:  # "karbondioksidgass", "askerester": the gas or residues of a named one
            return named
        if len(word) >= 7:  # a close typo of a whole word beats a compound's head
            from rapidfuzz import fuzz, process

            close = process.extractOne(fold(word), self._typo_choices(word),
                                       scorer=fuzz.ratio, score_cutoff=90)
            if close:
                return self._index[close[0]], "fuzzy", close[0]
        if len(word) >= 6:  # the head of a compound: its longest known last part
            for form in (word, *self._lemmas(word)):
                for size in range(len(form) - 2, 3, -1):
                    if form[-size:] in self._head_set:
                        head = form[-size:]
                        return (self._index[head],
                                "gas_compound" if head in _STATE_NOUNS else "compound", head)
        if len(word) >= 4:
            from rapidfuzz import fuzz, process

            best = process.extractOne(fold(word), self._typo_choices(word),
                                      scorer=fuzz.ratio,
                                      score_cutoff=84 if len(word) >= 5 else 88)
            if best:
                return self._index[best[0]], "fuzzy", best[0]
        return frozenset(), "none", word

    def _typo_choices(self, word: str) -> Sequence[str]:
        """The one-word terms a typo of ``word`` may stand for: those with its first
        letter (a typo seldom changes the first letter, and "askerester", ash residues,
        is then no typo of "maskrester", spent grain residues)."""
        return self._by_initial.get(fold(word)[:1], ())

    def _named_first_part(self, word: str) -> tuple[frozenset[str], str, str] | None:
        """A compound of a resource's name and a state noun (``hydrogengass``,
        ``rikkidioksidikaasu``, ``koldioxidgas``) or a word for residues (``askerester``,
        ``glasavfall``): the first part names the flow, the second only says it is a gas
        or what is left of it. ``None`` when ``word`` is no such compound."""
        for state in (*_STATE_NOUNS, *_RESIDUE_NOUNS):
            first = word[:-len(state)].rstrip("-")
            if not word.endswith(state) or len(first) < 3:
                continue
            for form in (first, first[:-1] if first.endswith(("s", "e")) else ""):
                hit = (self._index.get(form) or self._index.get(fold(form))) if form else None
                if hit:
                    return hit, "compound", form
        return None

    @staticmethod
    @lru_cache(maxsize=65536)
    def _finnish_genitive(word: str) -> bool:
        """``word`` reads as a Finnish genitive (``jäähdytyksen``, ``rikkihapon``,
        ``rikkihappotehtaan``): it ends in ``-n`` and Finnish lemmatisation takes the
        ending off, for the word or for its last part."""
        if len(word) < 5 or not word.endswith("n"):
            return False
        import simplemma

        for k in range(0, len(word) - 4):
            part = word[k:]
            lemma = simplemma.lemmatize(part, lang="fi")
            if lemma != part and not lemma.endswith("n") and simplemma.is_known(part, lang="fi"):
                return True
        return False

    def _sequence(self, seq: list[str]) -> tuple[frozenset[str], str, str]:
        """Resources a sequence of words names: as written, as one compound, or with its
        last word inflected (``renset avløpsvannet`` -> ``renset avløpsvann``)."""
        text = " ".join(seq)
        hit = self._index.get(text) or self._index.get("".join(seq))
        if hit:
            return hit, "exact", text
        last = seq[-1]
        if self._starts.get(seq[0], 1) < len(seq):
            return frozenset(), "none", text
        for base in (*self._lemmas(last), *_stripped(last)):
            form = " ".join((*seq[:-1], base))
            hit = self._index.get(form)
            if hit:
                return hit, "lemma", form
        return frozenset(), "none", text

    @lru_cache(maxsize=65536)  # noqa: B019
    def _base_forms(self, word: str) -> tuple[str, ...]:
        """Forms of the lexicon that ``word`` may inflect, found without a dictionary of
        every compound: the word without a definite, plural or case ending (``slammet``,
        ``gassene``, ``biokaasua``), then a compound whose last part is inflected
        (``kalalietteet`` = ``kala`` + ``lietteet`` -> ``kalaliete``), its last part's
        lemma from ``simplemma``. Only forms in the lexicon are returned."""
        if len(word) < 5 or word.isdigit():
            return ()
        index = self._nordic
        out: list[str] = []
        for base in _stripped(word):
            if base in index and base not in out:
                out.append(base)
        if out:
            return tuple(out)
        for i in range(2, len(word) - 3):  # the longest inflected last part first
            head, tail = word[:i], word[i:]
            if len(tail) < 4:
                continue
            for base in (*self._lemmas(tail), *_stripped(tail)):
                form = head + base
                if base != tail and len(base) >= 4 and form in index and form not in out:
                    out.append(form)
            if out:
                break
        return tuple(out)

    @staticmethod
    @lru_cache(maxsize=65536)
    def _lemmas(word: str) -> tuple[str, ...]:
        import simplemma

        out = []
        for lang in _LEMMA_LANGS:
            lemma = simplemma.lemmatize(word, lang=lang).lower()
            if lemma != word and lemma not in out:
                out.append(lemma)
        return tuple(out)

    # -- a cell ------------------------------------------------------------------
    def recognise(self, text: str) -> Recognition:
        return self._recognise(normalise_text(text), text)

    def _recognise(self, norm: str, original: str) -> Recognition:
        return self._cached(norm, tuple(sorted(_proper_names(original))))._replace_text(
            original)

    @lru_cache(maxsize=65536)  # noqa: B019
    def _cached(self, norm: str, proper: tuple[str, ...] = ()) -> _Result:
        """A cell read: its qualifiers, then its words (read once per wording: cells that
        differ only in a qualifier, "spillvarme 60 °C" and "spillvarme 45 °C", share the
        reading of their words), then what the qualifiers decide (a kind by purity) and
        the confidence in that."""
        tax = self.taxonomy
        if norm in self.mapping:
            key = self.mapping[norm]
            q, _ = _qualifiers(norm, tax.ewc_codes)
            return _Result(key, 1.0, q, (norm,), ((key, 1.0),), "mapping")
        q, cut = _qualifiers(norm, tax.ewc_codes)
        ewc = q.get("ewc")
        read = self._wording(" ".join(cut.split()), ewc if isinstance(ewc, str) else None,
                             proper)
        if read.state is not None:
            q["state"] = read.state
        if not read.ranked:
            return _Result(None, 0.0, q, (), (), "none")
        ranked, best_score = read.ranked, read.ranked[0][1]
        best = self._by_qualifier(read.best, q)
        related = set(tax.ancestors(best))
        rival = next((s for k, s in ranked[1:]
                      if k not in related and best not in tax.ancestors(k)), 0.0)
        conf = _WEIGHT.get(read.method, 0.6) * (0.55 + 0.45 * read.explained)
        if read.mix:
            conf *= 0.8  # a mix of several resources, read as what they have in common
        elif rival:
            conf *= 1.0 - 0.5 * min(rival / best_score, 1.0)
        if best in tax.knowledge.generic:
            conf *= 0.95
        suggestions = tuple((k, round(min(s / (best_score + 1e-9), 1.0) * conf, 2))
                            for k, s in ranked[:3])
        if suggestions and suggestions[0][0] != best:
            suggestions = ((best, round(conf, 2)), *[x for x in suggestions if x[0] != best])[:3]
        return _Result(best, round(conf, 3), q, read.evidence, suggestions, read.method)

    @lru_cache(maxsize=65536)  # noqa: B019
    def _wording(self, cut: str, ewc: str | None, proper: tuple[str, ...]) -> _Words:
        """The words of a cell with its qualifiers cut out, read (nothing ranked when
        no word names a resource)."""
        tax = self.taxonomy
        exact_key = self._index.get(" ".join(_WORD.findall(cut)))
        words = _WORD.findall(cut)
        names = set(proper)
        weight: list[float] = []
        purpose: list[bool] = []  # in a purpose clause: what the flow is for
        source_clause = in_purpose = False
        listed = False  # after a comma or semicolon: a list or an aside
        depth, last = 0, 0
        gaps: list[str] = []
        for m in _WORD.finditer(cut):
            w = m.group(0)
            gap = cut[last:m.start()]
            gaps.append(gap)
            last = m.end()
            depth = max(depth + gap.count("(") - gap.count(")"), 0)
            listed = listed or "," in gap or ";" in gap
            aside = listed or depth > 0  # a parenthesis is an aside until it closes
            if w in _SOURCE_WORDS:
                source_clause = True
                in_purpose = w in _PURPOSE_WORDS
            if w in names:
                weight.append(0.2)
                purpose.append(in_purpose)
            elif w.endswith(_FINNISH_SOURCE_ENDINGS) and len(w) > 6 and weight:
                weight.append(0.3)
                purpose.append(in_purpose or w.endswith(_FINNISH_PURPOSE_ENDINGS))
            else:
                weight.append(0.3 if source_clause else (0.6 if aside else 1.0))
                purpose.append(in_purpose)
        for k, w in enumerate(words):  # "kuivausta varten": the word before says what for
            if w in _FINNISH_PURPOSE_AFTER and k:
                weight[k - 1] = min(weight[k - 1], 0.3)
                purpose[k - 1] = True
        self._attributes(words, gaps, weight, purpose)
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[str]] = defaultdict(list)
        methods: dict[str, str] = {}
        used = [False] * len(words)
        hits: list[frozenset[str]] = [frozenset()] * len(words)
        first_at: dict[str, int] = {}
        content = [k for k, w in enumerate(words) if w not in _STOP and w not in _SOURCE_WORDS
                   and w not in _FINNISH_PURPOSE_AFTER
                   and weight[k] >= 1.0 and not w.replace(",", "").replace(".", "").isdigit()]
        # a bare state noun ("gas", "kaasu") names a concept only when nothing else of the
        # main part of the cell names a resource ("CO2-gass" is CO2 in the gas state)
        deferred: list[int] = []
        def take(start: int, n: int, keys: frozenset[str], how: str, form: str) -> None:
            seq = words[start:start + n]
            for k in range(start, start + n):
                used[k] = True
                hits[k] = keys
            for key in keys:
                first_at.setdefault(key, start)
            strength = max(weight[start:start + n]) * _WEIGHT[how] * (1 + 0.5 * (n - 1))
            share = strength / len(keys)
            for key in keys:
                scores[key] += share
                evidence[key].append(form if form == " ".join(seq) else
                                     f"{' '.join(seq)}~{form}")
                methods[key] = _better_method(methods.get(key), how)

        # word sequences, longest first, as written (then the same words joined)
        for n in range(min(self._max_words, len(words)), 0, -1):
            for start in range(len(words) - n + 1):
                if any(used[start:start + n]):
                    continue
                if n > 2 and self._starts.get(words[start], 1) < n:
                    continue  # no term of n words starts here
                seq = words[start:start + n]
                if n == 1:
                    if seq[0] in _STOP or seq[0] in _SOURCE_WORDS or \
                            seq[0] in _FINNISH_PURPOSE_AFTER:
                        continue
                    if seq[0] in _STATE_NOUNS:
                        deferred.append(start)
                        continue
                    keys, how, form = self._word(seq[0])
                else:
                    keys, how, form = self._sequence(seq)
                if keys:
                    take(start, n, keys, how, form)
        if not any(used[k] and weight[k] >= 0.6 for k in range(len(words))):
            for start in deferred:
                keys, how, form = self._word(words[start])
                if keys:
                    take(start, 1, keys, how, form)
        if not scores and cut.strip():  # a typo in a name of several words
            from rapidfuzz import fuzz, process

            whole = " ".join(w for w in words if w not in _STOP)
            best_name = process.extractOne(fold(whole), self._multi, scorer=fuzz.ratio,
                                           score_cutoff=86) if len(whole) >= 6 else None
            if best_name:
                for key in self._index[best_name[0]]:
                    scores[key] += _WEIGHT["fuzzy"] / len(self._index[best_name[0]])
                    evidence[key].append(f"{whole}~{best_name[0]}")
                    methods[key] = "fuzzy"
                used = [True] * len(words)
        state = None
        for k, w in enumerate(words):  # state words (nouns only when not part of a name)
            if w in _STATE_OF and state is None and not (used[k] and w in _STATE_NOUNS):
                state = _STATE_OF[w]
        if ewc is not None and ewc in tax.ewc_map:
            key = tax.ewc_map[ewc]
            scores[key] += 1.5
            evidence[key].append(f"EWC {ewc}")
            methods[key] = "ewc"
        if exact_key and len(exact_key) == 1:
            (key,) = exact_key
            scores[key] += 0.5
        if not scores:
            return _Words(best="", ranked=(), mix=False, explained=0.0, method="none",
                          evidence=(), state=state)
        # consistent hits support each other: a kind earns part of its concept's score
        total = dict(scores)
        for key in scores:
            for anc in tax.ancestors(key)[1:]:
                if anc in scores:
                    total[key] += 0.6 * scores[anc]
        ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        best = ranked[0][0]
        mix = self._mix(ranked, first_at, weight, words, gaps)
        if mix is not None:
            best = mix
        else:
            best = self._refine(best, [w for k, w in enumerate(words)
                                       if best not in hits[k] and not purpose[k]])
        # a state word that no name took ("tørket fiskeslam") is a qualifier, explained
        content = [k for k in content if used[k] or words[k] not in _STATE_OF]
        explained = sum(1 for k in content if used[k]) / max(len(content), 1)
        return _Words(best=best, ranked=tuple(ranked), mix=mix is not None,
                      explained=explained, method=methods.get(ranked[0][0], "exact"),
                      evidence=tuple(evidence[ranked[0][0]]), state=state)

    def _attributes(self, words: list[str], gaps: list[str], weight: list[float],
                    purpose: list[bool]) -> None:
        """Finnish genitive attributes weigh as context. In a Finnish noun phrase the
        head comes last and a genitive before it says whose or of what
        (``rikkihappotehtaan jäähdytyksen hukkalämpö``: waste heat of the cooling of the
        sulphuric-acid plant). A genitive is an attribute when a later word of the same
        clause names a resource, and part of a purpose phrase when it comes before a
        word that says what for (``rikkihapon raaka-aineeksi``: as raw material for
        sulphuric acid). A genitive followed by no word that names a resource (a close
        typo is no name here) keeps its weight (``lämmön talteenotto``: heat recovery).
        The parts of a hyphenated word share its purpose (``raaka-aineeksi``)."""
        for k in range(len(words) - 2, -1, -1):  # "raaka-aineeksi": one word, for what
            if gaps[k + 1].strip() == "-" and purpose[k + 1] and weight[k + 1] < 1.0:
                weight[k], purpose[k] = min(weight[k], weight[k + 1]), True
        for k, w in enumerate(words[:-1]):
            if weight[k] < 1.0 or not self._finnish_genitive(w):
                continue
            for j in range(k + 1, min(k + 4, len(words))):
                if any(ch in gaps[j] for ch in ",;()/"):
                    break  # the clause ends
                if purpose[j] and weight[j] < 1.0:
                    weight[k], purpose[k] = 0.3, True
                    break
                if weight[j] >= 0.6 and words[j] not in _STOP and words[j] not in _SOURCE_WORDS \
                        and self._word(words[j])[1] in ("exact", "lemma", "compound"):
                    weight[k] = 0.3
                    break

    def _mix(self, ranked: list[tuple[str, float]], first_at: Mapping[str, int],
             weight: list[float], words: list[str], gaps: list[str]) -> str | None:
        """A cell that lists resources ("flis, spon og sagflis", "fiskrens och slam") names
        a mixed flow: read as the nearest concept they share, or as the first named when
        they share none. ``None`` when the cell is no such list."""
        best, best_score = ranked[0]
        anc = self.taxonomy.ancestors
        items = [k for k, sc in ranked if sc >= 0.5 * best_score and k in first_at
                 and weight[first_at[k]] >= 0.6]
        if best not in items:
            return None
        # unrelated items only (a concept and its kind are one reading); a concept named
        # beside kinds it covers ("lietteet (bioliete, yhdyskuntaliete)") gives way to them,
        # so that two kinds listed under it are read as what they share
        specific = [k for k in items if not any(k != x and k in anc(x) for x in items)]
        distinct: list[str] = []
        for k in sorted(specific, key=lambda k: first_at[k]):
            if not any(k in anc(x) or x in anc(k) for x in distinct):
                distinct.append(k)
        if len(distinct) < 2:
            return None
        lo, hi = first_at[distinct[0]], first_at[distinct[-1]]
        joined = any(w in _LIST_WORDS for w in words[lo + 1:hi]) or any(
            any(ch in g for ch in ",/&+") for g in gaps[lo + 1:hi + 1])
        if not joined:
            return None
        common = [a for a in anc(distinct[0]) if all(a in anc(x) for x in distinct[1:])]
        return common[0] if common else distinct[0]

    def _refine(self, best: str, others: list[str]) -> str:
        """A generic concept becomes one of its kinds when another word of the cell
        (``others``: the words that did not name the concept) names that kind in the
        kind's own terms (``"sludge from the fish farm"`` -> fish sludge)."""
        if best not in self.taxonomy.knowledge.generic:
            return best
        words = {w for w in others if len(w) >= 3 and w not in _STOP
                 and w not in _SOURCE_WORDS}
        forms = set(words) | {fold(w) for w in words}
        for w in words:
            forms.update(self._lemmas(w))
        prefixes = {f[:5] for f in forms if len(f) >= 5}
        choice, hits = best, 0
        for kid, words_of_kid, kid_prefixes in self._kinds_of(best):
            n = len(forms & words_of_kid) + len(prefixes & kid_prefixes)
            if n > hits:
                choice, hits = kid, n
        return choice

    @lru_cache(maxsize=1024)  # noqa: B019
    def _kinds_of(self, concept: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
        """Every kind below ``concept`` with the words of its own terms (those it does not
        share with the concept) and their five-letter prefixes."""
        own = self._term_words.get(concept, set())
        out = []
        stack = list(self._kids.get(concept, ()))
        while stack:
            kid = stack.pop()
            stack.extend(self._kids.get(kid, ()))
            words = frozenset(self._term_words.get(kid, set()) - own)
            out.append((kid, words, frozenset(w[:5] for w in words if len(w) >= 5)))
        return tuple(out)

    def _by_qualifier(self, best: str, q: Mapping[str, float | str | bool]) -> str:
        """The kind a qualifier names (CO2 at 99.9 % is high-purity CO2)."""
        for concept, name, op, value, kind in self.taxonomy.knowledge.qualifier_kinds:
            have = q.get(name)
            if concept != best or not isinstance(have, float | int):
                continue
            if {"<": have < value, "<=": have <= value, ">": have > value,
                    ">=": have >= value}[op]:
                return kind
        return best

    def recognise_many(self, texts: Iterable[str]) -> list[Recognition]:
        return [self.recognise(t) for t in texts]


@lru_cache(maxsize=65536)
def _stripped(word: str) -> tuple[str, ...]:
    """``word`` without each ending of :data:`_ENDINGS` (at least four letters left),
    with a doubled last consonant made single (``slamm`` -> ``slam``), a dropped ``e``
    put back (``vattn`` -> ``vatten``) and a Finnish ``e`` stem read as ``i``
    (``kuore`` -> ``kuori``)."""
    out: list[str] = []
    for end in _ENDINGS:
        if not word.endswith(end) or len(word) - len(end) < (5 if end in "ntrs" else 4):
            continue  # a short stem without one consonant is too often another word
        base = word[:-len(end)]
        forms = [base]
        if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in _VOWELS:
            forms.append(base[:-1])
        if base[-1] in "nlr" and base[-2] not in _VOWELS:
            forms.append(base[:-1] + "e" + base[-1])
        if end in ("t", "n", "ta", "tä") and base[-1] in "er":
            forms.append((base[:-1] if base[-1] == "e" else base) + "i")
        out.extend(f for f in forms if f not in out)
    return tuple(out)


def _better_method(old: str | None, new: str) -> str:
    order = ("mapping", "ewc", "exact", "lemma", "compound", "fuzzy", "gas_compound")
    if old is None:
        return new
    return old if order.index(old) <= order.index(new) else new


@dataclass(frozen=True)
class _Words:
    """What the words of a cell say, before its qualifiers are weighed: the reading
    (``best``), every resource named with its score (best first), whether the cell is a
    mix, the share of its words explained, how the top one was found, the words that
    decided it and the state a word gave."""

    best: str
    ranked: tuple[tuple[str, float], ...]
    mix: bool
    explained: float
    method: str
    evidence: tuple[str, ...]
    state: str | None


@dataclass(frozen=True)
class _Result:
    resource: str | None
    confidence: float
    qualifiers: Mapping[str, float | str | bool]
    evidence: tuple[str, ...]
    suggestions: tuple[tuple[str, float], ...]
    method: str

    def _replace_text(self, text: str) -> Recognition:
        return Recognition(text=text, resource=self.resource, confidence=self.confidence,
                           qualifiers=dict(self.qualifiers), evidence=self.evidence,
                           suggestions=self.suggestions, method=self.method)


def load_mapping(path: str | Path, taxonomy: Taxonomy | None = None) -> dict[str, str]:
    """A confirmed mapping file ``text,resource`` (a header row is optional; a text that
    the template quoted for spreadsheets, ``'=...``, is read without the apostrophe)."""
    tax = taxonomy or default_taxonomy()
    path = Path(path)
    out: dict[str, str] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read mapping {path}: {exc}") from exc
    for i, row in enumerate(rows, start=1):
        if not row or not any(c.strip() for c in row):
            continue
        if i == 1 and [c.strip().lower() for c in row[:2]] == ["text", "resource"]:
            continue
        if len(row) < 2 or not row[0].strip():
            raise DataFileError(f"{path.name}, row {i}, field 'text': a row is text,resource")
        key = row[1].strip()
        if key not in tax.resources:
            key = tax.resolve(key)[0]  # a name or alias of a resource
        if key not in tax.resources:
            raise DataFileError(f"{path.name}, row {i}, field 'resource': unknown resource "
                                f"{row[1].strip()!r}")
        out[normalise_text(spreadsheet_text(row[0]))] = key
    return out


_SHARED: dict[int, Recognizer] = {}


def recognizer(taxonomy: Taxonomy | None = None, *,
               mapping: Mapping[str, str] | None = None) -> Recognizer:
    """A recognizer for ``taxonomy`` (shared per taxonomy when there is no mapping)."""
    tax = taxonomy or default_taxonomy()
    if mapping:
        return Recognizer(tax, mapping=mapping)
    rec = _SHARED.get(id(tax))
    if rec is None or rec.taxonomy is not tax:
        rec = _SHARED[id(tax)] = Recognizer(tax)
    return rec
