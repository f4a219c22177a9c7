"""Grouping judged on streams of messages as residents really write them.

Hand-written sets in `data/`: each cluster is one real-world matter in one community told in
several people's words; a cluster of one must stay alone. They were written in rounds, each
measured before it was used for tuning (the figures are in concerns/README.md):

- `grouping_tuning.txt`: tuned on from the start;
- `grouping_heldout.txt`: written before any tuning, never tuned on nor its mistakes read;
- `grouping_round2.txt`, `grouping_round3.txt`, `grouping_round4.txt`: each written after a
  round of tuning, measured as held-out, then tuned on;
- `grouping_fresh.txt`: written after round four, never tuned on;
- `grouping_round5.txt`: written after round four in new communities on matters the others
  mostly lack (加装电梯, 暖气, 燃气味, 高空抛物, 违建, 快递柜, 夜间施工…), measured as
  held-out, then tuned on;
- `grouping_round6.txt`: written after round five in three villages and three urban
  communities, in the writing styles the others lack (older residents' voice input with
  sound-alike characters, 12345 work orders, WeChat group replies, two matters in one
  message) on village matters (秸秆, 村道, 灌溉渠, 宅基地, 河塘, 危房, 留守老人…), measured as
  held-out, then tuned on;
- `grouping_round7.txt`: written after round six, before reading the vocabulary, in a new-build
  high-rise estate, an old compound without a property company, a 城中村 of rented rooms, a
  county-town street, a school-side estate and a seaside town, in the styles the others lack
  (pinyin initials wy / dt / ddc, B座 / 3#楼 / 1801, Sichuan and northern dialect, emoji and
  punctuation spam, very long and very short messages, questions, thanks with a complaint) on
  their matters (群租, 二次供水水箱, 化粪池返水, 台风倒树, 结冰, 学校门口接送, 周末装修, 梯控,
  电动车进电梯, 僵尸车, 飞线充电, 光伏漏雨, 维修基金, 物业交接, 摊贩, 老年食堂, 扶手…),
  measured as held-out, then tuned on;
- `grouping_round8.txt`: written after round seven, before reading the vocabulary, in a 房改房
  work-unit compound, a 回迁安置 estate, a tower of flats above shops, a village being pulled
  down, a school district and an estate of Hong Kong and Taiwan residents, in the styles the
  others lack (信访 letters, sarcasm, pinyin wrong-candidate typos, times and numbers, WiFi /
  5G / 美团 / 丰巢, traditional characters and Cantonese, a second matter mentioned in passing)
  on their matters (燃气改造, 楼道堆物, 无障碍坡道, 毁绿种菜, 车位只售不租, 垃圾分类定时定点,
  餐厨垃圾, 电梯广告收益, 5G基站 / 信号, 宽带, 施工扬尘, 农贸市场, 斑马线, 小孩跑跳, 遛狗 / 狗粪…),
  measured as held-out, then tuned on;
- `grouping_round9.txt`: written after round eight, before reading the vocabulary, for a busy
  community's hardest case: five large communities, each with several matters of ONE kind
  sharing its words (noise: 广场舞 / 装修 / KTV / 夜间工地 / 空调外机 / 泵房低频 / 楼上拖椅子 /
  早市喇叭; water: 停水 / 水压 / 水发黄 / 水费 / 楼上漏水 / 车库积水 / 水箱; rubbish: 垃圾桶满 /
  中转站 / 楼道垃圾 / 建筑垃圾 / 小广告 / 落叶 / 公厕; parking: 消防通道 / 僵尸车 / 外来车 /
  楼道充电 / 充电桩; facilities: two lifts, two roads' lamps, 健身器材 / 滑梯), in dialect
  (晓得, 莫得, 啷个, 咋个, 俺, 木有, 肿么) and with personal requests that stay alone (开证明,
  低保, 社保), measured as held-out, then tuned on;
- `grouping_round10.txt`: written after round nine, before changing the code, for the same
  weakness in general: matters of one kind told apart only by a NAMED place (人民路 / 光华路
  lamps, 东门 / 西门, 5号楼 / 12号楼, 北广场 / 南广场, the east / the west fire lane, the bins by
  the east gate / by the market, two roads' manholes, two parks' toilets) or by a sibling
  matter (a fire lane / outsiders' cars in owners' spaces / a quarrel over a space), and
  matters of one place in different words, measured as held-out, then tuned on.

Each community's messages arrive interleaved and go through the decision the app makes in
`actions._group` (features → the best open issue by `similarity_to` → join at
≥ JOIN_THRESHOLD, else a new issue whose terms then accumulate with `add_terms`), without
the database. Pairwise precision: of the pairs put in one issue, the share that are one
matter; recall: of the pairs that are one matter, the share put in one issue.

Print the figures (add -v for every wrong join and split):
    PYTHONPATH=. .venv/bin/python concerns/tests/test_grouping_realistic.py --all
    PYTHONPATH=. .venv/bin/python concerns/tests/test_grouping_realistic.py fresh -v
    PYTHONPATH=. .venv/bin/python concerns/tests/test_grouping_realistic.py --crowded
"""

