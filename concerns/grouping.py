"""Grouping concerns into issues: is this new message about a matter already open?

Residents write short, colloquial Chinese with typos, addresses and numbers ("3号楼水又黄了",
"家里自来水发黄 没法用", "水龙头放出来是锈水"), and hotline operators write them down in
their own frame ("来电人反映：…"). Three layers of features make two such messages comparable:

- *concepts*: domain synonyms found by regular expression in the normalised text (发黄/黄水/
  水又黄了/锈水 → water quality), robust to how jieba happens to cut a colloquial sentence.
  A concept has a tier: *specific* (广场舞, 宠物医院, 飞线充电: a matter on its own), *topic*
  (电梯, 电动车, 停水) or *generic* (噪音, 坏了, 危险, 物业, 楼道: said of many matters, never
  what a message is about). Concepts of one *family* are alternatives: 电动车 超速 / 乱停 /
  充电 / 被盗 are four matters, as are 水质 / 停水 / 漏水 and 坏了 / 缺少;
- *words*: jieba words minus stop words;
- *character bigrams* of the remaining Chinese text, which survive typos and odd segmentation.

Addresses, numbers, the community's own place names and the operator's frame are removed
first, so that "3号楼" or "来电人反映" in two unrelated messages does not make them look
alike; pinyin initials typed for common words (wy 物业, dt 电梯, ddc 电动车) are spelled
out. An issue stores the weighted features of its concerns (`Issue.terms`), so a new concern
is compared with a capped, indexed list of the open issues of its own community only: the cost
does not grow with the number of concerns.

How well this groups is measured on hand-written streams of resident messages:
`concerns/tests/test_grouping_realistic.py` (run it as a script for the figures).
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

# Weight of a concept by tier; a generic concept weighs like a word and never carries a bag.
SPECIFIC_WEIGHT = 4.0
CONCEPT_WEIGHT = 3.0
MODIFIER_WEIGHT = 1.0
WORD_WEIGHT = 1.0
EXTRA_MATTER_FACTOR = 0.8
# An issue's dominant concepts are those named by at least this share of the most named one.
DOMINANT_SHARE = 0.6
BIGRAM_WEIGHT = 0.35
# A building's number ("@3"): two messages about a thing of one building (its lift, its
# stairwell lights, its outer wall) that name two different buildings are two matters.
BUILDING_WEIGHT = 0.5
OTHER_BUILDING_FACTOR = 0.3


def _words(text: str) -> list[str]:
    return text.split()


# Concepts: canonical name → surface forms people actually write (regular expressions, most
# of them plain words; a few allow words in between: "水又黄了", "水龙头出来的水发黄").
CONCEPTS: dict[str, tuple[str, ...]] = {
    # ---- water
    "水质": (
        "发黄",
        "黄水",
        "水.{0,7}黄",
        "黄.{0,3}水",
        "水.{0,4}(?:浑|混|锈|脏|腥|怪味|异味|有味|味道|变味|颜色|色不对)",
        "水.{0,6}泥沙",
        "(?:浑|混|锈|红褐|褐色|黄色)的?水",
        "变黄",
        "泛黄",
        "偏黄",
        "染黄",
        "黄黄的",
        "铁锈",
        "锈味",
        "铁腥",
        "浑浊",
        "混浊",
        "水质",
        "黄汤",
        "黄渣",
        "黄泥",
        "沉淀",
        "水垢",
        "漂浮物",
        "消毒水味",
        "漂白粉",
        "红褐",
        "发红",
        "红水",
        "茶水一个色",
        "水箱",
        "二次供水",
        "渣子",
        "自来水.{0,6}(?:臭|脏|味)",
    ),
    "停水": (
        "停水",
        "没水",
        "没有水",
        "断水",
        "不出水",
        "水停",
        "水压",
        "上不去水",
        "水流小",
        "水很小",
        "水.{0,3}细得",
        "(?<!自)来水",
        "供水.{0,4}(?:恢复|时间)",
        "恢复供水",
        "正常供水",
        "停了.{0,3}水",
        "一滴水?都没",
        "一点水都没",
        "停供",
        "自来水.{0,6}停",
        "爆管",
        "铸铁管",
        "水管.{0,4}(?:冻裂|爆裂)",
    ),
    "漏水": (
        "漏水",
        "渗水",
        "渗漏",
        "渗(?:到|进|下)",
        "滴水",
        "跑水",
        "漏雨",
        "漏[得的到进]",
        "滴滴答答",
        "滴答",
        "拿盆接",
        "漏了",
        "下雨.{0,4}漏",
        "往下(?:滴|流|渗)",
        "天花板",
        "防水",
        "水帘洞",
        "泡了",
        "发霉",
    ),
    # ---- vehicles: what kind, and what is wrong with them
    "电动车": (
        "电动车",
        "电瓶车",
        "电驴",
        "电动自行车",
        "摩托",
        "电摩",
        "电单车",
        "电车",
        "三轮",
    ),
    "共享单车": ("共享单车", "单车", "小黄车", "共享车", "哈啰"),
    "机动车": ("轿车", "私家车", "汽车", "外来车", "外面的车", "(?<!非)机动车", "开车", "车辆"),
    "超速": (
        "超速",
        "车速",
        "骑[得的地].{0,2}快",
        "开[得的地].{0,2}快",
        "贼快",
        "撞倒",
        "骑.{0,4}飞快",
        "逆行",
        "太猛",
        "冲过来",
        "抢道",
        "闯红灯",
        "飞快",
        "横冲直撞",
        "乱窜",
        "窜出",
        "飙车",
        "赛车",
        "投胎",
        "不要命",
        "嗖嗖",
        "速度.{0,2}(?:快|太快|吓人)",
        "行驶.{0,2}(?:过快|快)",
        "过快",
        "高速",
        "减速",
        "(?:差点|险些|被).{0,3}(?:撞|刮)",
        "撞到",
        "撞伤",
    ),
    "停车": (
        "停车",
        "乱停",
        "停放",
        "停[得的]",
        "停满",
        "停在",
        "车位",
        "挪车",
        "挪走",
        "不挪",
        "地锁",
        "车.{0,6}停",
        "车.{0,6}堵",
        "车.{0,3}横在",
        "停.{0,2}(?:马路|路边)",
    ),
    "充电": (
        "充电",
        "飞线",
        "私拉",
        "拉线",
        "(?:拉|接|扯|飞).{0,3}电线",
        "电线.{0,6}(?:拉|垂|耷拉|横|接到|充|挂)",
        "推进电梯",
    ),
    "被盗": ("被偷", "偷了", "被盗", "失窃", "小偷", "监控"),
    # ---- noise: its source says which matter it is
    "噪音": (
        "噪音",
        "噪声",
        "(?<!争)吵(?!架|起来|了好几|了一架|翻)",
        "扰民",
        "太响",
        "声音.{0,3}大",
        "音量",
        "小点声",
        "小声",
        "睡不着",
        "没睡着",
        "从早.{0,4}到晚",
        "一大早",
        "休息时间",
        "中午[^。！？]{0,6}(?:不停|施工|砸|干活|还在)",
        "睡不好",
        "没法睡",
        "嗡嗡",
        "轰隆",
        "咚咚",
        "震得",
        "鬼哭狼嚎",
        "(?:狗|犬|泰迪|金毛|柯基|哈士奇).{0,12}(?:叫|吠|嚎)",
        "汪汪",
        "狂叫",
        "乱叫",
        "犬吠",
        "吼叫",
        "大喊大叫",
        "半夜",
        "凌晨",
    ),
    "广场舞": (
        "广场舞",
        "(?<!去)跳舞(?!回来|去了)",
        "跳广场",
        "广场.{0,6}(?:音|喇叭|跳)",
        "大妈.{0,6}(?:音|喇叭|跳)",
        "舞.{0,3}音",
        "(?:开始|准时|还在)跳",
        "晨练",
        "太极",
        "扩音器",
    ),
    "娱乐场所": (
        "歌厅",
        "酒吧",
        "清吧",
        "放歌",
        "唱歌",
        "唱到",
        "夜店",
        "迪厅",
        "低音炮",
        "棋牌室",
        "麻将",
    ),
    "装修": (
        "装修",
        "施工",
        "电钻",
        "电锯",
        "砸墙",
        "拆墙",
        "敲墙",
        "叮叮当当",
        "冲击钻",
        "电锤",
        "电镐",
        "打孔",
        "钻孔",
        "打洞",
    ),
    "广告屏": ("广告", "广告屏", "屏幕"),
    "设备噪音": ("机房", "外机", "排风", "风机", "水泵", "泵房", "变压器"),
    "生活噪音": (
        "拖椅子",
        "拖凳子",
        "跑跳",
        "蹦",
        "剁",
        "跑.{0,2}跳",
        "拍球",
        "跳绳",
        "地垫",
        "(?:小孩|孩子|小朋友)[^。！？]{0,8}(?:跑跳|跑来跑去|蹦|拍球|跳绳|闹腾)",
        "(?:楼上|家里)[^。！？]{0,10}(?:孩子|小孩|小朋友)[^。！？]{0,10}跑",
    ),
    "烧烤": (
        "烧烤",
        "撸串",
        "烤串",
        "大排档",
        "夜市",
        "油烟",
        "排烟",
        "小龙虾",
        "夜宵",
        "宵夜",
        "烤肉",
    ),
    # ---- animals
    "宠物": (
        "宠物",
        "猫",
        "狗",
        "犬",
        "金毛",
        "泰迪",
        "鸽",
    ),
    "遛狗": ("遛狗", "牵绳", "拴绳", "不拴", "不牵", "没拴", "没牵", "狗绳"),
    "流浪动物": ("流浪", "野狗", "野猫", "投喂", "猫粮", "疯狗"),
    "宠物医院": ("宠物医院", "宠物诊所", "宠物店", "宠物美容", "动物医院", "兽医"),
    "养殖": (
        "养殖",
        "放羊",
        "羊粪",
        "羊群",
        "牛羊",
        "牲口",
        "养鸡",
        "鸡场",
        "猪场",
        "养猪",
        "牛棚",
        "羊圈",
        "(?:猪|牛|羊|鸡)粪",
        "粪污",
    ),
    # Pigeons kept on a roof are a matter of their own, not a farm.
    "养鸽": ("鸽棚", "养鸽", "(?:养|放|一大?群).{0,3}鸽", "鸽子?(?:屎|粪)"),
    "散养家禽": (
        "打鸣",
        "养了.{0,4}(?:鸡|鸭|鹅)",
        "散养",
        "鸡鸭",
        "鸭鹅",
        "鸡.{0,3}鸭",
        "(?:鸡|鸭|鹅)屎",
        "(?:鸡|鸭|鹅).{0,3}(?:乱跑|到处跑|满院|放出来|啄)",
    ),
    "鼠害": ("老鼠", "耗子", "灭鼠"),
    # ---- environment
    "卫生": (
        "卫生",
        "脏",
        "臭",
        "异味",
        "味道",
        "气味",
        "一股味",
        "骚",
        "粪便",
        "便便",
        "狗便",
        "粪",
        "屎",
        "尿",
        "消毒",
        "苍蝇",
        "蚊子",
        "蛆",
        "熏",
        "捂鼻子",
    ),
    "垃圾": (
        "垃圾",
        "清运",
        "满溢",
        "溢出",
        "爆满",
        "没人拉",
        "运走",
        "没人收",
        "塑料袋",
    ),
    "倾倒": (
        "乱倒",
        "倒垃圾",
        "倾倒",
        "偷倒",
        "建筑垃圾",
        "垃圾场",
        "碎砖",
        "烂瓦",
        "水泥块",
        "拆下来的",
    ),
    "灌溉": ("灌溉", "浇地", "浇不上", "浇水", "轮灌", "水渠", "秧田", "抽水机", "放水浇"),
    "河道": (
        "河沟",
        "沟渠",
        "渠",
        "河边",
        "河道",
        "水体",
        "池塘",
        "条河",
        "河堤",
        "河水",
        "河里",
        "河面",
        "河塘",
        "水塘",
        "塘里",
        "鱼塘",
        "坑塘",
        "翻白",
        "死鱼",
        "黑臭",
    ),
    "下水道": (
        "下水道",
        "下水",
        "化粪池",
        "污水",
        "地漏",
        "返臭",
        "返水",
        "(?:下水|污水|脏水|粪水).{0,4}(?:漫|冒|溢|流)",
        "返味",
        "马桶",
        "粪水",
        "(?:管道|管子|下水管).{0,4}堵",
    ),
    "保洁": ("保洁", "打扫", "清扫", "扫地", "没人扫", "一层灰"),
    "小广告": ("小广告", "牛皮癣", "乱贴", "乱涂"),
    "绿化": ("绿化", "草坪", "绿地", "花坛", "毁绿", "种菜", "行道树", "树枝", "修剪"),
    # ---- things in the way, trading in the street
    "堆放": (
        "乱堆",
        "堆放",
        "堆杂物",
        "堆物",
        "堆满",
        "杂物",
        "堆积",
        "堆着",
        "堆在",
        "堆到",
        "堆的",
        "堆了",
        "码放",
        "纸箱",
        "纸壳",
        "破烂",
        "废品",
        "旧家具",
        "沙发",
        "鞋柜",
        "东西太多",
        "冰柜",
        "泡沫箱",
        "床垫",
        "放在楼道",
        "储藏室",
        "当仓库",
        "公共空间",
        "(?:楼道|楼梯|过道|走廊)[^。！？，]{0,4}(?:被占|占了|占用|摆满)",
        "立在楼道",
    ),
    "出店经营": (
        "出店经营",
        "跨门",
        "越门",
        "占道经营",
        "店外",
        "(?<![南北东西大正侧后])门外",
        "摆到.{0,4}(?:外|街上|路上|人行道)",
        "搬到.{0,4}(?:外|街上|路上)",
        "桌椅",
        "(?:摆|放|搬|支)[^。！？，]{0,6}桌子",
        "桌子.{0,4}(?:摆|放|占)",
        "货架",
        "摆放至",
        "堆货",
        "商品",
        "货物",
    ),
    "流动摊贩": (
        "摆摊",
        "摊贩",
        "小贩",
        "卖菜",
        "菜贩",
        "地摊",
        "摊子",
        "小摊",
        "摊位",
        "流动摊",
        "早市",
        "集市",
        "赶集",
        "水果摊",
        "(?:海鲜|菜|瓜|鱼|肉)摊",
        "摊摊",
        "卖(?:菜|瓜|水果|海鲜|鱼|肉)",
        "城管",
    ),
    "商铺": (
        "商铺",
        "门店",
        "店铺",
        "商户",
        "铺面",
        "营业房",
        "门面",
        "底商",
        "超市",
        "店",
    ),
    "晒粮": (
        "晒(?:粮|谷|麦|玉米|稻|豆|场|的玉米|的粮|鱼|咸鱼|海带|虾)",
        "(?:粮食|玉米|稻谷|麦子|谷子|豆子|稻子).{0,8}(?:晒|摊在|铺在|路上|马路)",
        "(?:路|道)上.{0,3}晒",
    ),
    # ---- buildings and facilities
    "楼道": ("楼道", "走廊", "楼梯", "过道", "单元里", "单元内"),
    "电梯": (
        "电梯",
        "困人",
        "困了.{0,2}人",
        "关人",
        "停梯",
        "被关",
        "关在里面",
        "[一两几]部梯",
        "等梯",
        "坐梯",
        "梯控",
    ),
    "门禁": (
        "门禁",
        "门锁",
        "单元门(?!口)",
        "防盗门",
        "电子锁",
        "楼门(?!口)",
        "(?<!电梯)门.{0,3}关不(?:上|严)",
        "刷卡",
        "锁坏",
        "随便进",
        "谁都(?:能|可以)进",
    ),
    "路灯": (
        "路灯",
        "灯.{0,3}(?:不亮|坏|灭|没)",
        "一盏灯",
        "照明",
        "灯泡",
    ),
    "楼道灯": ("声控灯", "感应灯", "楼道灯"),
    "黑暗": ("黑灯瞎火", "黑咕隆咚", "黑漆漆", "黑乎乎", "摸黑", "太黑", "看不清", "黑着"),
    "供暖": ("暖气", "暖器", "供暖", "供热", "采暖", "地暖"),
    "不热": (
        "不热",
        "不烫",
        "室温",
        "冻得",
        "冻感冒",
        "冻死",
        "电褥子",
        "冷得",
        "还冷",
        "冰凉",
        "冰的",
        "凉的",
        "温的",
        "温乎",
        "温度.{0,4}(?:低|不达标|不够)",
        "效果差",
        "跟没开一样",
        "温吞",
        "冰窖",
        "(?:才|只有|就|不到)\\s*[一二三四五六七八九十几]*\\s*度",
    ),
    "停电": ("停电(?!动|瓶)", "停了.{0,3}电", "没电", "跳闸", "断电", "线路老化"),
    "物业服务": (
        "物业费",
        "物业服务",
        "服务.{0,2}差",
        "服务质量",
        "服务不到位",
        "更换物业",
        "换物业",
        "物业.{0,4}换了",
        "物业.{0,6}(?:不干|不作为|收钱|咋整|想咋)",
        "业委会",
        "报修",
        "态度",
    ),
    "物业": ("物业", "保安", "门卫", "门岗", "管家"),
    "健身器材": (
        "健身",
        "篮球",
        "球场",
        "篮筐",
        "篮板",
        "体育",
        "乒乓",
        "球台",
        "运动场",
        "锻炼",
        "健身步道",
        "步道.{0,2}(?:修|建)",
        "(?:修|建)个?.{0,2}步道",
        "单杠",
        "双杠",
        "漫步机",
        "扭腰",
        "器材",
        "儿童游乐",
        "游乐设施",
        "滑梯",
        "秋千",
    ),
    "围墙": (
        "围墙",
        "院墙",
        "老墙",
        "墙.{0,4}(?:裂|歪|塌|倒)",
        "围栏",
        "栅栏",
        "护栏",
        "篱笆",
        "铁栏",
        "栏杆",
    ),
    "井盖": ("井盖", "窨井"),
    "道路": (
        "村道.{0,6}(?:坏|坑|烂|破|裂|塌)",
        "塌陷",
        "路面",
        "坑洼",
        "水泥路",
        "路不平",
        "坑",
        "压烂",
        "压坏",
        "碾压",
        "泥塘",
        "路.{0,4}烂",
    ),
    "外墙": ("外墙", "瓷砖", "高空坠物", "掉砖", "墙皮.{0,8}往下掉", "脱落", "饰面"),
    "消防设施": ("灭火器", "消防栓", "消火栓", "消防箱", "水带", "消防设施", "消防器材"),
    "燃气": ("燃气", "煤气", "天然气", "漏气", "液化气"),
    "安全隐患": (
        "隐患",
        "危险",
        "安全",
        "着火",
        "火灾",
        "吓人",
        "出事",
        "摔",
    ),
    # ---- states: in what state a thing is, not what it is
    "破损": (
        "(?<![渴冻吓气累饿])坏",
        "坏了",
        "坏掉",
        "坏的",
        "损坏",
        "破损",
        "故障",
        "失灵",
        "断了",
        "倒了",
        "塌",
        "松动",
        "松了",
        "烂了",
        "破了",
        "裂",
        "年久失修",
        "卡住",
        "卡在",
        "毛病",
        "停运",
        "困人",
        "被困",
        "锈断",
        "修一下",
        "维修",
        "没人修",
    ),
    "缺少": (
        "缺少",
        "缺乏",
        "一个.{0,6}都没有",
        "没有.{0,3}(?:地方|场地|球场)",
        "没地方",
        "(?:建议|希望|能不能|可不可以).{0,8}(?:建|装点|增|加几|修个)",
        "增设",
        "新建",
        "建个",
        "建设",
        "修个",
        "改成",
    ),
    "收费": (
        "暖气费",
        "采暖费",
        "水费",
        "电费",
        "收费",
        "乱收",
        "涨价",
        "说涨就涨",
        "物业费.{0,6}涨",
        "上调",
        "涨.{0,2}(?:物业费|费)",
    ),
    "加装电梯": ("加装",),
    "高空抛物": ("高空抛物", "往下扔", "楼上扔", "扔东西", "掉下来", "坠物"),
    "群租": (
        "群租",
        "隔成.{0,4}间",
        "隔断",
        "(?:十几|十多|十余|二十多|好多)个?人.{0,3}住",
        "住.{0,4}(?:十几|十多|十余|二十多)个?人",
        "租给.{0,6}(?:十几|十多|十余|好多|一帮)",
    ),
    "私搭乱建": (
        "私搭",
        "乱建",
        "违建",
        "违章",
        "违规搭建",
        "违法建",
        "搭建",
        "彩钢",
        "搭了个棚",
        "棚子",
        "盖到路上",
    ),
    "叫卖": (
        "吆喝",
        "叫卖",
        "促销",
        "高音喇叭",
        "喇叭.{0,8}(?:喊|促销|循环)",
        "清仓",
        "甩卖",
        "跳楼价",
        "最后[一二三两]天",
        "店.{0,3}门口.{0,6}(?:喇叭|音响|音乐|放歌)",
    ),
    "积水": (
        "积水",
        "排水",
        "成河",
        "淹",
        "雨水",
        "汪洋",
        "水浸",
        "内涝",
        "暴雨",
        "防汛",
        "沙袋",
        "大雨.{0,6}(?:灌|进|浸|漫)",
    ),
    "伤人": ("咬", "伤人", "扑倒", "扑到", "见人就扑", "追着人", "被.{0,3}追", "追着跑"),
    "吸烟": ("抽烟", "吸烟", "烟味", "烟头"),
    "工业污染": (
        "砖厂",
        "石料厂",
        "砂石厂",
        "加工厂",
        "工厂",
        "厂子",
        "粉尘",
        "扬尘",
        "降尘",
        "灰大",
        "尘土",
        "苫盖",
        "盖网",
        "篷布",
        "一层土",
        "满天都?是?灰",
        "冒烟",
        "烟气",
        "灰太大",
    ),
    "焚烧": (
        "焚烧",
        "烧秸秆",
        "烧垃圾",
        "秸秆",
        "黑烟",
        "禁烧",
        "烧(?:麦秆|稻草|麦茬|稻秆|玉米秆|荒|树叶|落叶)",
        "(?:田|地)里.{0,6}(?:烧|点火)",
    ),
    "光污染": ("太亮", "刺眼", "晃眼", "晃得", "探照灯"),
    "治安": ("陌生人", "不认识的人", "推销", "徘徊", "小偷"),
    "消防通道": ("消防通道", "生命通道", "消防车", "安全出口", "消防楼梯", "疏散通道", "逃生"),
    "纠纷": (
        "纠纷",
        "吵架",
        "矛盾",
        "打架",
        "打起来",
        "吵起来",
        "吵了好几",
        "跟我吵",
        "争执",
        "闹翻",
        "吵翻",
        "吵了一架",
        "抢水",
        "调解",
        "赔偿",
        "索赔",
        "不肯赔",
        "要他赔",
        "(?<!不)不认(?!识|得|真)",
        "协商不成",
    ),
    "宅基地": (
        "宅基地",
        "界址",
        "边界",
        "地界",
        "界线",
        "盖房",
        "占了.{0,4}地",
        "砌.{0,3}墙",
        "地基",
    ),
    "危房": (
        "危房",
        "土房",
        "土坯房",
        "房梁",
        "老房子?.{0,8}(?:裂|塌|歪|漏|危)",
        "(?:屋顶|屋面|房顶).{0,4}塌",
        "倒塌风险",
    ),
    "土地流转": ("流转", "地租", "租金", "承包费", "合作社", "地包出去", "包地"),
    "充电桩": ("充电桩", "充电设施", "充电站", "充电柜", "充电口", "充电位", "充电车棚"),
    "快递柜": (
        "快递柜",
        "丰巢",
        "智能柜",
        "取件",
        "(?<!送)快递(?!的|员|小哥)",
    ),
    "公示": (
        "公示",
        "公共收益",
        "收支",
        "账目",
        "账本",
        "查账",
        "(?:钱|收益|费).{0,4}(?:花哪|去哪|用在哪)",
        "谁的口袋",
        "独吞",
    ),
    "工地": (
        "工地",
        "打桩",
        "搅拌车",
        "搅拌机",
        "渣土车",
        "塔吊",
        "夜间施工",
        "施工许可",
        "在建",
    ),
    "蚊虫": ("蚊子", "蚊虫", "消杀", "灭蚊", "打药", "喷药", "杀虫", "蟑螂", "飞虫"),
    "占绿种菜": (
        "种菜",
        "种地",
        "开荒",
        "圈地",
        "圈起来",
        "毁绿",
        "占用.{0,4}绿地",
        "(?:开|改|变)成了?菜(?:地|园)",
        "成了菜地",
        "自留地",
        "改种",
        "种.{0,2}(?:葱|蒜|辣椒|茄子|玉米|豆|瓜|蔬菜|上了)",
    ),
    "助餐": (
        "助餐",
        "老年食堂",
        "长者食堂",
        "老年餐",
        "食堂",
        "饭堂",
        "长者.{0,2}(?:饭|餐)",
        "送餐",
        "饭.{0,3}凑合",
        "吃饭.{0,4}补贴",
    ),
    "养老": (
        "独居",
        "空巢",
        "孤寡",
        "上门照顾",
        "上门看",
        "上门探",
        "定期上门",
        "没人照顾",
        "养老",
        "照料",
        "留守",
        "一个人住",
        "自己过",
        "头疼脑热",
        "才被发现",
        "呼叫器",
        "(?:儿女|子女|年轻人).{0,6}(?:外地|打工|出去|不在)",
    ),
    # Round 7: matters of new estates, old compounds, rented rooms and streets.
    "梯控": ("梯控", "电梯.{0,8}刷卡", "刷卡.{0,8}电梯", "坐不了电梯", "电梯.{0,4}上不(?:来|去)"),
    "物业交接": (
        "交接",
        "撤场",
        "进场",
        "前期物业",
        "(?:新|老|原)物业",
        "物业.{0,4}(?:撤|退出)",
        "物业.{0,2}要?走了",
        "选聘",
    ),
    "维修基金": ("维修基金", "维修资金", "大修基金", "专项维修"),
    "光伏": ("光伏", "太阳能.{0,2}(?:板|发电|热水器)", "发电板"),
    "适老化": (
        "适老",
        "无障碍",
        "坡道",
        "(?:装|安|加|没得?|没有|缺)个?扶手",
        "扶手.{0,2}(?:都没|没有)",
    ),
    "电线老化": (
        "电线.{0,8}(?:老化|开裂|破皮|裸露)",
        "外皮.{0,4}(?:开裂|破|裂)",
        "线路老化",
        "老电线",
        "火星子?",
        "冒火",
        "短路",
        "打火",
    ),
    "结冰": (
        "结冰",
        "积雪",
        "除雪",
        "扫雪",
        "铲雪",
        "下雪",
        "路滑",
        "太滑",
        "冰溜",
        "全是冰",
        "冻成冰",
        "打滑",
        "融雪",
        "撒盐",
        "防滑",
    ),
    "倒树": (
        "倒树",
        "树.{0,4}(?:倒|断|刮|砸|歪|斜)",
        "(?:刮|吹|砸)倒.{0,3}树",
        "断树枝",
        "树枝.{0,4}(?:断|掉下|挂在)",
    ),
    "僵尸车": (
        "僵尸车",
        "废弃车",
        "报废",
        "没动过",
        "没挪过",
        "长期停放",
        "轮胎.{0,3}瘪",
        "没(?:有)?车牌",
        "无牌",
        "满身灰",
        "落满灰",
    ),
    "接送": (
        "接送",
        "上下学时",
        "(?:放学|(?:学校|校)门口|[接送](?:孩子|娃|学生))[^。！？]{0,10}(?:堵|车|挤|乱停)",
        "(?:堵|挤)[^。！？]{0,10}(?:放学|上学|学校|校门)",
    ),
    "押金": ("押金", "退租", "房租", "房东.{0,6}(?:扣|不退|不给)"),
    "招牌": ("招牌", "广告牌", "店招", "牌匾"),
    "公厕": ("公厕", "公共厕所", "厕所", "卫生间.{0,4}(?:开门|关门)"),
    "宠物粪便": ("(?:狗|猫|犬|宠物).{0,2}(?:屎|粪|便|尿)", "铲屎", "不捡"),
    # Round 8: matters of old work-unit compounds, resettlement estates, towers of flats above
    # shops, villages being pulled down and school districts.
    "燃气改造": (
        "(?:燃气|煤气|天然气|管道)[^。！？]{0,8}改造",
        "改造[^。！？]{0,8}(?:燃气|煤气|天然气)",
        "改管",
        "煤改气",
        "通(?:上)?(?:天然气|燃气)",
        "煤气罐",
        "液化气罐",
    ),
    "漏气": ("漏气", "泄漏", "臭鸡蛋", "(?:燃气|煤气|天然气).{0,2}(?:味|异味)"),
    "信号": ("信号", "打电话.{0,6}断"),
    "基站": ("基站", "信号塔", "发射塔", "铁塔", "辐射"),
    "宽带": (
        "宽带",
        "光纤",
        "网速",
        "网络[^。！？]{0,3}(?:差|慢|卡|不好|断|掉)",
        "掉线",
        "断网",
        "网课",
        "宽频",
        "独家",
    ),
    "过街": (
        "过马路",
        "横穿(?:马路|公路|国道|省道|道路|街)",
        "绿灯",
        "协管员",
        "斑马线",
        "人行横道",
        "红绿灯",
    ),
    "公交": (
        "公交站",
        "公交车站",
        "车站",
        "站台",
        "公交线路",
        "(?:设|加|开|通|延长)[^。！？]{0,6}公交",
        "公交[^。！？]{0,6}(?:太远|延长|改线|站点|线路)",
        "路延长",
    ),
    "外卖进楼": (
        "外卖[^。！？]{0,10}(?:进不了|不让进|不能进|进不去|自己下楼|下到大堂|大堂拿)",
        "不让[^。！？]{0,4}外卖",
    ),
    "民宿": ("民宿", "短租", "日租", "拖箱子", "拉杆箱"),
    "产权证": ("产权证", "不动产证", "房产证", "房本", "房改(?!造)"),
    "车位租售": (
        "只(?:卖|售)不租",
        "车位[^。！？]{0,6}(?:卖|售|租(?!户|客|房)|买)",
        "(?:买|租(?!户|客)|卖|售)[^。！？]{0,3}车位",
        "产权车位",
    ),
    "电梯拥挤": (
        "抢电梯",
        "挤电梯",
        "排长?队[^。！？]{0,6}(?:电梯|坐梯)",
        "电梯[^。！？]{0,10}(?:挤|排长?队|占着|坐不上|上不去)",
        "(?:等|排)[^。！？]{0,8}(?:上不去|坐不上|挤不上)",
    ),
    "托管班": (
        "托管(?:班|机构|中心)",
        "午托",
        "晚托",
        "小饭桌",
        "补习班",
        "培训班",
        "辅导班",
        "兴趣班",
        "住改商",
    ),
    "餐厨垃圾": ("餐厨", "泔水", "潲水", "剩饭剩菜", "地沟油"),
    "垃圾分类": (
        "垃圾分类",
        "定时定点",
        "投放点",
        "投放的?时间",
        "分类投放",
        "督导员",
        "桶都撤",
        "分类.{0,3}桶",
    ),
    "空调滴水": ("冷凝水", "空调滴水"),
    "征地补偿": ("征地", "补偿款", "外嫁女", "出嫁", "拆迁款"),
    "夜间施工": (
        "夜间施工",
        "夜里施工",
        "(?:晚上|夜里|夜间|半夜|凌晨)[^。！？]{0,12}(?:施工|打桩|挖掘机|搅拌|干活)",
    ),
    # A neighbour's works that cracked one's walls: a claim, not the noise of the works.
    "装修损坏": ("承重墙", "震裂"),
    "农贸市场": ("农贸市场", "菜市场", "菜场", "集贸市场", "市场(?:里|内)"),
}

# Tiers (every other concept is a topic).
SPECIFIC_CONCEPTS = frozenset(
    _words(
        "超速 停车 充电 被盗 广场舞 娱乐场所 装修 广告屏 设备噪音 生活噪音 烧烤 宠物医院 养殖 "
        "遛狗 流浪动物 工业污染 鼠害 倾倒 保洁 小广告 伤人 吸烟 焚烧 光污染 出店经营 流动摊贩 "
        "晒粮 井盖 外墙 消防设施 燃气 宅基地 共享单车 纠纷 加装电梯 高空抛物 群租 私搭乱建 "
        "叫卖 充电桩 快递柜 公示 工地 蚊虫 助餐 养老 占绿种菜 散养家禽 危房 土地流转 "
        "养鸽 梯控 物业交接 光伏 适老化 电线老化 结冰 倒树 僵尸车 接送 押金 招牌 "
        "燃气改造 漏气 信号 基站 宽带 过街 公交 外卖进楼 民宿 产权证 车位租售 电梯拥挤 "
        "托管班 餐厨垃圾 垃圾分类 空调滴水 征地补偿 夜间施工 装修损坏"
    )
)
MODIFIER_CONCEPTS = frozenset(_words("噪音 卫生 安全隐患 破损 缺少 物业 楼道 商铺 黑暗"))

# Families: concepts that are alternatives of one another. Two messages that each name a
# different member (and not the other's) are about two matters.
FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "水质 停水 漏水",
        "超速 停车 充电 被盗 充电桩",
        "电动车 共享单车 机动车",
        "广场舞 娱乐场所 装修 广告屏 设备噪音 生活噪音 烧烤 叫卖 工地",
        "路灯 楼道灯",
        "加装电梯 破损",
        "破损 缺少",
        "出店经营 流动摊贩 晒粮",
        "楼道 商铺",
        "燃气改造 漏气",
        "信号 基站",
        "车位租售 收费",
        "遛狗 宠物粪便",
        "工业污染 夜间施工",
        "装修损坏 噪音",
    )
)

# What is wrong, whatever it is wrong with: two messages about one thing (暖气, 电梯, 狗) that
# each name what is wrong and share none of it are about two matters (暖气不热 / 暖气漏水,
# 电梯坏了 / 电梯里抽烟, 狗叫 / 狗咬人) unless a specific concept they share says it is one.
PROBLEMS = frozenset(
    _words(
        "水质 停水 漏水 超速 停车 充电 被盗 噪音 卫生 破损 缺少 堆放 不热 伤人 吸烟 停电 "
        "光污染 小广告 焚烧 倾倒 收费"
    )
)

# Things of one building: the same thing in another building is another matter.
BUILDING_CONCEPTS = frozenset(_words("电梯 加装电梯 楼道灯 外墙 门禁 燃气 漏水"))

# A matter that is told with the words of others it contains: the cars of a school run are
# not a parking matter of their own, nor is a car abandoned for a year.
SUBSUMES: dict[str, tuple[str, ...]] = {
    "接送": ("停车", "机动车", "电动车", "超速"),
    "僵尸车": ("停车", "机动车"),
    "夜间施工": ("装修", "工地"),
}

# Compounds read first and then taken out of the text, so that their parts do not count as
# well: "电梯里的广告屏" is about the advertising screen, not the lift; "电梯门关不上" about
# the lift, not a door lock; "楼道灯" about a light.
COMPOUNDS: tuple[tuple[str, str], ...] = (
    # The money a lift's advertising brings in is the owners' income, not the screen.
    (
        r"电梯[^。！？]{0,6}(?:广告|屏)[^。！？]{0,12}(?:钱|收益|收入|公示|账)"
        r"|(?:广告|场地)(?:费|收益|收入)",
        "公示",
    ),
    (r"电梯.{0,6}(?:广告|屏|电视)", "广告屏"),
    (r"电梯.{0,6}机房", "设备噪音"),
    (r"电梯门|电梯按钮", "电梯"),
    # An electric bike taken up in the lift is the bike charged at home, not the lift.
    (
        r"(?:电动车|电瓶车|电车|电驴)\S{0,3}(?:推|进|上|带)\S{0,2}电梯"
        r"|电梯里?.{0,6}(?:电动车|电瓶车)|阻车",
        "充电",
    ),
    (r"(?:公共|专项)?维修(?:基金|资金)", "维修基金"),
    (r"(?:排水沟|水沟|阴沟|沙井|窨井|井盖)[^。！？]{0,6}(?:堵|臭|油污|冒)", "下水道"),
    (r"(?:漫步机|器材|器械|单杠|双杠|健身)[^。！？]{0,8}扶手", "健身器材"),
    # One's own toilet backing up is the drain, not a public toilet.
    (r"厕所[^。！？]{0,4}(?:往上冒|冒|返|堵|冲不下)|冲厕所", "下水道"),
    (r"(?:电动车|电瓶车|电车).{0,3}电瓶", "被盗"),
    (r"(?:楼道|楼梯间?|楼梯|单元)(?:里|内)?的?(?:声控|感应)?(?:灯|照明)", "楼道灯"),
    (
        r"装(?:个|部|台|上)?电梯|(?:增设|盼着)电梯|电梯加装|没电梯",
        "加装电梯",
    ),
    (r"停车费|收停车|停车收费", "收费"),
    # Round 8: a traffic light is not a lamp, nor a lift without signal the lift; a stall
    # inside a market is where it belongs; a dog walker's mess is the mess.
    (r"红绿灯|信号灯|交通信号", "过街"),
    (r"健身房|健身馆|瑜伽馆", "商铺"),
    # Common parts fenced in for oneself are occupied like a stairway full of things.
    (r"(?:公共|楼道|过道|走廊)[^。！？]{0,8}圈起来|圈起来当|当自己(?:家|的)?院子|据为己有", "堆放"),
    (r"(?:电梯|车库)里?[^。！？]{0,6}(?:没|无)信号", "信号"),
    (r"(?:市场|菜场)(?:里|内)[^。！？，]{0,8}摊", "农贸市场"),
    (r"遛狗的人?[^。！？，拴牵绳]{0,6}(?:屎|粪|便|捡)", "宠物粪便"),
    (r"外卖[^。！？]{0,10}(?:进不了|进不去|不让进)", "外卖进楼"),
    (r"(?:运营商|电信|联通|移动)[^。！？]{0,10}(?:进场|进不来|独家)", "宽带"),
    (r"(?:餐馆|饭店|饭馆|餐厅|饭馆)[^。！？]{0,6}厨余", "餐厨垃圾"),
    (r"(?:空调|冷气|外机)[^。！？]{0,8}(?:滴|冷凝)", "空调滴水"),
    (r"排(?:风|烟)[^。！？]{0,8}油烟|油烟[^。！？]{0,8}排(?:风|烟)", "烧烤"),
    (r"加装[^。！？]{0,4}(?:坡道|扶手|无障碍)", "适老化"),
    # A neighbour's works that cracked one's own walls (an old house's cracks are its own).
    (
        r"(?:我家|客厅|卧室|家里|屋里)\s?的?墙体?[^。！？]{0,6}(?:裂|缝)|承重墙|震裂"
        r"|装修[^。！？]{0,12}(?:墙体开裂|裂缝)",
        "装修损坏",
    ),
    (r"充电(?:桩|设施|站|柜|口|位|车棚|困难|难)|没(?:地方|处)充电?", "充电桩"),
    (r"充电桩.{0,4}(?:收费|太贵|涨价)", "充电桩"),
    (r"装修的?(?:垃圾|碎砖|废料|渣土)", "倾倒"),
    (r"(?:烧(?!烤)|点火|焚)[^。！？]{0,12}烟味|烟味[^。！？]{0,12}(?:烧(?!烤)|焚)", "焚烧"),
    (r"加压(?:泵房?|设备)", "停水"),
    (r"(?:消防栓|消火栓|消防箱)[^。，,]{0,10}(?:没水|无水压?|没有水)", "消防设施"),
    (r"(?:摊贩|摊位|小摊|摆摊)[^。]{0,10}占道经营|占道经营的?(?:摊|小贩)", "流动摊贩"),
)


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
    俺 俺们 俺家 咱家 整 贼 咋回事 咋整 啥时候 什么时候 到底 究竟 求求 帮忙 协调 帮帮忙
    一下 一声 好几次 好几个 几个 那家 这家 那个 人家 自己 孩子 老人 小孩 家人 还有 而且
    就是 所以 然后 结果 其实 反正 不过 只能 只好 能够 一定 马上 赶紧 尽快 及时 多次 多户
    部分 多名 仍 已 未 尚 均 较 较大 此 该 某 其 并 且 又双叒叕 双叒叕 咋办 怎么回事
    谁来 谁管 有没有 管不管 管吗 不管 没用 不听 也不 都不 还不 太差 素质 行不行 好不好
    忒 啥子 撒子 咋个 咋子 木有 肿么 神马 晓得 晓不得 莫得 没得 么子 啷个 哎呀 唉 咧 噻 嘞
    屋头 恼火 得很 咋弄 咋搞 干啥 弄啥 啥事 搞啥子 一哈 娃娃 娃儿 婆婆 爷爷 奶奶 大爷 大娘
    加强 管理 产生 大量 进行 发生 督促 规范 予以 对此 不满 担心 近日 近期 每日 依法 落实
    答复 回复 来电 诉求 诉求人 市民 群众 同问 同感 附议
    """
    )
)

