"""Grouping concerns into issues: is this new message about a matter already open?

Residents write short, colloquial Chinese with typos, addresses and numbers ("3号楼水又黄了",
"家里自来水发黄 没法用", "水龙头放出来是锈水"). Three layers of features make two such
messages comparable:

- *concepts*: domain synonyms found by substring in the normalised text (发黄/黄水/水黄/锈水 →
  water quality), robust to how jieba happens to cut a colloquial sentence;
- *words*: jieba words minus stop words, with synonyms mapped to one word;
- *character bigrams* of the remaining Chinese text, which survive typos and odd segmentation.

Addresses, numbers and the community's own place names are removed first, so that "3号楼" in
two unrelated messages does not make them look alike. An issue stores the weighted features of
its concerns (`Issue.terms`), so a new concern is compared with a capped, indexed list of the
open issues of its own community only: the cost does not grow with the number of concerns.
"""

import functools
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# A concern joins an issue at or above this similarity; below it, it opens a new issue.
JOIN_THRESHOLD = 0.4
# Candidates shown to staff must at least reach this.
CANDIDATE_THRESHOLD = 0.12
# Only the most recently active open issues of a community are compared (indexed query).
MAX_CANDIDATES = 200
# An issue keeps at most this many weighted features.
MAX_ISSUE_TERMS = 80

CONCEPT_WEIGHT = 3.0
# Concepts that say in what state a thing is, not what it is: "灯坏了" and "门禁坏了" share
# them and are still two matters. They weigh like a word and never make a bag's core.
MODIFIER_CONCEPTS = frozenset({"破损"})
MODIFIER_WEIGHT = 1.0
WORD_WEIGHT = 1.0
BIGRAM_WEIGHT = 0.35