import random
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import pytest

from concerns import grouping

DATA = Path(__file__).parent / "data"
# Several arrival orders: a result must not hang on one lucky order.
SEEDS = (1, 2, 3, 4, 5)


@dataclass
class Community:
    name: str
    places: list[str]
    # (cluster id, message) in file order
    messages: list[tuple[str, str]] = field(default_factory=list)


def load(name: str) -> list[Community]:
    communities: list[Community] = []
    cluster = ""
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("@@"):
            title, _, places = line[2:].partition("|")
            communities.append(Community(title.strip(), [title.strip(), *places.split()]))
        elif line.startswith("=="):
            cluster = line[2:].split()[0]
        else:
            communities[-1].messages.append((cluster, line))
    return communities


def arrival_order(community: Community, seed: int) -> list[tuple[str, str]]:
    """The messages shuffled, keeping each cluster's own order (its first report first)."""
    rng = random.Random(f"{community.name}-{seed}")
    queues: dict[str, list[str]] = {}
    for cluster, text in community.messages:
        queues.setdefault(cluster, []).append(text)
    slots = [c for c, texts in queues.items() for _ in texts]
    rng.shuffle(slots)
    return [(c, queues[c].pop(0)) for c in slots]


def group_stream(stream: list[tuple[str, str]], places: list[str]) -> list[int]:
    """The issue each message lands in, decided as `actions._group` decides (no category)."""
    issues: list[str] = []  # stored terms, by issue number
    landed = []
    for _, text in stream:
        weights = grouping.features(text, places).weights
        norm = grouping._norm(weights)
        best: tuple[int, float] | None = None
        for number, terms in enumerate(issues):
            score = grouping.similarity_to(weights, norm, terms)
            if score >= grouping.JOIN_THRESHOLD and (best is None or score > best[1]):
                best = (number, score)
        if best is None:
            issues.append(grouping.add_terms("", weights))
            landed.append(len(issues) - 1)
        else:
            issues[best[0]] = grouping.add_terms(issues[best[0]], weights)
            landed.append(best[0])
    return landed


@dataclass
class Figures:
    precision: float
    recall: float
    issues: int
    clusters: int
    messages: int
    alone: float  # share of the messages that must stay alone that did
    wrong_joins: list[tuple[str, str]]
    splits: list[tuple[str, str]]

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(name: str, seeds=SEEDS) -> Figures:
    together = both = truly = 0
    issues = clusters = messages = singles = singles_alone = 0
    wrong: list[tuple[str, str]] = []
    split: list[tuple[str, str]] = []
    for community in load(name):
        for seed in seeds:
            stream = arrival_order(community, seed)
            landed = group_stream(stream, community.places)
            for (i, (ca, ta)), (j, (cb, tb)) in combinations(enumerate(stream), 2):
                same_issue, same_matter = landed[i] == landed[j], ca == cb
                together += same_issue
                truly += same_matter
                both += same_issue and same_matter
                if same_issue and not same_matter:
                    wrong.append((ta, tb))
                elif same_matter and not same_issue:
                    split.append((ta, tb))
            sizes = {c: sum(1 for other, _ in stream if other == c) for c, _ in stream}
            for (cluster, _), number in zip(stream, landed, strict=True):
                if sizes[cluster] == 1:
                    singles += 1
                    singles_alone += landed.count(number) == 1
            issues += len(set(landed))
            clusters += len({c for c, _ in stream})
            messages += len(stream)
    runs = len(seeds)
    return Figures(
        precision=both / together if together else 1.0,
        recall=both / truly if truly else 1.0,
        issues=round(issues / runs),
        clusters=clusters // runs,
        messages=messages // runs,
        alone=singles_alone / singles if singles else 1.0,
        wrong_joins=sorted(set(wrong)),
        splits=sorted(set(split)),
    )


