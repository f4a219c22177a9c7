"""Evidence that a concern and an open issue are one matter, computed cheaply.

What is read from a concern's text once (`read_text`), and what is compared for a pair
(`pair_evidence`):

- *lexical*: character 2–3-grams and jieba words, with sublinear term frequency, weighted by an
  IDF learnt online from the district's own concerns and, while the district has little history,
  by the word IDF table jieba ships (`Idf`). Long formal posts are told apart by their specific
  words and places;
- *concepts*: a small vocabulary of matters as data (`concepts.txt`, loaded and checked by
  `concepts.py`), for short colloquial messages of one matter that share no characters
  ("楼道里黑漆漆的 感应灯早不亮了" / "单元里的灯全坏了");
- *named places*: buildings and units, compounds, roads, gates, markets and schools, districts
  and counties (A3区, 梅岭县): the same concrete place is evidence for, two different places of
  one kind evidence against; another building weighs by the length of the texts (in a long post
  a resident names their own building even when the whole compound's deeds are late);
- the *lengths* of both texts (templates such as 来电人反映：, 尊敬的领导, signatures removed) and
  the *categories* when given.

`model.py` turns the evidence into a probability with fitted weights; nothing here is tuned by
hand beyond the definitions of the features.
"""

import functools
import json
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from concerns.intake.concepts import FAMILIES, concept_weight, concepts
from concerns.intake.idf import Idf, part_norms, prior_idf, prior_table
from concerns.intake.spelling import ABBREVIATIONS, LETTERS, TRADITIONAL, TYPO, TYPOS

HERE = Path(__file__).parent

# Feature definitions (not fitted): how many terms a reading and an issue's profile keep, how
# many pseudo-documents the general prior weighs as, the length counted as "long".
READING_TERMS = 400
PROFILE_TERMS = 400
# Single characters kept of a text (by their prior weight) and of an issue's profile (the
# heaviest of its centroid): a short message's characters are few, a group of long posts has
# many, most of them said of every matter.
PROFILE_CHARACTERS = 200
INDEX_TERMS = 40
LOOKUP_TERMS = 10
LONG_TEXT = 200

# What is the same in unrelated messages: a letter's greeting and signature, the hotline
# operator's frame, phone numbers.
_TEMPLATES = re.compile(
    r"此致\s*敬礼.*"
    r"|尊敬的[^，,：:！!。\n]{0,20}?(?:领导|同志|书记|主任|市长|区长|县长|局长|负责人|工作人员)们?"
    r"|(?:您|你)们?好|谢谢(?:您|你|领导)?|感谢(?:您|你)?"
    r"|来电人?(?:反映|称|表示|询问)|诉求人?(?:反映|称|表示|来电)?"
    r"|(?:市民|网友|居民|群众)(?:来电)?反映|请(?:相关)?(?:职能)?部门(?:核实|尽快)?处理"
    r"|核实处理|请尽快处理|联系(?:电话|方式)|电话|1[3-9]\d{9}|\d{3,4}-\d{7,8}",
    re.DOTALL,
)
_RUNS = re.compile(r"[\u4e00-\u9fffa-z0-9]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffa-z0-9]")
# A building's number however it is written (3号楼 / 三号楼 / 3栋 / 3#楼 / B座), not a count of
# buildings (隔了两栋楼, 这几栋).
_BUILDING = re.compile(
    r"(?<![0-9.隔这那几好每])([0-9]{1,3}|[一二三四五六七八九十]{1,3}|(?<![a-z])[a-z])"
    r"\s*(?:号楼|栋|幢|#|座)"
)
_GATE = re.compile(r"([东南西北])(?:大)?门")
# A district or county as boards name them ("A市A3区", "鹤山区", "梅岭县"), not a kind of area
# (小区, 片区, 社区, 城区, 园区, 景区, 学区…).
_DISTRICT = re.compile(
    r"(?<![a-z0-9])([a-z][0-9]{1,2}|[^\W\d_]{2}(?![区县]里))"  # 听说区里要…: the government
    r"(?<![小片社城园景辖郊市该本住矿厂校营商发军学])[区县]"
)
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")}
# Named places by the kind of place their last characters say: compounds (区), roads (路),
# venues (场); a place's name is the two characters before, none of them a common word's (人民路,
# 解放大道, 阳光花园; not 马路, 那条路, 堆到路边).
_NOT_A_NAME = (
    "的了在把到着是有个那这条段半马走过堆里上下口一天漫拉滴用停摆横排压盖码占得车区村道小"
    "老地能就还问连黑亮修夜边面间家共后部分外满清不又点雨泥往庄子烟叶贩市头线主晚复公水"
    "我你他们该本此其某号楼栋单元"
)
_NAMED = re.compile(
    rf"(?P<name>[^\W\d_{_NOT_A_NAME}]{{2}})"
    r"(?:(?P<区>小区|花园|家园|公寓|大厦|新村|苑|府(?<!政府)|城(?![管市区乡建际])|村|片区)"
    r"|(?P<镇>镇|乡|街道)"
    r"|(?P<路>(?:路|大道|大街|街|巷|胡同|桥(?![路街道]))(?![灯面线费由过人途径程边]))"
    r"|(?P<场>菜市场|市场|广场|公园|学校|小学|中学|幼儿园|医院|商场|超市))"
)
_VENUE = re.compile("农贸市场|菜市场|菜场|市场|公园|学校|小学|中学|幼儿园|医院|商场|超市")
_VENUE_KINDS = {
    "农贸市场": "市场",
    "菜市场": "市场",
    "菜场": "市场",
    "小学": "学校",
    "中学": "学校",
}


