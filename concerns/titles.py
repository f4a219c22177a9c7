"""The title a concern's words give its issue when nobody has written one.

Staff may always retitle an issue; until then the title is read in lists, on the workbench and
pre-filled into topics, so it must be whole and say what and where:

1. Phone and ID numbers never go in (long digit runs are dropped), nor the hotline's frame
   ("来电人反映：", "您好，"), nor a clause that only gives a name ("我是张伟") or a contact.
2. The first sentence, when it fits, is the title as it stands.
3. A longer sentence is cut at its clauses (，：) rather than in one: the place (the first
   clause, or what "我是…的住户" and "住在…" name) and the first clause saying what is
   wrong, joined by "：" when they are apart ("金城蓝湾社区西门口：电动车逆行").
4. A single clause still too long ends at the last whole word (jieba) that fits. Never "…":
   a title is a summary, not a cut-off sentence.
"""

import re
import threading

from django.utils.translation import gettext as _

# Long digit runs are phone, ID or account numbers.
_NUMBERS = re.compile(r"\d{7,}")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")
# Not "、": it lists things of one clause ("乱堆乱放、跨门经营").
_CLAUSE_END = re.compile(r"[，,：:]")
# Openings that say nothing of the matter: the hotline's frame, greetings, "I want to report".
_OPENING = re.compile(
    r"^(?:(?:您好|你好|领导好|网格员你好)[，,！!。\s]*)*"
    r"(?:(?:来电人?|来信人?|居民|群众|市民|网友|业主)?(?:来电)?(?:反映|称|表示|投诉|咨询)[：:，,\s]*)?"
    r"(?:我(?:想|要)?(?:反映|说)(?:一下)?[：:，,\s]*)?"
)
# "我是金城蓝湾二期3号楼的住户", "家住花园小区3号楼": the place, and nothing else.
_RESIDENT_OF = re.compile(r"^我(?:们)?是(?P<place>.{2,24}?)的?(?:住户|居民|业主|租户)$")
_LIVES_AT = re.compile(r"^(?:我|我们|我家)?家?住(?:在)?(?P<place>.{2,30})$")
# Clauses a title never carries: a name ("我是张伟") or a contact ("电话" once its number is gone).
_NAME = re.compile(r"^我(?:叫|是|姓)[\u4e00-\u9fff]{1,4}$")
_CONTACT = re.compile(r"^(?:我的?)?(?:联系)?(?:电话|手机号?|号码|微信)(?:是|为|号)?$")
# Fillers at the start of a clause that a title does without.
_FILLER = re.compile(r"^(?:最近|近期|近日|现在|目前|这几天|一直|总是|经常|我们|我家|那个|就是)+")
# Words that say something is wrong: the clause holding the problem has one of them.
_PROBLEM = re.compile(
    r"坏|损|破|断|裂|塌|漏|渗|堵|脏|臭|味|乱|吵|噪|扰|黄|浑|锈|霉|停|没有|没人|无人|不|缺|少|"
    r"占|堆|违|超速|逆行|积水|垃圾|危险|隐患|难|差|慢|高|贵|蚊|鼠|蟑|粪|油烟|飞线|私拉|充电|"
    r"噪音|扰民|安全|问题|故障|失灵|拥堵|乱停|乱放|乱扔|跨门|占道"
)

_jieba_lock = threading.Lock()
_jieba_ready = False


def _words(text: str) -> list[str]:
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(60)
                jieba.initialize()
                _jieba_ready = True
    return list(jieba.cut(text))


def _clean(content: str) -> str:
    text = _NUMBERS.sub("", _SPACES.sub(" ", content)).strip()
    text = _OPENING.sub("", text).strip(" ，,。：:")
    return _FILLER.sub("", text) or text


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_END.split(sentence) if c.strip()]


def _fit(text: str, limit: int) -> str:
    """`text` if it fits, else its longest run of whole words from the start that does."""
    if len(text) <= limit:
        return text
    kept = ""
    for word in _words(text):
        if len(kept) + len(word) > limit:
            break
        kept += word
    return kept.strip() or text[:limit]


def make_title(content: str, limit: int = 30) -> str:
    """A title of at most `limit` characters for the concern's words (see the module)."""
    text = _clean(content)
    sentences = [s.strip(" ，,：:") for s in _SENTENCE_END.split(text) if s.strip(" ，,：:")]
    place = ""
    clauses: list[str] = []
    for sentence in sentences:
        for clause in _clauses(sentence):
            if _NAME.match(clause) or _CONTACT.match(clause):
                continue
            named = _RESIDENT_OF.match(clause) or _LIVES_AT.match(clause)
            if named and not place and not _PROBLEM.search(named.group("place")):
                place = named.group("place")
                continue
            clauses.append(_FILLER.sub("", clause) or clause)
        if clauses:
            break  # the first sentence that says something beyond who and where
    if not clauses:
        if place:
            return _fit(place, limit)
        # Nothing but a number or a greeting: a neutral title for staff to replace.
        return str(_("A resident's concern"))[:limit]
    if not place:
        whole = "，".join(clauses)
        if len(whole) <= limit:
            return whole
        place, clauses = clauses[0], clauses[1:]
        if _PROBLEM.search(place) or not clauses:
            return _fit(place, limit)
    problem = next((c for c in clauses if _PROBLEM.search(c)), clauses[0])
    joined = f"{place}：{problem}"
    if len(joined) <= limit:
        return joined
    room = limit - len(place) - 1
    if room >= 6:
        return f"{place}：{_fit(problem, room)}"
    return _fit(problem if len(place) > limit // 2 else joined, limit)