SETS = (
    "grouping_tuning.txt",
    "grouping_heldout.txt",
    "grouping_round2.txt",
    "grouping_round3.txt",
    "grouping_round4.txt",
    "grouping_fresh.txt",
    "grouping_round5.txt",
    "grouping_round6.txt",
    "grouping_round7.txt",
    "grouping_round8.txt",
    "grouping_round9.txt",
    "grouping_round10.txt",
)


def test_the_sets_are_large_and_cover_every_default_category():
    for name, least in zip(
        SETS, (300, 120, 100, 90, 80, 80, 150, 150, 150, 150, 160, 150), strict=True
    ):
        communities = load(name)
        assert sum(len(c.messages) for c in communities) >= least
        headers = [
            line
            for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.startswith("==")
        ]
        categories = {line.split()[2].rstrip(":") for line in headers}
        assert len(categories) == 11, categories


# Floors: (set, pairwise precision, pairwise recall, share of lone messages left alone), a
# little under today's figures. The floors of the sets never tuned on (heldout, fresh) are
# lower: they measure Chinese the vocabulary was not written from.
FLOORS = [
    ("grouping_tuning.txt", 0.95, 0.90, 0.90),
    ("grouping_round2.txt", 0.92, 0.90, 0.90),
    ("grouping_heldout.txt", 0.93, 0.80, 0.80),
    ("grouping_round3.txt", 0.90, 0.85, 0.90),
    ("grouping_round4.txt", 0.95, 0.85, 0.75),
    ("grouping_fresh.txt", 0.95, 0.75, 0.90),
    ("grouping_round5.txt", 0.94, 0.94, 0.95),
    ("grouping_round6.txt", 0.97, 0.94, 0.95),
    ("grouping_round7.txt", 0.95, 0.94, 0.95),
    ("grouping_round8.txt", 0.95, 0.91, 0.95),
    # Rounds 9 and 10 keep apart most matters of one kind, not all (see concerns/README.md).
    ("grouping_round9.txt", 0.92, 0.91, 0.95),
    ("grouping_round10.txt", 0.90, 0.79, 0.80),
]


@pytest.mark.parametrize(("name", "precision", "recall", "alone"), FLOORS)
def test_joined_messages_are_one_matter_and_one_matter_is_joined(name, precision, recall, alone):
    figures = evaluate(name)
    assert figures.precision >= precision, figures.wrong_joins[:10]
    assert figures.recall >= recall, figures.splits[:10]
    assert figures.alone >= alone


def test_twelve_households_in_their_own_words_make_one_issue():
    [community] = [c for c in load("grouping_tuning.txt") if c.name == "金凤社区"]
    yellow = [m for m in community.messages if m[0] == "jf-yellow-water"]
    assert len(yellow) >= 10 and len(set(group_stream(yellow, community.places))) == 1


def test_a_lone_mention_in_one_concern_does_not_pull_in_another_matter():
    stored = grouping.add_terms("", grouping.features("自来水发黄").weights)
    stored = grouping.add_terms(stored, grouping.features("自来水发黄，路灯也不亮").weights)
    lights = grouping.features("小区路灯不亮").weights
    water = grouping.features("我家水也是黄的").weights
    assert grouping.similarity_to(lights, grouping._norm(lights), stored) < 0.4
    assert grouping.similarity_to(water, grouping._norm(water), stored) >= 0.4


def test_comparing_with_stored_issues_scores_as_comparing_the_bags():
    texts = ["又停水了", "水又黄了！！！", "电梯坏了", "电梯里的广告太吵", "自来水发黄，路灯也不亮"]
    stored = ""
    for text in texts[:3]:
        stored = grouping.add_terms(stored, grouping.features(text).weights)
    issue = grouping.load_terms(stored)
    for text in texts:
        weights = grouping.features(text).weights
        cached = grouping.similarity_to(weights, grouping._norm(weights), stored)
        assert cached == pytest.approx(grouping.similarity(weights, issue)), text