# Concepts: canonical name → surface forms people actually write (regular expressions, most
# of them plain words; a few allow words in between: "水又黄了", "水龙头出来的水发黄").
CONCEPTS: dict[str, tuple[str, ...]] = {
    "水质": (
        "发黄",
        "黄水",
        "水.{0,4}黄",
        "黄.{0,3}水",
        "水.{0,4}(?:浑|混|锈|脏|臭|异味)",
        "水黄",
        "变黄",
        "泛黄",
        "黄色的水",
        "水是黄",
        "锈水",
        "铁锈",
        "水锈",
        "浑浊",
        "混浊",
        "水浑",
        "浑水",
        "水质",
        "有异味的水",
        "水有味",
        "水有异味",
        "水发臭",
        "黄汤",
        "水不干净",
        "水很脏",
        "水脏",
        "自来水有",
        "黄黄的",
        "发红",
        "红水",
    ),
    "自来水": (
        "自来水",
        "水龙头",
        "龙头",
        "饮用水",
        "供水",
        "用水",
        "放水",
        "出水",
        "水管",
        "吃水",
        "水箱",
        "二次供水",
    ),
    "停水": ("停水", "没水", "没有水", "断水", "水压低", "水压小", "水流小", "水很小", "不出水"),
    "电动车": ("电动车", "电瓶车", "电驴", "小电驴", "电动自行车", "摩托车", "电摩", "电单车"),
    "超速": (
        "超速",
        "车速快",
        "车速太快",
        "骑得快",
        "骑得太快",
        "开得快",
        "开得太快",
        "飞快",
        "横冲直撞",
        "乱窜",
        "飙车",
        "速度快",
        "速度太快",
        "很快",
        "太快",
    ),
    "充电": ("飞线充电", "充电", "拉线充电", "楼道充电", "推进电梯"),
    "停车": ("停车", "乱停", "占车位", "车位", "堵路", "挡道", "堵门", "挪车"),
    "堆放": (
        "乱堆乱放",
        "乱堆",
        "乱放",
        "堆放",
        "堆杂物",
        "堆物",
        "堆满",
        "杂物",
        "占道",
        "占用通道",
        "堆在门口",
        "堆到",
        "堆在",
        "堆着",
        "码放",
        "摆在门口",
        "摆到门外",
        "摆在外面",
        "货物",
        "堆货",
    ),
    "出店经营": (
        "出店经营",
        "跨门经营",
        "越门经营",
        "占道经营",
        "店外经营",
        "门外摆摊",
        "摆摊",
        "流动摊贩",
        "摊位",
    ),
    "商铺": ("商铺", "门店", "店铺", "商户", "铺面", "营业房", "底商", "小卖部", "超市"),
    "宠物": ("宠物", "宠物医院", "宠物店", "猫", "狗", "犬", "遛狗", "狗屎", "狗粪", "狗叫"),
    "卫生": (
        "卫生",
        "脏乱",
        "脏乱差",
        "很脏",
        "太脏",
        "臭",
        "异味",
        "味道大",
        "气味",
        "粪便",
        "消毒",
        "恶臭",
        "苍蝇",
        "蚊子",
        "老鼠",
    ),
    "垃圾": ("垃圾", "垃圾桶", "垃圾箱", "垃圾分类", "清运", "没人收", "堆积"),
    "噪音": (
        "噪音",
        "噪声",
        "吵",
        "扰民",
        "太响",
        "声音大",
        "广场舞",
        "装修声",
        "半夜",
        "敲打",
        "喇叭",
    ),
    "广场舞": ("广场舞", "跳舞", "音响", "大喇叭"),
    "装修": ("装修", "施工", "电钻", "砸墙"),
    "漏水": ("漏水", "渗水", "滴水", "返水", "冒水", "水管爆", "爆管", "跑水", "淹"),
    "楼道": ("楼道", "走廊", "楼梯间", "楼梯口", "过道", "地下室"),
    "门禁": (
        "门禁",
        "门锁",
        "单元门",
        "防盗门",
        "楼门",
        "大门关不上",
        "门关不上",
        "关不上",
        "刷卡",
        "锁坏",
    ),
    "电梯": ("电梯", "困人", "关人", "停梯"),
    "路灯": ("路灯", "灯不亮", "照明", "黑灯瞎火", "太黑", "楼道灯", "声控灯", "灯坏", "灯泡"),
    "供暖": ("暖气", "供暖", "供热", "不热", "地暖", "采暖"),
    "停电": ("停电", "没电", "跳闸", "断电"),
    "物业": ("物业", "保安", "门卫", "物业费", "管家"),
    "绿化": ("绿化", "草坪", "绿地", "树木", "修剪", "树枝", "花坛", "绿化带"),
    "围栏": ("围栏", "栅栏", "护栏", "篱笆", "铁栏"),
    "破损": ("坏了", "损坏", "破损", "坏掉", "断了", "倒了", "塌", "松动", "烂了", "破了"),
    "纠纷": ("纠纷", "吵架", "矛盾", "打架", "邻里", "争执", "闹矛盾"),
    "健身器材": (
        "健身器材",
        "健身",
        "篮球场",
        "篮球",
        "体育",
        "运动场",
        "儿童游乐",
        "滑梯",
        "秋千",
        "游乐设施",
    ),
    "安全隐患": (
        "隐患",
        "危险",
        "安全",
        "消防",
        "灭火器",
        "消防通道",
        "着火",
        "火灾",
        "燃气",
        "煤气",
        "漏气",
    ),
    "下水道": ("下水道", "下水", "堵塞", "堵了", "化粪池", "污水", "井盖", "返味"),
}


def _words(text: str) -> list[str]:
    return text.split()