# Domain words jieba should keep whole.
DOMAIN_WORDS = _words(
    "自来水 黄水 水发黄 电瓶车 电动车 电动自行车 乱堆乱放 占道经营 出店经营 跨门经营 宠物医院 "
    "飞线充电 消防通道 垃圾分类 二次供水 楼道长 网格员 物业公司 业委会 健身器材 广场舞 "
    "化粪池 下水道 小区门口 水龙头 楼顶水箱 铁锈 电驴 小黄车 共享单车 声控灯 感应灯 门禁 "
    "宅基地 养鸡场 烧烤摊 撸串 低音炮 外机 泵房 漫步机 单杠 篮球场 健身步道 井盖 窨井盖 "
    "灭火器 消防栓 燃气 天然气 暖气片 垃圾桶 垃圾站 建筑垃圾 狗屎 狗粪 遛狗 拴绳 牵绳"
)

# The hotline operator's frame and polite openings: the same in unrelated reports.
_FRAME = re.compile(
    r"来电人?(?:反映|称|表示)|来电号码|联系电话|联系方式|电话|居民反映|群众反映|市民反映|网友反映"
    r"|[我想要]*反映一下|您好|你好|请尽快处理|尽快处理|请求社区|请求|要求|谢谢|麻烦"
    r"|社区工作人员|工作人员|存在|影响居民|影响"
    r"|诉求人?|请?相关(?:职能)?部门|核实处理|核实|工单|同问|同感|楼上说的对|说的对|附议"
    r"|尊敬的[^：:，,！!]{0,8}(?:领导|同志|书记|主任)|此致\s*敬礼|本人系|恳请|特此|敬请"
    r"|是摆设吗|是个摆设|成了摆设"
)
# A few whole words that written in letters would be lost with the addresses below.
_LATIN_WORDS = (("ktv", "歌厅"), ("wifi", "网络"))
# Letters residents type for the words they use most (拼音 initials), read where they stand
# alone: "wy又不管", "b座dt坏了", "推ddc进电梯".
ABBREVIATIONS = {
    "wy": "物业",
    "wyf": "物业费",
    "dt": "电梯",
    "ddc": "电动车",
    "sq": "社区",
    "xq": "小区",
    "jwh": "居委会",
    "wgy": "网格员",
}
_LETTERS = re.compile("[a-z]+")
# A word spelled out one character at a time for emphasis: "冰！路！太！滑！" → "冰路太滑".
_SPELLED_OUT = re.compile(
    r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff][!?~.,、。， ]+){2,}[\u4e00-\u9fff](?![\u4e00-\u9fff])"
)
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
# Traditional characters some residents type, to their simplified form (the common ones).
_TRADITIONAL: dict[int, str] = str.maketrans(
    {
        pair[0]: pair[1]
        for pair in _words(
            "發发 黃黄 來来 燒烧 開开 層层 寵宠 醫医 們们 實实 場场 廣广 聲声 電电 車车 樓楼 "
            "門门 號号 單单 亂乱 髒脏 氣气 壞坏 燈灯 體体 費费 區区 裡里 這这 個个 麼么 還还 "
            "沒没 問问 題题 貓猫 鬧闹 鏽锈 銹锈 渾浑 濁浊 臟脏 滿满 裝装 處处 鎖锁 關关 熱热 "
            "滲渗 騎骑 轉转 遠远 嗎吗 謝谢 請请 給给 讓让 見见 為为 邊边 過过 點点 務务 業业 "
            "設设 備备 損损 舊旧 傢家 雜杂 擺摆 攤摊 賣卖 鋪铺 舖铺 營营 經经 響响 樂乐 衛卫 "
            "戶户 鄰邻 紛纷 糾纠 調调 爭争 執执 險险 隱隐 欄栏 圍围 牆墙 塊块 綠绿 樹树 籃篮 "
            "鍛锻 煉炼 兒儿 遊游 戲戏 鞦秋 韆千 動动 蟲虫 糞粪 蒼苍 蠅蝇 總总 時时 間间 幾几 "
            "後后 頭头 樣样 與与 從从 對对 會会 說说 話话 碼码 聯联 繫系 燙烫 溫温 達达 標标 "
            "機机 廠厂 飯饭 館馆 煙烟 嗆呛 噸吨 鐘钟 樂乐 壓压 漲涨 爛烂 斷断 掃扫 紙纸 "
            "積积 淨净 麗丽 蘭兰 儀仪 陽阳 臺台 檯台 鐵铁 錢钱 線线 閘闸 鄉乡 棗枣 組组 飲饮 "
            "販贩 擁拥 傷伤 輛辆 廁厕 廳厅 灣湾 顏颜 凍冻 蓋盖 盜盗 竊窃 監监 攝摄 錄录 擾扰 "
            "嚇吓 飛飞 殺杀 藥药 噴喷 閉闭 鬆松 罰罚 違违 規规 築筑 彎弯 橋桥 護护 維维 報报 "
            "檢检 換换 帳账 賬账 稅税 貴贵 鍋锅 廚厨 師师 員员 長长 難难 歲岁 養养 鴿鸽 鳥鸟 "
            "鴨鸭 雞鸡 豬猪 磚砖 脫脱 劃划 掛挂 墜坠 擲掷 拋抛 滅灭 術术 產产 網网 絡络 纜缆 "
            "爐炉 閥阀 錶表 鑰钥 龍龙 澇涝 溝沟 屬属 於于 誰谁 嚴严 幫帮 辦办 證证 療疗 齡龄 "
            "齊齐 擠挤 聽听 覺觉 紀纪 談谈 論论 議议 協协 簽签 補补 償偿 準准 許许 頂顶 黴霉 "
            "剝剥 陣阵 風风 颳刮 雲云 廢废 棄弃 殼壳 歡欢 觀观 視视 鏡镜 麵面 條条 極极 階阶 "
            "緣缘 側侧 莊庄 園园 東东 認认 識识 裏里 係系 應应 該该 現现 歸归 級级 種种 狀状 "
            "況况 據据 輪轮 駛驶 禍祸 災灾 飼饲 餵喂 淺浅 潔洁 環环 專专 項项 價价 買买 貨货 "
            "運运 輸输 遞递 櫃柜 領领 遲迟 誤误 擋挡 葉叶 鬥斗 罵骂 臨临 質质 瀝沥 濾滤 鹼碱 "
            "漿浆 銅铜 錯错 濕湿 貼贴 幣币 腦脑 藝艺 圖图 書书 導导 學学 馬马 紅红 爺爷 婦妇 "
            "殘残 遷迁 隊队 勞劳 優优 煩烦 惱恼 憂忧 擔担 驚惊 盡尽 趕赶 緊紧 講讲 覽览 彈弹 "
            "撥拨 幹干 雖虽 萬万 億亿 兩两 週周 際际 隻只 衝冲 盞盏 擊击 靜静 鑽钻 錘锤 當当 "
            "鈴铃 蕩荡 牽牵 繩绳 內内 嘔呕 鍵键 訂订 約约 絕绝 讀读 課课 範范 漢汉 鍊链 鏈链 "
            "韁缰 腳脚 癢痒 蒼苍 氣气 歷历 曆历 彙汇 匯汇 團团 廂厢 龜龟 館馆 釘钉 鋼钢 礙碍 "
            "礦矿 連连 續续 賠赔 訪访 佔占 薰熏 訊讯 寬宽 頻频 儲储 "
            "國国 進进 無无 結结 簾帘 鋁铝 鵝鹅 魚鱼 倉仓 庫库 資资 權权 隨随 測测 試试 繳缴 練练 "
            "汙污 闖闯 廈厦 轟轰 訴诉 舉举 帶带 寫写 驗验 灑洒 揚扬 塵尘 縫缝 濺溅 溼湿 乾干 燻熏 "
            "澆浇 農农 貿贸 蔥葱 決决 態态 惡恶 崗岗 殭僵 屍尸 丟丢 參参 選选 確确 獨独 樑梁 鏟铲"
        )
    }
)
# Misspellings residents often type (same sound or shape), to the word they mean.
TYPOS: dict[str, str] = {
    "拉圾": "垃圾",
    "垃级": "垃圾",
    "燥音": "噪音",
    "躁音": "噪音",
    "绕民": "扰民",
    "饶民": "扰民",
    "消防通到": "消防通道",
    "天燃气": "天然气",
    "煤汽": "煤气",
    "秸杆": "秸秆",
    "电平车": "电瓶车",
    "电频车": "电瓶车",
    "监空": "监控",
    "暧气": "暖气",
    "水龙投": "水龙头",
    "井概": "井盖",
    "因该": "应该",
    # Voice input (语音转文字) of older residents: the right sound, the wrong characters.
    "电屏车": "电瓶车",
    "电题": "电梯",
    "点梯": "电梯",
    "广场五": "广场舞",
    "早音": "噪音",
    "楼到": "楼道",
    "冲电": "充电",
    "拉级": "垃圾",
    "器才": "器材",
    "自来谁": "自来水",
    "宅鸡地": "宅基地",
    "结杆": "秸秆",
    "五叶": "物业",
    # Pinyin input: the right syllables, the wrong candidate.
    "杨尘": "扬尘",
    "红路灯": "红绿灯",
    "电提": "电梯",
    "溜狗": "遛狗",
    "栓绳": "拴绳",
    "不栓": "不拴",
    "没栓": "没拴",
    "栓狗": "拴狗",
    "坡到": "坡道",
    "洋尘": "扬尘",
    "下水到": "下水道",
    "滩贩": "摊贩",
    "摆滩": "摆摊",
    "站道经营": "占道经营",
    "班马线": "斑马线",
    # Cantonese words of Hong Kong and Macao residents.
    "升降机": "电梯",
    "管理处": "物业",
    "屋企": "家",
    "冇": "没",
    "唔": "不",
    "喺": "在",
    "咗": "了",
    "嘈": "吵",
    "成日": "经常",
    "冷气机": "空调",
    "佢": "他",
    "嘅": "的",
    "啲": "些",
    "嚟": "来",
    "畀": "给",
    # Words of Taiwan and Hong Kong for the same things.
    "瓦斯": "燃气",
    "管委会": "物业",
    "看更": "保安",
    "水喉": "水管",
    "泊车": "停车",
    "停车格": "车位",
    "公车": "公交",
    "巴士": "公交",
    "网路": "网络",
}
# Sound-alikes that are also words of their own, replaced only where the word cannot be
# meant: written → (the word meant, characters it never follows, characters it never precedes).
SOUND_ALIKES: dict[str, tuple[str, str, str]] = {
    "无业": ("物业", "", "游人青"),  # 无业游民, 无业人员, 无业青年
    "楼水": ("漏水", "号栋幢0123456789一二三四五六七八九十高低顶", "压管箱表费质"),  # 3号楼水管
    "露水": ("漏水", "", "珠"),
    "路等": ("路灯", "", "车人着待你我他她公"),  # 在马路等车
    "然气": ("燃气", "天", ""),  # 天然气
    "新号": ("信号", "", "码"),  # 新号码
    "车味": ("车位", "", "道儿"),
    "油盐": ("油烟", "柴", "酱"),  # 柴米油盐, 油盐酱醋
}
# One pass of plain words (fast); a sound-alike's neighbours are looked at when it is found.
_TYPO = re.compile("|".join(sorted([*TYPOS, *SOUND_ALIKES], key=len, reverse=True)))