def sim(a: str, b: str) -> float:
    fa = grouping.features(a).weights
    fb = grouping.features(b).weights
    return grouping.similarity(fa, fb)


# Hard cases by name: the same words for two matters, two words for one matter.
SAME = [
    ("又停水了", "咋又停水了 也不提前通知一声"),
    ("水又黄了！！！", "自來水發黃，燒開了底下一層黃渣"),
    ("暖气不热 家里才16度", "咋暖气还是冰的 都交了采暖费了"),
    ("广场舞音响太大声了", "大妈跳舞的喇叭能不能小点声？？"),
    ("有人往河沟里倒垃圾", "河边那一片成了垃圾场了 塑料袋满天飞"),
    ("3号楼电梯又困人了", "三号楼的电梯把我关在里面半小时"),
    ("楼下烧烤店油烟太大", "燒烤店的油煙全飄到我家 窗户都不敢开"),
    ("小区拉圾没人清 臭死了", "垃圾桶满了没人收 臭气熏天"),
    ("想加装电梯 一楼不同意", "我们单元装电梯 低层的住户一直反对"),
    ("充电桩太少了 排队都排不上", "电动车充电难 能不能多装几个充电桩"),
    ("快递柜超时要收费", "丰巢放久了就扣钱 太黑了"),
    # Voice input, a work order, village matters.
    ("电瓶车在楼道里充电 太危险了", "那个那个楼到里有人冲电屏车 着火了怎么办"),
    ("楼上漏水 我家天花板都湿了", "嗯楼上楼水 厨房顶上一直滴水"),
    ("三号楼电题又坏了", "3号楼电梯又停了 困了个人在里面"),
    ("地里有人烧秸秆 烟大得很", "晚上田里又点火了 烧麦秆 一村子都是烟味"),
    (
        "诉求人来电反映：西组灌溉沟渠淤塞，农田无法正常灌溉，诉求人要求清淤。请相关部门核实处理。",
        "水渠堵了 浇地浇不上",
    ),
    ("邻居家的鸡鸭散养 天天跑我家院子里", "鸡到处跑 路上全是鸡屎"),
    ("老房子墙裂了 房梁也歪了 住着害怕", "危房啥时候给改造"),
    # Pinyin initials, punctuation spam, dialect, new matters.
    ("B座dt又停了 走了十八层", "B座的电梯这个月第三次坏了 wy到底管不管"),
    ("下雪了 人行道全是冰 老人滑倒了", "冰！路！太！滑！摔了"),
    ("每天放学学校门口堵得水泄不通", "接孩子的车把路堵死了 我们的车开不出去"),
    ("台风把树刮倒了 砸在车上", "大风过后门口的大树倒了 压着路"),
    ("村口停了辆破面包车 一年多没动过 轮胎都瘪了", "僵尸车谁管？满身灰 玻璃都碎了"),
    ("化粪池满了 一楼厕所往上冒", "我家在一楼 下水道返水 粪水都漫到客厅了"),
    ("楼梯没得扶手 老人上下楼难", "适老化改造啥时候轮到我们 楼梯口装个扶手就行"),
    ("外卖小哥在巷子里逆行", "送外卖的电瓶车太猛了 按着喇叭就冲过来"),
    ("店门口的大喇叭循环放 清仓甩卖跳楼价", "卖鞋那家的喇叭一直喊 最后三天"),
    ("听说前期物业要撤了 新物业啥时候进场", "老wy说月底撤 门岗都没人了"),
    # A letter, pinyin typos, Cantonese, traditional characters, an aside.
    (
        "尊敬的领导：您好！本人系4栋住户，现反映楼道公共空间被个别住户长期占用堆放杂物的问题。"
        "恳请社区组织清理。此致敬礼！",
        "公共楼道又不是你家储藏室 凭什么一堆就是好几年",
    ),
    ("燃气改造到底啥时候轮到我们", "然气管道改造的通知在哪看"),
    ("家里手机信号只有一格", "我们这是市中心啊 手机新号差成这样？？？"),
    ("升降機又壞咗，成日壞，管理處都唔理", "電梯又故障了，每天爬樓梯很辛苦"),
    ("楼上的小孩天天在家里跑跳 咚咚咚", "樓上小朋友每晚跑來跑去，聲音很大"),
    ("工地扬尘太严重了 也不洒水也不盖网", "杨尘好大 窗户关着桌子上都是一层土"),
    ("村口路口又撞了一个人 能不能装个红路灯", "孩子放学要横穿国道 建议设人行横道和信号灯"),
    (
        "垃圾定时定点投放 上班族根本赶不上",
        "垃圾投放的时间能不能延长到晚上十点 另外物业能不能把单元门口那块地砖修一下 坑坑洼洼的",
    ),
    ("晚上小区里遛狗的都不拴绳 大金毛扑过来", "溜狗不栓绳 还说我家狗不咬人"),
    ("车位只卖不租合理吗", "地下车味能不能租啊 买是真买不起"),
    # Matters of one kind in other words.
    ("高层水压太小 热水器打不着", "住顶楼 水流细得像线一样"),
    ("楼顶水箱好多年没清洗了", "二次供水的水箱里有虫子 多久洗一次"),
    ("这个月水费怎么这么多 水表是不是坏了", "物业抄的水表数不对 多收了水费"),
    ("地下车库又进水了 车都泡了", "一下暴雨地下室就积水"),
    ("垃圾桶天天满 没人来收", "垃圾箱满了溢出来 收垃圾的车好几天没来"),
    ("小区后面的垃圾中转站臭得不行", "转运站压垃圾的时候臭气熏天"),
    ("有人把垃圾袋放在楼道里好几天", "楼梯口堆着别人家的生活垃圾 招蟑螂"),
    ("地下水泵房嗡嗡响 整晚睡不着", "配电房变压器的低频噪音太吵了"),
    ("落叶好多天没人扫", "路上的树叶堆了厚厚一层"),
    ("小孩玩的滑梯开裂了", "游乐区的秋千链子断了 滑梯也坏了"),
    # One named place in other words.
    ("人民路的路灯坏了", "人民路上黑乎乎的 灯泡一个都不亮"),
    ("东门道闸坏了 车排长队", "东门的抬杆不抬了"),
    ("公园厕所的水箱坏了 冲不了", "公园公厕脏得下不去脚"),
    ("沿江步道快成狗厕所了", "步道上全是狗屎 没人捡"),
    ("洗的白衣服都成黄的了", "自来水发黄"),
    ("东侧消防通道被私家车堵死了", "东边那条消防车道天天停满车"),
    ("菜场门口的垃圾桶臭死了", "菜市场旁边的垃圾桶从来不洗"),
    ("长春路口的井盖碎了", "长春路那个井口敞着 有人摔进去"),
]
APART = [
    ("5号楼电梯又坏了", "电梯里的广告屏声音开得太大了"),
    ("电梯又坏了 爬了十五楼", "电梯里老有人抽烟"),
    ("暖气一点都不热", "暖气管子接头漏水了"),
    ("邻居家的狗整宿叫", "那条狗把放学的孩子咬了"),
    ("隔壁装修天天电钻响", "装修垃圾堆在单元门口没人拉"),
    ("楼道声控灯不亮了", "单元门的门禁坏了 刷卡不开"),
    ("单元门口电瓶车停得乱七八糟", "小区里电动车骑得太快了"),
    ("楼上卫生间漏水 我家天花板都泡了", "又停水了"),
    ("商务区公园一个健身器材都没有", "小区健身器材年久失修，漫步机断了一根杆"),
    ("楼道里一股煤气味", "楼道里堆满了纸箱子和旧家具"),
    ("8号楼电梯困人", "2号楼电梯一直异响"),
    ("3号楼楼道灯不亮", "五号楼楼道灯坏了"),
    ("楼道里电动车充电", "充电桩太少了 不够用"),
    ("快递柜超时收费", "物业费又涨价了"),
    ("社区能搞个老年食堂吗", "村里独居老人没人照顾"),
    # 水 of a field, a pond and a tap; one village road, two matters; a farm and hens.
    ("灌溉渠堵了 浇不上地", "自来水又停了 做饭都没水"),
    ("河塘里的水发黑发臭 死了好多鱼", "自来水发黄 有铁锈味"),
    ("邻居家的鸡鸭跑我家菜地里", "养鸡场臭得不行 苍蝇成群"),
    ("村道坑坑洼洼的 没人修", "村道上的路灯不亮"),
    ("路上晒粮食 车都过不去", "路面全是坑 拉粮食的车都陷进去了"),
    ("楼道里的消防栓没水", "又停水了"),
    ("送快递的被狗咬了", "快递柜超时收费"),
    ("楼上的水管漏了 电线都湿了", "楼道里私拉电线给电动车充电"),
    ("流转的地租金还没给", "宅基地边界跟邻居吵起来了"),
    # Three lift matters; two handrails; a school run and parking; rented rooms.
    ("B座电梯又坏了 困了人", "电梯装了梯控 只能刷卡到自己那层"),
    ("B座电梯又坏了", "有人把电瓶车推进电梯带回家"),
    ("楼梯没得扶手 老人上下楼难", "漫步机坏了 扶手都松了"),
    ("放学时学校门口接孩子的车堵死了", "小区里车乱停 车位不够"),
    ("二房东把房子隔成八个单间出租", "二房东不退押金"),
    ("三楼从窗户吊电线下来给电瓶车充电", "楼道里的电线老化 外皮都开裂了 怕起火"),
    ("暴雨 巷子积水到膝盖", "下水道堵了 臭味一直往上冒"),
    ("树倒了横在路上", "路上结冰了 老人滑倒"),
    ("顶楼有人养了一群鸽子 鸽子屎满阳台", "村西养猪场粪污直排 臭得很"),
    # One thing, two matters; a place that is the matter.
    ("3栋楼道里一股煤气味 是不是漏气了", "燃气管道改造啥时候轮到我们"),
    ("听说要在楼顶装5G基站 辐射大 坚决反对", "家里手机信号太差了 打电话断三次"),
    ("地下车位只卖不租 一个要十八万", "小区地面停车也开始收费了 一天十块"),
    ("隔壁装修砸墙 把我家客厅墙震出好几道裂缝", "楼上装修电锤从早打到晚 中午也不停"),
    ("楼下火锅店的油烟倒灌进家里", "饭店的泔水桶放在后门 馊味冲鼻"),
    ("遛狗的都不拴绳 大狗扑孩子", "单元门口天天一坨狗屎"),
    ("工地扬尘太大 也不洒水", "工地晚上11点后还在打桩"),
    ("农贸市场里面污水横流 鱼摊杀鱼的水倒在过道上", "农贸市场门口的马路被卖菜的占满了"),
    ("楼上漏水把我家吊顶泡塌了 他不肯赔", "小区又爆管了 一周停了三回水"),
    ("电梯广告的钱去哪了 要求公示", "上班时间电梯全是去公司的人 住户等十分钟都上不去"),
    ("外卖员进不了门禁", "三户改成了短租民宿 门禁卡随便给"),
    # Matters of one kind in one community.
    ("又停水了 也不提前通知", "高层水压太低 洗澡都费劲"),
    ("楼顶水箱多年没清洗", "自来水发黄 有铁锈味"),
    ("地下车库积水 车都泡了", "楼上卫生间漏水 我家天花板都泡了"),
    ("垃圾桶满了没人收", "垃圾中转站臭得窗户都不敢开"),
    ("垃圾桶满了没人收", "楼道里有人放垃圾袋 好几天不拿走"),
    ("垃圾桶满了没人收", "装修的建筑垃圾倒在绿化带里"),
    ("隔壁空调外机整夜响", "地下水泵房嗡嗡的低频声"),
    ("健身器材坏了 漫步机断了", "儿童滑梯裂了口子 划伤孩子"),
    ("这个月水费太贵了", "又停水了"),
    ("有人把电瓶车推进楼道充电", "充电棚的插座不通电"),
    ("隔了两栋楼都闻得到中转站的味", "2号楼的垃圾桶满了"),
    # Two named places of one kind; sibling matters of parking.
    ("人民路的路灯不亮 晚上黑乎乎的", "光华路的路灯一闪一闪的"),
    ("东侧消防通道停满了车", "西侧消防通道停满了车"),
    ("东门的垃圾桶满了没人收", "菜场旁边的垃圾桶满了没人收"),
    ("北广场的健身器材坏了", "南广场的健身器材坏了"),
    ("长春路的井盖没了", "解放大道的井盖松了"),
    ("滨江公园的厕所脏得很", "公交总站的公厕天天锁门"),
    ("消防通道上停满了私家车", "外来车把业主的车位都占了"),
    ("为了车位跟邻居吵起来了 请社区调解", "电动车停得乱七八糟"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_matter_in_other_words_is_grouped(a, b):
    assert sim(a, b) >= grouping.JOIN_THRESHOLD, (a, b, sim(a, b))


@pytest.mark.parametrize(("a", "b"), APART)
def test_the_same_words_about_another_matter_stay_apart(a, b):
    assert sim(a, b) < grouping.JOIN_THRESHOLD, (a, b, sim(a, b))


def crowded() -> None:
    """Every set's messages as one community (hundreds of open issues, as a large community
    has): how many joined pairs are of two different categories."""
    categories: dict[str, str] = {}
    everything = Community("all", [])
    for name in SETS:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("=="):
                cluster, category = line[2:].split()[:2]
                categories[cluster] = category.rstrip(":")
        for community in load(name):
            everything.places += community.places
            everything.messages += community.messages
    stream = arrival_order(everything, 1)
    landed = group_stream(stream, everything.places)
    pairs = [
        (ca, cb)
        for (i, (ca, _)), (j, (cb, _)) in combinations(enumerate(stream), 2)
        if landed[i] == landed[j]
    ]
    across = sum(categories[a] != categories[b] for a, b in pairs)
    print(
        f"one crowded community: {len(stream)} messages, {len({c for c, _ in stream})} matters "
        f"→ {len(set(landed))} issues; joined pairs of two categories {across}/{len(pairs)} "
        f"= {across / len(pairs):.3f}"
    )


def main(argv: list[str]) -> None:
    named = [f"grouping_{a}.txt" for a in argv if not a.startswith("-")]
    if "--all" in argv:
        named = sorted(p.name for p in DATA.glob("grouping_*.txt"))
    if "--crowded" in argv:
        crowded()
        return
    for name in named or ["grouping_tuning.txt"]:
        f = evaluate(name)
        print(
            f"{name}: {f.messages} messages in {f.clusters} matters → {f.issues} issues; "
            f"pairwise precision {f.precision:.3f}, recall {f.recall:.3f}, F1 {f.f1:.3f}; "
            f"lone messages left alone {f.alone:.2f}"
        )
        if "-v" in argv:
            for a, b in f.wrong_joins:
                print(f"  JOINED  {a}  |  {b}")
            for a, b in f.splits:
                print(f"  SPLIT   {a}  |  {b}")


if __name__ == "__main__":
    main(sys.argv[1:])


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("3号楼", "@3"),
        ("三号楼", "@3"),
        ("3栋", "@3"),
        ("3幢", "@3"),
        ("十二号楼", "@12"),
        ("二十三栋", "@23"),
        ("3#楼", "@3"),
        ("B座", "@b"),
    ],
)
def test_a_building_is_one_feature_however_its_number_is_written(written, number):
    buildings = [k for k in grouping.features(f"{written}2单元电梯坏了").weights if k[0] == "@"]
    assert buildings == [number]