_jieba_lock = threading.Lock()


@functools.cache
def _jieba():
    import jieba

    with _jieba_lock:
        jieba.setLogLevel(60)
        jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load jieba and the tables now (a worker does it once at start, not on a request)."""
    _jieba()
    prior_table()
    concepts()


def normalise(text: str) -> str:
    """Lower case, half width, simplified, common typos fixed, templates removed."""
    text = unicodedata.normalize("NFKC", text).lower().translate(TRADITIONAL)
    text = TYPO.sub(lambda m: TYPOS[m.group()], text)
    text = LETTERS.sub(lambda m: ABBREVIATIONS.get(m.group(), m.group()), text)
    return _TEMPLATES.sub(" ", text)


@dataclass(frozen=True)
class Reading:
    """What is read from one text: term → sublinear frequency (a character gram, or "_" and
    a jieba word), the concepts and places it names ("@kind:name"), its length without
    templates, its category if given."""

    terms: Mapping[str, float]
    concepts: frozenset[str]
    places: frozenset[str]
    length: int
    category: str = ""
    # Single Chinese characters → sublinear frequency: short messages of one matter often
    # share one character and no word (感应灯 / 灯全坏了).
    characters: Mapping[str, float] = field(default_factory=dict)
    # Derived once, for comparing the reading with many issues (`pair_evidence`).
    concept_weights: Mapping[str, float] = field(init=False, repr=False, compare=False)
    concept_norm: float = field(init=False, repr=False, compare=False)
    # (the family, the reading's concepts of it) for each family it names a member of
    families: tuple[tuple[frozenset[str], frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )
    kinds: Mapping[str, set[str]] = field(init=False, repr=False, compare=False)
    log_length: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = {c: concept_weight(c) for c in self.concepts}
        derived = {
            "concept_weights": weights,
            "concept_norm": sum(w * w for w in weights.values()),
            "families": tuple(
                (family, self.concepts & family) for family in FAMILIES if self.concepts & family
            ),
            "kinds": _kinds(self.places),
            "log_length": math.log1p(self.length),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


def _building_number(written: str) -> str:
    if written.isdigit():
        return str(int(written))
    if written.isascii():
        return written
    tens, ten, units = written.rpartition("十")
    if not ten:
        return str(_NUMERALS.get(written, 0)) if len(written) == 1 else ""
    return str(10 * (_NUMERALS.get(tens, 0) if tens else 1) + _NUMERALS.get(units, 0))


def _places(clean: str, place_names: Iterable[str]) -> set[str]:
    found = set()
    for written in _BUILDING.findall(clean):
        number = _building_number(written)
        if number and number != "0":
            found.add(f"@楼:{number}")
    found.update(f"@门:{side}" for side in _GATE.findall(clean))
    found.update(f"@辖:{name}" for name in _DISTRICT.findall(clean))
    for match in _NAMED.finditer(clean):
        kind = next(k for k in ("区", "镇", "路", "场") if match.group(k))
        found.add(f"@{kind}:{match.group('name')}")
    if not any(place.startswith("@场:") for place in found):
        # A venue named only by what it is: the market, the park, the school.
        found.update(f"@场:{_VENUE_KINDS.get(v, v)}" for v in _VENUE.findall(clean))
    for name in place_names:
        written = normalise(name).strip()
        if len(written) >= 2 and written in clean:
            found.add(f"@区:{written}")
    return found


# Where in an estate, not what: a building, unit or room number ("3号楼", "2单元501室").
_UNITS = re.compile(r"[0-9一二三四五六七八九十]+\s*(?:号楼|号院|栋|幢|座|单元|室|楼)")


def _lexical(clean: str, place_names: Iterable[str]) -> str:
    """The text compared word by word: without the community's own place names and unit
    numbers, which two messages of one estate share whatever they are about (the places are
    evidence of their own, `Reading.places`)."""
    for name in sorted({n for n in place_names if len(n) >= 2}, key=len, reverse=True):
        clean = clean.replace(normalise(name), " ")
    return _UNITS.sub(" ", clean)


def read(text: str, place_names: Iterable[str] = (), category: str = "") -> Reading:
    clean = normalise(text)
    place_names = list(place_names)
    lexical = _lexical(clean, place_names)
    counts: dict[str, int] = {}
    length = 0
    for run in _RUNS.findall(lexical):
        length += len(run)
        for size in (2, 3):
            for start in range(len(run) - size + 1):
                gram = run[start : start + size]
                counts[gram] = counts.get(gram, 0) + 1
    words = [w for w in _jieba().lcut(lexical) if w.strip()]
    for word in words:
        if len(word) >= 2 and _HAS_WORD_CHAR.search(word):
            key = "_" + word
            counts[key] = counts.get(key, 0) + 1
    terms = {term: 1 + math.log(count) for term, count in counts.items()}
    if len(terms) > READING_TERMS:
        kept = sorted(terms, key=lambda t: terms[t] * prior_idf(t), reverse=True)
        terms = {t: terms[t] for t in kept[:READING_TERMS]}
    named = frozenset(c.name for c in concepts() if c.pattern.search(clean))
    return Reading(
        terms=terms,
        characters=_characters(lexical),
        concepts=named,
        places=frozenset(_places(clean, place_names)),
        length=length,
        category=category,
    )


def _characters(lexical: str) -> dict[str, float]:
    counts: dict[str, int] = {}
    for character in _HAN.findall(lexical):
        counts[character] = counts.get(character, 0) + 1
    kept = sorted(counts, key=lambda c: (1 + math.log(counts[c])) * prior_idf(c), reverse=True)
    return {c: 1 + math.log(counts[c]) for c in kept[:PROFILE_CHARACTERS]}


@dataclass(frozen=True)
class Profile:
    """An open issue's accumulated reading (`Issue.terms`): how many concerns, the sum of their
    unit-length term vectors (capped), concept / place / category counts, their mean length."""

    count: int = 0
    terms: Mapping[str, float] = field(default_factory=dict)
    concepts: Mapping[str, int] = field(default_factory=dict)
    places: Mapping[str, int] = field(default_factory=dict)
    categories: Mapping[str, int] = field(default_factory=dict)
    length: float = 0.0
    norms: tuple[float, float] = (0.0, 0.0)
    # The sum of its concerns' unit character vectors, each weighed by the district's IDF when
    # it was folded in (as the lexical baseline's centroids), and that sum's length.
    characters: Mapping[str, float] = field(default_factory=dict)
    character_norm: float = 0.0
    # Derived once (profiles are kept by parse_profile), for comparing with many concerns.
    named: frozenset[str] = field(init=False, repr=False, compare=False)
    concept_norm: float = field(init=False, repr=False, compare=False)
    kinds: Mapping[str, set[str]] = field(init=False, repr=False, compare=False)
    # the concerns naming a place of each kind
    naming: Mapping[str, int] = field(init=False, repr=False, compare=False)
    usual_category: str = field(init=False, repr=False, compare=False)
    log_length: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        count = self.count or 1
        norm = 0.0
        for seen_concept, seen in self.concepts.items():
            weighted = concept_weight(seen_concept) * seen / count
            norm += weighted * weighted
        kinds = _kinds(self.places)
        derived = {
            "named": frozenset(self.concepts),
            "concept_norm": norm,
            "kinds": kinds,
            "naming": {
                kind: sum(self.places[place] for place in places) for kind, places in kinds.items()
            },
            "usual_category": (
                max(self.categories, key=self.categories.__getitem__) if self.categories else ""
            ),
            "log_length": math.log1p(self.length),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


# json.loads without its whitespace checks around the document (fold_profile writes none).
_decode = json.JSONDecoder().raw_decode


def _as(kind: type, counts: object) -> dict:
    """A JSON object's values as `kind` (float for terms, int for counts). The object as read
    when they are all of that kind already, as fold_profile writes them: converting each
    value again was a third of parsing a long profile."""
    if not isinstance(counts, dict):
        raise TypeError("not an object")
    if set(map(type, counts.values())) <= {kind}:
        return counts
    return {str(k): kind(v) for k, v in counts.items()}


@functools.lru_cache(maxsize=8192)
def parse_profile(stored: str) -> Profile:
    """The profile of a stored text; an empty or unreadable one (an issue stored before this
    model, or by hand) is an empty profile."""
    if not stored.startswith("{"):
        return Profile()
    try:
        data, end = _decode(stored)
        if stored[end:].strip():
            raise ValueError("extra data after the profile")
        return Profile(
            count=int(data["n"]),
            terms=_as(float, data["t"]),
            concepts=_as(int, data["c"]),
            places=_as(int, data["p"]),
            categories=_as(int, data.get("k", {})),
            length=float(data["l"]),
            norms=(float(data["m"][0]), float(data["m"][1])),
            characters=_as(float, data.get("u", {})),
            character_norm=float(data.get("mu", 0.0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return Profile()


def _count(counts: Mapping[str, int], keys: Iterable[str]) -> dict[str, int]:
    merged = dict(counts)
    for key in keys:
        merged[key] = merged.get(key, 0) + 1
    return merged


def _centroid(
    centroid: Mapping[str, float], vector: Mapping[str, float], cap: int
) -> dict[str, float]:
    """The centroid with the vector added, its `cap` heaviest entries kept."""
    summed = dict(centroid)
    for key, value in vector.items():
        summed[key] = summed.get(key, 0.0) + value
    if len(summed) > cap:
        kept = sorted(summed, key=summed.__getitem__, reverse=True)
        summed = {k: summed[k] for k in kept[:cap]}
    return summed


def fold_profile(stored: str, reading: Reading, idf: "Idf | None" = None) -> str:
    """The profile with the reading added (`idf`: the district's when the concern came; the
    general prior alone when not given)."""
    profile = parse_profile(stored)
    idf = idf or Idf(0, {})
    side = {term: value for term, (value, _part) in idf.lexical_side(reading).items()}
    terms = _centroid(profile.terms, side, PROFILE_TERMS)
    characters = _centroid(profile.characters, idf.character_vector(reading), PROFILE_CHARACTERS)
    count = profile.count + 1
    data = {
        "n": count,
        "l": round((profile.length * profile.count + reading.length) / count, 1),
        "m": [round(norm, 4) for norm in part_norms(terms)],
        "t": {t: round(v, 3) for t, v in terms.items()},
        "c": _count(profile.concepts, reading.concepts),
        "p": _count(profile.places, reading.places),
        "k": _count(profile.categories, [reading.category] if reading.category else []),
        "u": {c: round(v, 3) for c, v in characters.items()},
        "mu": round(math.sqrt(sum(v * v for v in characters.values())), 4),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


FEATURES = (
    "chars",
    "words",
    "chars_long",
    "vocabulary_long",
    "names_long",
    "concepts",
    "concepts_short",
    "concept_dominant_short",
    "concept_clash",
    "compound_same",
    "compound_clash",
    "street_same",
    "street_clash",
    "street_clash_long",
    "venue_same",
    "venue_clash",
    "building_same",
    "building_clash",
    "building_clash_long",
    "district_same",
    "district_clash",
    "concept_clash_long",
    "longness",
    "length_gap",
    "category_same",
    "category_clash",
    "family_clash",
    "chars_vocabulary_long",
    "vocabulary_concepts_long",
    "names_building_long",
    "characters",
)


# Kinds of place (the key's "@kind:") by the feature they count in.
_PLACE_GROUPS = {
    "区": "compound",
    "镇": "compound",
    "路": "street",
    "场": "venue",
    "门": "venue",
    "楼": "building",
    "辖": "district",
}


_GROUPS = tuple(dict.fromkeys(_PLACE_GROUPS.values()))


def _kinds(places: Iterable[str]) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for place in places:
        kinds.setdefault(place[1 : place.index(":")], set()).add(place)
    return kinds


class _Lexical(NamedTuple):
    chars: float  # character grams
    words: float  # jieba words
    vocabulary: float  # the words of the general vocabulary (jieba's table): what is wrong
    names: float  # the other words: names of compounds, developers, roads, schools


def _lexical_evidence(reading: Reading, profile: Profile, idf: Idf) -> _Lexical:
    """Cosines of the concern's terms under the district's IDF now (a city's name on every
    post weighs nothing) and the issue's centroid of its concerns' (each weighed when it came),
    as the lexical baseline's, for the character grams and the words apart. The words are split
    into the general vocabulary and the rest, so that the fit can tell "the same problem"
    from "the same names" (two matters of one compound share its names, not its problem)."""
    side = idf.lexical_side(reading)
    theirs = profile.terms
    dots = [0.0, 0.0, 0.0]  # character grams, vocabulary words, other words
    for term in side.keys() & theirs.keys():
        value, part = side[term]
        dots[part] += value * theirs[term]
    dot_chars, dot_vocabulary, dot_names = dots
    chars_norm, words_norm = profile.norms
    chars = dot_chars / chars_norm if dot_chars else 0.0
    vocabulary_sim = dot_vocabulary / words_norm if dot_vocabulary else 0.0
    names = dot_names / words_norm if dot_names else 0.0
    return _Lexical(chars, vocabulary_sim + names, vocabulary_sim, names)


class _Concepts(NamedTuple):
    similarity: float = 0.0
    dominant: float = 0.0  # the issue's own matter (named by half its concerns) named again
    clash: float = 0.0  # both name concepts, none shared
    family_clash: float = 0.0  # each names another alternative of one kind of matter


_NO_CONCEPTS = _Concepts()


def _concept_evidence(reading: Reading, profile: Profile) -> _Concepts:
    if not (reading.concepts and profile.concepts):
        return _NO_CONCEPTS
    count = profile.count or 1
    theirs = profile.concepts
    # Concepts weigh alike however common (a matter many residents report is common in its
    # district because it is big), except the words said of many matters and never what a
    # message is about (噪音, 坏了, 楼道…): those weigh little (concept_weight; the norms are
    # the reading's and the profile's own, Reading.concept_norm and Profile.concept_norm).
    dot = 0.0
    dominant = False
    for concept, weight in reading.concept_weights.items():
        seen = theirs.get(concept, 0)
        if seen:
            dot += weight * weight * seen / count
            dominant = dominant or seen * 2 >= count
    named = profile.named
    # Alternatives of one kind of matter (停车 / 超速 / 充电 of electric bikes): each side naming
    # one the other does not is evidence of two matters.
    family_clash = any(
        mine - named and (family & named) - reading.concepts for family, mine in reading.families
    )
    return _Concepts(
        similarity=dot / math.sqrt(reading.concept_norm * profile.concept_norm) if dot else 0.0,
        dominant=float(dominant),
        clash=0.0 if dot else 1.0,
        family_clash=float(family_clash),
    )


def _place_evidence(
    reading: Reading, profile: Profile, idf: Idf
) -> tuple[dict[str, float], dict[str, float]]:
    """By group of places (compound, street, venue, building): the same place named (as
    strong as its IDF), and another place of the same kind named."""
    same = dict.fromkeys(_GROUPS, 0.0)
    clashes = dict.fromkeys(_GROUPS, 0.0)
    if not (reading.places and profile.places):
        return same, clashes
    for place in reading.places & profile.places.keys():
        group = _PLACE_GROUPS[place[1 : place.index(":")]]
        same[group] = max(same[group], idf(place) / 10)
    theirs_by_kind = profile.kinds
    count = profile.count or 1
    for kind, places in reading.kinds.items():
        if kind in theirs_by_kind and not places & theirs_by_kind[kind]:
            # As strong as the share of the concerns that named the other place: one
            # lift's report against another's is a clash; one "3号楼" among eleven reports of
            # a whole estate's yellow water is not.
            group = _PLACE_GROUPS[kind]
            clashes[group] = max(clashes[group], min(1.0, profile.naming[kind] / count))
    return same, clashes


def _categories(reading: Reading, profile: Profile) -> tuple[float, float]:
    """(same, clash): the concern's category against the issue's most usual one, when given."""
    if not (reading.category and profile.categories):
        return 0.0, 0.0
    same = float(profile.usual_category == reading.category)
    return same, 1.0 - same


def _character_similarity(reading: Reading, profile: Profile, idf: Idf) -> float:
    """The cosine of the concern's characters (under the district's IDF now) and the issue's
    centroid of them."""
    if not profile.character_norm:
        return 0.0
    mine = idf.character_vector(reading)
    theirs = profile.characters
    dot = sum(mine[c] * theirs[c] for c in mine.keys() & theirs.keys())
    return dot / profile.character_norm


_LOG_LONG = math.log1p(LONG_TEXT)


def pair_evidence(reading: Reading, profile: Profile, idf: Idf) -> tuple[float, ...]:
    """The evidence that a concern and an issue are one matter, in the order of FEATURES."""
    lexical = _lexical_evidence(reading, profile, idf)
    concepts = _concept_evidence(reading, profile)
    same, clashes = _place_evidence(reading, profile, idf)
    shortest = min(reading.length, profile.length)
    longness = min(1.0, math.log1p(shortest) / _LOG_LONG)
    gap = abs(reading.log_length - profile.log_length) / _LOG_LONG
    category_same, category_clash = _categories(reading, profile)
    chars = lexical.chars
    return (
        chars,
        lexical.words,
        chars * longness,
        lexical.vocabulary * longness,
        lexical.names * longness,
        concepts.similarity,
        concepts.similarity * (1 - longness),
        concepts.dominant * (1 - longness),
        concepts.clash,
        same["compound"],
        clashes["compound"],
        same["street"],
        clashes["street"] * (1 - longness),
        clashes["street"] * longness,
        same["venue"],
        clashes["venue"],
        same["building"],
        clashes["building"] * (1 - longness) ** 2,
        clashes["building"] * longness,
        same["district"],
        clashes["district"],
        concepts.clash * longness,
        longness,
        gap,
        category_same,
        category_clash,
        concepts.family_clash,
        # Agreements of two kinds of evidence at once, which a sum of each alone cannot weigh:
        # the same grams and the same problem words, the same problem words and the same
        # concepts, the same names and the same building (long texts).
        chars * lexical.vocabulary * longness**2,
        lexical.vocabulary * concepts.similarity * longness**2,
        lexical.names * same["building"] * longness**2,
        _character_similarity(reading, profile, idf),
    )


def ranked_terms(reading: Reading, weight: Callable[[str], float]) -> list[str]:
    return sorted(reading.terms, key=lambda t: (-reading.terms[t] * weight(t), t))