def _corrected(match: re.Match[str]) -> str:
    written = match.group()
    if written in TYPOS:
        return TYPOS[written]
    meant, never_after, never_before = SOUND_ALIKES[written]
    text, start, end = match.string, match.start(), match.end()
    if (start and text[start - 1] in never_after) or (
        end < len(text) and text[end] in never_before
    ):
        return written
    return meant


# Addresses and numbers: buildings, units, rooms, floors, phone numbers, dates, times.
_ADDRESS = re.compile(
    r"[0-9一二三四五六七八九十百两零〇A-Za-z]+\s*(?:号楼|栋|幢|号院|单元|楼(?![上下])|层|室|号|户|期|区|排|#)"
    r"|\d+(?:[-—－./:：]\d+)*"
    r"|[A-Za-z]+\d*"
)
# A building's number, however it is written (3号楼 / 三号楼 / 3栋 / 3幢 / 3#楼 / 3#), or
# its letter (B座, a栋).
_BUILDING = re.compile(r"(?<![0-9.])([0-9]{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:号楼|栋|幢|#)")
_LETTERED_BUILDING = re.compile(r"(?<![a-z])([a-z])\s*座")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def _building_number(written: str) -> str:
    if written.isascii() and written.isalpha():
        return written
    if written.isdigit():
        return str(int(written))
    tens, _, units = written.rpartition("十")
    if "十" not in written:
        return str(_DIGITS.get(written[-1], 0)) if len(written) == 1 else ""
    return str(10 * (_DIGITS.get(tens, 0) if tens else 1) + (_DIGITS.get(units, 0) if units else 0))


