"""The concepts of the grouping model: matters in residents' words (`concepts.txt`), for short
messages of one matter that share no characters ("楼道里黑漆漆的 感应灯早不亮了" / "单元里的灯全
坏了"). The file is data, checked when loaded (`load_concepts`); the words said of many matters
weigh little (`concept_weight`), and alternatives of one kind of matter clash (`FAMILIES`).
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

CONCEPTS_FILE = Path(__file__).with_name("concepts.txt")


@dataclass(frozen=True)
class Concept:
    name: str
    pattern: re.Pattern[str]


class ConceptFileError(ValueError):
    """The concepts file is malformed (see `load_concepts`)."""


def load_concepts(path: Path = CONCEPTS_FILE) -> tuple[Concept, ...]:
    """The concepts of a file of sections `[name]` each followed by its forms, one regular
    expression a line (`#` starts a comment). Refuses a form outside a section, a name twice,
    a concept without forms, a form that does not compile or matches the empty text."""
    concepts: dict[str, list[str]] = {}
    name = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if not name or name in concepts:
                raise ConceptFileError(f"line {number}: concept {name!r} empty or named twice")
            concepts[name] = []
            continue
        if not name:
            raise ConceptFileError(f"line {number}: a form before any [concept]")
        try:
            pattern = re.compile(line)
        except re.error as error:
            raise ConceptFileError(f"line {number}: {line!r} does not compile: {error}") from None
        if pattern.search(""):
            raise ConceptFileError(f"line {number}: {line!r} matches an empty text")
        if line in concepts[name]:
            raise ConceptFileError(f"line {number}: {line!r} twice in [{name}]")
        concepts[name].append(line)
    empty = [n for n, forms in concepts.items() if not forms]
    if empty:
        raise ConceptFileError(f"concepts without forms: {', '.join(empty)}")
    return tuple(Concept(n, re.compile("|".join(forms))) for n, forms in concepts.items())


# Concepts said of many matters, never what a message is about: they weigh GENERIC_WEIGHT.
GENERIC_CONCEPTS = frozenset(
    ["噪音", "卫生", "安全隐患", "破损", "缺少", "物业", "楼道", "商铺", "黑暗"]
)
GENERIC_WEIGHT = 0.3


# Concepts that are alternatives of one another: two messages each naming a different member
# (and not the other's) are about two matters.
FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "水质 停水 漏水 水压",
        "超速 停车 充电 被盗 充电桩",
        "电动车 共享单车 机动车",
        "广场舞 娱乐场所 装修 广告屏 设备噪音 生活噪音 烧烤 叫卖 工地 泵房噪音",
        "垃圾桶满 垃圾站 楼道垃圾 倾倒",
        "健身器材 儿童游乐",
        "路灯 楼道灯",
        "加装电梯 破损",
        "破损 缺少",
        "出店经营 流动摊贩 晒粮",
        "楼道 商铺",
        "燃气改造 漏气",
        "信号 基站",
        "车位租售 收费",
        "遛狗 宠物粪便",
        "消防通道 外来车",
        "工业污染 夜间施工",
        "装修损坏 噪音",
    )
)


def concept_weight(concept: str) -> float:
    return GENERIC_WEIGHT if concept in GENERIC_CONCEPTS else 1.0


@functools.cache
def concepts() -> tuple[Concept, ...]:
    return load_concepts()