# Words that say nothing about the matter: pronouns, particles, politeness, complaint frames.
STOP_WORDS = frozenset(
    _words(
        """
    的 了 是 我 我们 你 你们 他 她 它 他们 咱 咱们 大家 家 家里 我家 我们家 这 那 这个 那个
    这些 那些 有 没 没有 也 都 又 还 就 很 太 非常 特别 比较 一直 总是 经常 老是 天天 每天
    最近 现在 今天 昨天 前天 这几天 几天 好几天 一个 一些 一下 一点 什么 怎么 怎么办 为什么
    吗 呢 吧 啊 呀 哦 嗯 哈 啦 嘛 了吧 麻烦 请 请问 希望 能 能否 能不能 可以 是否 谢谢
    感谢 您好 你好 反映 反应 投诉 举报 问题 情况 事情 事 处理 解决 管管 管一管 看看 一下子
    给 把 被 让 在 从 到 对 和 跟 与 及 或 而且 但是 但 因为 所以 如果 就是 还是 已经 正在
    一样 那么 这么 这样 那样 上 下 里 中 外 前 后 边 旁边 附近 门口 楼下 楼上 对面 居民
    住户 业主 小区 社区 单元 号楼 楼 栋 幢 号 室 层 户 期 区 路 街 巷 院 严重 影响 导致
    造成 出现 发现 存在 根本 完全 真的 实在 简直 说 讲 问 知道 觉得 感觉 好像 应该 需要
    想 要 会 去 来 做 搞 弄 让人 人 有人 很多 不少 好多 个 些 次 遍 天 月 年 时候 时间
    晚上 早上 白天 中午 下午 上午 半天 整天 长期 一年 多 少 大 小 没法 无法 不能 不 没人
    谁 啥 咋 哪 哪里 那边 这边 ta 等 等等 什么样 相关 有关 部门 领导 同志 师傅 您
    """
    )
)

# Domain words jieba should keep whole.
DOMAIN_WORDS = _words(
    "自来水 黄水 水发黄 电瓶车 电动车 电动自行车 乱堆乱放 占道经营 出店经营 跨门经营 宠物医院 "
    "飞线充电 消防通道 垃圾分类 二次供水 楼道长 网格员 物业公司 业委会 健身器材 广场舞 "
    "化粪池 下水道 小区门口 水龙头 楼顶水箱 铁锈"
)

_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
# Addresses and numbers: buildings, units, rooms, floors, phone numbers, dates, times.
_ADDRESS = re.compile(
    r"[0-9一二三四五六七八九十百两零〇A-Za-z]+\s*(?:号楼|栋|幢|号院|单元|楼|层|室|号|户|期|区|排)"
    r"|\d+(?:[-—－./:：]\d+)*"
    r"|[A-Za-z]+\d*"
)
_CONCEPT_PATTERNS = {concept: re.compile("|".join(forms)) for concept, forms in CONCEPTS.items()}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(60)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=200000)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now (a worker does it once at start rather than on a request)."""
    _jieba()


def normalise(text: str, place_names: Iterable[str] = ()) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH).lower()
    for name in sorted({n for n in place_names if n}, key=len, reverse=True):
        text = text.replace(name.lower(), " ")
    return _ADDRESS.sub(" ", text)


@dataclass
class Features:
    """A weighted bag of features: "#concept", "w:word", "b:bigram"."""

    weights: dict[str, float]

    @property
    def norm(self) -> float:
        return math.sqrt(sum(w * w for w in self.weights.values()))


def features(text: str, place_names: Iterable[str] = ()) -> Features:
    clean = normalise(text, place_names)
    weights: dict[str, float] = defaultdict(float)
    concept_forms: set[str] = set()
    for concept, pattern in _CONCEPT_PATTERNS.items():
        hit = pattern.findall(clean)
        if hit:
            weights[f"#{concept}"] += (
                MODIFIER_WEIGHT if concept in MODIFIER_CONCEPTS else CONCEPT_WEIGHT
            )
            concept_forms.update(hit)
    jieba = _jieba()
    for word in jieba.lcut(clean):
        word = word.strip()
        if len(word) < 2 or word in STOP_WORDS or not _CJK.search(word):
            continue
        if word in concept_forms:
            continue  # already counted through its concept
        weights[f"w:{word}"] += WORD_WEIGHT
    for run in _CJK.findall(clean):
        for i in range(len(run) - 1):
            bigram = run[i : i + 2]
            if bigram[0] in _BIGRAM_SKIP or bigram[1] in _BIGRAM_SKIP:
                continue
            weights[f"b:{bigram}"] += BIGRAM_WEIGHT
    return Features(dict(weights))


# Characters that make bigrams meaningless ("了我", "的水").
_BIGRAM_SKIP = frozenset("的了是我你他她它们这那有也都又还就很太吗呢吧啊呀哦嗯在和跟给把被让")


def _norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in weights.values()))


def cosine(
    a: dict[str, float], b: dict[str, float], na: float | None = None, nb: float | None = None
) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(w * large.get(k, 0.0) for k, w in small.items())
    if dot == 0:
        return 0.0
    return dot / ((na if na is not None else _norm(a)) * (nb if nb is not None else _norm(b)))


def core_concepts(weights: dict[str, float]) -> frozenset[str]:
    """The concepts that carry a bag: for an issue of many concerns, those named by a fair
    share of them (a stray "味道" in one of twelve water reports is not what it is about)."""
    concepts = {
        k: w for k, w in weights.items() if k.startswith("#") and k[1:] not in MODIFIER_CONCEPTS
    }
    if not concepts:
        return frozenset()
    top = max(concepts.values())
    return frozenset(k for k, w in concepts.items() if w >= 0.3 * top)


def similarity(
    a: dict[str, float],
    b: dict[str, float],
    *,
    na: float | None = None,
    nb: float | None = None,
    cb: frozenset[str] | None = None,
) -> float:
    """How alike two feature bags are (0–1).

    The cosine of the whole bag, lifted by the share of concepts they have in common: two
    messages that name the same concepts ("水质" + "自来水") describe the same matter even
    when their words differ; two messages with no concept in common rely on their words."""
    base = cosine(a, b, na, nb)
    ca = core_concepts(a)
    cb = core_concepts(b) if cb is None else cb
    if ca and cb:
        common = ca & cb
        if not common:
            return base * 0.6  # different matters named explicitly: words alone do not join
        shared = len(common) / len(ca | cb)
        score = min(1.0, 0.5 * base + 0.5 * shared)
        if ca - cb and cb - ca:
            # Each names something the other does not (电动车 乱停 / 电动车 超速): two matters
            # about the same thing, not one.
            score *= 0.75
        return score
    return base


@dataclass(frozen=True)
class Stored:
    """An issue's stored terms, parsed once (cached: many submits compare with the same)."""

    weights: dict[str, float]
    norm: float
    concepts: frozenset[str]