_COMPOUNDS = tuple((re.compile(pattern), concept) for pattern, concept in COMPOUNDS)
_SUBSUMES = tuple(
    (f"#{concept}", tuple(f"#{c}" for c in contained)) for concept, contained in SUBSUMES.items()
)
_CONCEPT_PATTERNS = {concept: re.compile("|".join(forms)) for concept, forms in CONCEPTS.items()}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# A second matter told in passing: from "另外 / 顺便 / 对了 / 此外 / 还有，" to the sentence's end.
_ASIDE = re.compile(r"(?:另外|顺便|对了|此外|再一个|还有就是|还有(?=[\s，,：:]))[^。！？!?]*")
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
    return _ADDRESS.sub(" ", _without_places(text, place_names))


# A place named by what it is (a community's 农贸市场, 公园) is also what residents complain
# about: it is kept, while a proper name (岗头市场) is taken out like the others.
_MATTER_PLACE = re.compile("(?:农贸|集贸|菜)?市场|菜场|公园|广场|医院|学校|幼儿园|公厕")


def _spelled_in_full(match: re.Match[str]) -> str:
    letters = match.group()
    return ABBREVIATIONS.get(letters, letters)


def _without_places(text: str, place_names: Iterable[str]) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH).lower()
    text = _TYPO.sub(_corrected, text.translate(_TRADITIONAL))
    for name in sorted({n for n in place_names if n}, key=len, reverse=True):
        if not _MATTER_PLACE.fullmatch(name):
            text = text.replace(name.lower(), " ")
    for latin, chinese in _LATIN_WORDS:
        text = text.replace(latin, chinese)
    text = _LETTERS.sub(_spelled_in_full, text)
    text = _SPELLED_OUT.sub(lambda m: _NOT_CJK.sub("", m.group()), text)
    return _FRAME.sub(" ", text)