@pytest.mark.parametrize(
    ("written", "place"),
    [
        ("人民路的路灯", "^r人民"),
        ("解放大道上", "^r解放"),
        ("东门口", "^g东"),
        ("北边小广场", "^s北"),
        ("东侧的通道", "^d东"),
        ("菜场旁边", "^p市场"),
        ("菜市场门口", "^p市场"),
        # Not a place's name: a road of no name, a hospital one goes to, a bus stop.
        ("走到马路上", None),
        ("那条路上", None),
        ("去医院看病", None),
        ("公交车站太远", None),
    ],
)
def test_a_named_place_is_one_feature(written, place):
    places = [k for k in grouping.features(f"{written}又坏了").weights if k[0] == "^"]
    assert places == ([place] if place else [])


def test_a_message_naming_no_place_is_not_cut_from_one_that_names_it():
    assert sim("人民路的路灯坏了", "路灯又不亮了 黑乎乎的") >= grouping.JOIN_THRESHOLD


def test_a_building_number_outside_a_thing_of_one_building_does_not_split():
    # Water comes to the whole community: two buildings, one matter.
    assert sim("3号楼又停水了", "5号楼也停水了 啥时候来水") >= grouping.JOIN_THRESHOLD


@pytest.mark.parametrize(
    ("spoken", "meant"),
    [
        ("电屏车在楼到里冲电", "电瓶车在楼道里充电"),
        ("无业不打扫", "物业不打扫"),
        ("楼上楼水了", "楼上漏水了"),
        ("路等不亮", "路灯不亮"),
        # The same characters where they are words of their own stay as they are.
        ("一帮无业游民", "一帮无业游民"),
        ("三号楼水管爆了", "三号楼水管爆了"),
        ("在马路等车", "在马路等车"),
    ],
)
def test_voice_input_sound_alikes_are_read_as_meant(spoken, meant):
    assert grouping._without_places(spoken, ()) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # A pinyin input method's wrong candidate, a Cantonese word, a Taiwanese one.
        ("然气管道改造", "燃气管道改造"),
        ("手机新号差", "手机信号差"),
        ("溜狗不栓绳", "遛狗不拴绳"),
        ("升降機又壞咗", "电梯又坏了"),
        ("瓦斯味好重", "燃气味好重"),
        # The same characters where they are words of their own stay as they are.
        ("天然气", "天然气"),
        ("换了新号码", "换了新号码"),
        ("消防栓没水", "消防栓没水"),
    ],
)
def test_typed_wrong_candidates_and_regional_words_are_read_as_meant(typed, meant):
    assert grouping._without_places(typed, ()) == meant