@functools.lru_cache(maxsize=8192)
def parsed(stored: str) -> Stored:
    weights = load_terms(stored)
    return Stored(weights, _norm(weights), core_concepts(weights))


def similarity_to(weights: dict[str, float], norm: float, stored: str) -> float:
    issue = parsed(stored)
    return similarity(weights, issue.weights, na=norm, nb=issue.norm, cb=issue.concepts)


# ---- Storing an issue's features in Issue.terms: "key=weight key=weight ..."


def dump_terms(weights: dict[str, float]) -> str:
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ISSUE_TERMS]
    return " ".join(f"{k}={round(v, 2)}" for k, v in top)


def load_terms(stored: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in stored.split():
        key, _, value = item.rpartition("=")
        if key:
            try:
                weights[key] = float(value)
            except ValueError:
                continue
    return weights


def add_terms(stored: str, new: dict[str, float]) -> str:
    """The issue's features after one more concern: summed, so shared words weigh more."""
    weights: dict[str, float] = defaultdict(float, load_terms(stored))
    for key, value in new.items():
        weights[key] += value
    return dump_terms(dict(weights))


@dataclass
class Candidate:
    issue_id: int
    title: str
    similarity: float
    residents_count: int = 0


def rank(
    concern_weights: dict[str, float],
    issues: Iterable[tuple[int, str, str, int]],
    *,
    threshold: float = CANDIDATE_THRESHOLD,
) -> list[Candidate]:
    """Rank (id, title, terms, residents) rows by similarity to the concern, best first."""
    ranked = []
    norm = _norm(concern_weights)
    for issue_id, title, terms, residents in issues:
        score = similarity_to(concern_weights, norm, terms)
        if score >= threshold:
            ranked.append(Candidate(issue_id, title, round(score, 3), residents))
    ranked.sort(key=lambda c: (-c.similarity, -c.residents_count, c.issue_id))
    return ranked


def make_title(content: str, limit: int = 30) -> str:
    """A short title from the first sentence of the content."""
    # Long digit runs are phone or ID numbers: never put them in a title the public may read.
    text = re.sub(r"\d{7,}", "…", re.sub(r"\s+", " ", content)).strip()
    first = re.split(r"[。！？!?\n；;]", text, maxsplit=1)[0].strip() or text
    return first[:limit] + ("…" if len(first) > limit else "")