@dataclass
class Features:
    """A weighted bag of features: "#concept", "w:word", "b:bigram"."""

    weights: dict[str, float]

    @property
    def norm(self) -> float:
        return math.sqrt(sum(w * w for w in self.weights.values()))


def _concept_weight(concept: str) -> float:
    if concept in MODIFIER_CONCEPTS:
        return MODIFIER_WEIGHT
    return SPECIFIC_WEIGHT if concept in SPECIFIC_CONCEPTS else CONCEPT_WEIGHT


_CONCEPT_WEIGHTS = {concept: _concept_weight(concept) for concept in CONCEPTS}


def features(text: str, place_names: Iterable[str] = ()) -> Features:
    framed = _without_places(text, place_names)
    clean = _ADDRESS.sub(" ", framed)
    weights: dict[str, float] = defaultdict(float)
    buildings = _BUILDING.findall(framed)
    if "座" in framed:
        buildings += _LETTERED_BUILDING.findall(framed)
    for written in buildings:
        number = _building_number(written)
        if number and number != "0":
            weights[f"@{number}"] = BUILDING_WEIGHT
    concepts, concept_forms = _concepts_in(clean)
    weights.update(concepts)
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


def _concepts_in(clean: str) -> tuple[dict[str, float], set[str]]:
    """The concepts of a message and the forms they were found by. A second matter mentioned
    in passing after the first ("…另外东门的路灯也坏了") is not what the message is about: its
    concepts are left out when the rest of the message names a matter of its own."""
    aside = _ASIDE.search(clean)
    if aside and _CJK.search(clean, 0, aside.start()):
        main = _read_concepts(clean[: aside.start()] + " " + clean[aside.end() :])
        if any(k not in _MODIFIER_KEYS for k in main[0]):
            return main
    return _read_concepts(clean)