def concepts(text: str, places: tuple[str, ...] = ()) -> set[str]:
    return {k for k in grouping.features(text, places).weights if k[0] == "#"}


def test_a_second_matter_mentioned_in_passing_is_not_what_the_message_is_about():
    assert "#路灯" in concepts("东门的路灯也坏了")
    aside = concepts("垃圾投放时间太早了 上班族赶不上 另外东门的路灯也坏了")
    assert "#垃圾分类" in aside and "#路灯" not in aside
    # Told after a thanks, the matter is the only one: it is kept.
    assert "#路灯" in concepts("谢谢社区 另外东门的路灯也坏了")


@pytest.mark.parametrize(
    ("text", "not_this"),
    [
        ("危房改造补贴咋申请", "#产权证"),
        ("车位都被租户的车占了", "#车位租售"),
        ("门禁系统坏了 外卖小哥随便进楼", "#外卖进楼"),
        ("超市门口排长队领鸡蛋", "#电梯拥挤"),
        ("邻居家的牛跑出来 把俺家菜地都啃了", "#占绿种菜"),
        ("飞线充电 电线横穿绿化带", "#过街"),
        ("小区物业托管给了新公司", "#托管班"),
        ("河边没有护栏 小孩在边上跑很危险", "#生活噪音"),
        ("无障碍设施一点都没有", "#停水"),
        ("物业是摆设吗", "#不热"),
        ("晚上有不认识的人在楼道里转悠", "#纠纷"),
        ("老土坯房墙体开裂 屋面漏雨", "#装修损坏"),
    ],
)
def test_words_of_a_new_matter_do_not_fire_in_another(text, not_this):
    assert not_this not in concepts(text)


def test_a_place_named_by_what_it_is_stays_in_the_text():
    places = ("解放街", "农贸市场", "岗头市场")
    assert "#农贸市场" in concepts("农贸市场里面污水横流", places)
    assert "岗头" not in grouping.normalise("岗头市场门口", places)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("wy不管 dt坏了 有人推ddc进去", "物业不管 电梯坏了 有人推电动车进去"),
        ("wyf说涨就涨", "物业费说涨就涨"),
        # Letters that are not an abbreviation on their own stay as they are.
        ("b座 dtv wyz", "b座 dtv wyz"),
        # A word spelled out one character at a time for emphasis.
        ("冰！路！太！滑！摔了", "冰路太滑!摔了"),
        ("又坏 又坏", "又坏 又坏"),
    ],
)
def test_pinyin_initials_and_spelled_out_words_are_read_as_meant(typed, meant):
    assert grouping._without_places(typed, ()) == meant