def _read_concepts(text: str) -> tuple[dict[str, float], set[str]]:
    # Concepts are read in the text without its compounds (words and bigrams in all of it).
    weights: dict[str, float] = {}
    forms: set[str] = set()
    for pattern, concept in _COMPOUNDS:
        text, found = pattern.subn(" ", text)
        if found:
            weights[f"#{concept}"] = _CONCEPT_WEIGHTS[concept]
    for concept, pattern in _CONCEPT_PATTERNS.items():
        hit = pattern.findall(text)
        if hit:
            weights[f"#{concept}"] = _CONCEPT_WEIGHTS[concept]
            forms.update(hit)
    for concept, contained in _SUBSUMES:
        if concept in weights:
            for key in contained:
                weights.pop(key, None)
    return weights, forms


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
    """The concepts that carry a bag, generic ones included ("#噪音"): for an issue of many
    concerns, those named by a fair share of them (a stray "味道" in one of twelve water
    reports is not what it is about). Each concept counts by how many concerns named it."""
    named = {
        k: w / _CONCEPT_WEIGHTS.get(k[1:], CONCEPT_WEIGHT)
        for k, w in weights.items()
        if k.startswith("#")
    }
    if not named:
        return frozenset()
    top = max(named.values())
    return frozenset(k for k, n in named.items() if n >= 0.3 * top)


def _dominant(weights: dict[str, float]) -> frozenset[str]:
    """The concepts named by most of the concerns of a bag (all of them for one message)."""
    named = {
        k: w / _CONCEPT_WEIGHTS.get(k[1:], CONCEPT_WEIGHT)
        for k, w in weights.items()
        if k.startswith("#") and k not in _MODIFIER_KEYS
    }
    if not named:
        return frozenset()
    top = max(named.values())
    return frozenset(k for k, n in named.items() if n >= DOMINANT_SHARE * top)


def _conflict(ca: frozenset[str], cb: frozenset[str]) -> bool:
    """Each names a different alternative of one family (超速 / 乱停; 坏了 / 缺少), or they
    name different problems of one thing and no specific concept in common."""
    if any((ca & family) - cb and (cb & family) - ca for family in _FAMILY_KEYS):
        return True
    pa, pb = ca & _PROBLEM_KEYS, cb & _PROBLEM_KEYS
    return bool(pa and pb and not pa & pb and not ca & cb & _SPECIFIC_KEYS)


_FAMILY_KEYS = tuple(frozenset(f"#{c}" for c in family) for family in FAMILIES)
_MODIFIER_KEYS = frozenset(f"#{c}" for c in MODIFIER_CONCEPTS)
_SPECIFIC_KEYS = frozenset(f"#{c}" for c in SPECIFIC_CONCEPTS)
_PROBLEM_KEYS = frozenset(f"#{c}" for c in PROBLEMS)
_BUILDING_KEYS = frozenset(f"#{c}" for c in BUILDING_CONCEPTS)


def _other_buildings(a: dict[str, float], b: dict[str, float]) -> bool:
    """Both name a building and none in common."""
    ba = {k for k in a if k[0] == "@"}
    if not ba:
        return False
    bb = {k for k in b if k[0] == "@"}
    return bool(bb) and not ba & bb


def similarity(
    a: dict[str, float],
    b: dict[str, float],
    *,
    na: float | None = None,
    nb: float | None = None,
    cb: frozenset[str] | None = None,
    ca: frozenset[str] | None = None,
    db: frozenset[str] | None = None,
) -> float:
    """How alike two feature bags are (0–1); `ca`/`cb` are their core concepts and `db` the
    dominant ones of `b`, when already known.

    The cosine of the whole bag, lifted by the share of (non-generic) concepts they have in
    common: two messages that name the same concepts ("水质") describe the same matter even
    when their words differ. Two messages that name different concepts, or different
    alternatives of one family, are about different matters; two messages with no concept in
    common rely on their words."""
    base = cosine(a, b, na, nb)
    named_a = core_concepts(a) if ca is None else ca
    named_b = core_concepts(b) if cb is None else cb
    ca, cb = named_a - _MODIFIER_KEYS, named_b - _MODIFIER_KEYS
    if ca and cb:
        common = ca & cb
        if not common:
            return base * 0.5  # different matters named explicitly: words alone do not join
        if ca < cb and not ca & (_dominant(b) if db is None else db):
            # It names only what a few of the issue's concerns mentioned besides its matter
            # ("路灯不亮" and an issue of yellow water where one resident added the lights).
            return base * 0.5
        shared = len(common) / min(len(ca), len(cb))
        score = min(1.0, 0.5 * base + 0.5 * shared)
        if common & _BUILDING_KEYS and _other_buildings(a, b):
            return min(score, base) * OTHER_BUILDING_FACTOR
        if _conflict(named_a, named_b):
            return min(score, base) * 0.5
        if ca - cb and cb - ca:
            score *= 0.85
        elif (ca ^ cb) & _SPECIFIC_KEYS:
            # One names a matter of its own on top of the other's subject (电梯 + 广告屏,
            # 下水道 + 老鼠, 车位 + 纠纷): not the same matter unless the words agree too.
            score = min(score, 0.5 * base + 0.25) * EXTRA_MATTER_FACTOR
        return score
    if _conflict(named_a, named_b):
        return base * 0.5
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


@functools.lru_cache(maxsize=8192)
def _dominant_of(stored: str) -> frozenset[str]:
    return _dominant(parsed(stored).weights)


# The last message compared and its concepts: a submit compares one message with up to
# MAX_CANDIDATES issues, so its concepts are worked out once (the same dict, not an equal one).
_last_message: tuple[dict[str, float], frozenset[str]] | None = None


def _message_concepts(weights: dict[str, float]) -> frozenset[str]:
    global _last_message
    last = _last_message
    if last is not None and last[0] is weights:
        return last[1]
    concepts = core_concepts(weights)
    _last_message = (weights, concepts)
    return concepts


def similarity_to(weights: dict[str, float], norm: float, stored: str) -> float:
    issue = parsed(stored)
    return similarity(
        weights,
        issue.weights,
        na=norm,
        nb=issue.norm,
        ca=_message_concepts(weights),
        cb=issue.concepts,
        db=_dominant_of(stored),
    )


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
