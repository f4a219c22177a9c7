"""A resident's whole journey through a 公众号, and the other kinds of message."""

import io

import pytest
from PIL import Image

from concerns import actions as concern_actions
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from notifications.models import Delivery
from notifications.sms import MemorySender as SmsOutbox
from wechat.models import Follower
from wechat.sender import MemorySender
from wechat.tests.conftest import OPENID, other_xml, reply_text

LAMP = "花园小区3号楼门口的路灯坏了一个星期，晚上很黑"
LAMP_AGAIN = "花园小区3号楼门口路灯坏了，晚上很黑，请尽快修"


def png() -> bytes:
    from PIL import PngImagePlugin

    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    Image.new("RGB", (8, 8), "red").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _templates(account) -> None:
    account.app_secret = "s3cr3t-app-secret"
    account.template_id = "TMPL-progress-1"
    account.save()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a step as its own request would: what waits for the commit (notifications) runs."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def test_journey_message_code_query_status_change_template_message(wx, world, committed):
    _templates(wx.account)
    reply = committed(wx.say, LAMP)
    concern = Concern.objects.get()
    code = concern.tracking_code
    assert code in reply
    # No template message for the receipt: the reply above told the code already.
    assert MemorySender.outbox == [] and SmsOutbox.outbox == []

    status = wx.say(f"查询\u3000{code}")
    assert code in status
    assert "待受理" in status
    assert f"/concerns/t/{code}/" in status

    committed(concern_actions.accept_issue, concern.issue, actor=world.staff, note="已派网格员")
    assert len(MemorySender.outbox) == 1
    account, openid, data, url = MemorySender.outbox[0]
    assert openid == OPENID and account == wx.account
    assert data["keyword1"]["value"] == code
    assert data["keyword2"]["value"] == "已受理"
    assert url == f"https://yishi.example.cn/concerns/t/{code}/"
    assert Delivery.objects.get(channel=Delivery.Channel.WECHAT).address.startswith("follower:")

    status = wx.say(f"查询{code.lower()}")
    assert "已受理" in status

    committed(concern_actions.settle_issue, concern.issue, actor=world.staff, outcome="路灯已更换")
    assert len(MemorySender.outbox) == 2
    assert "路灯已更换" in MemorySender.outbox[1][2]["remark"]["value"]
    assert SmsOutbox.outbox == []
    assert "已办结" in wx.say(f"查询 {code}")


def test_without_templates_the_resident_who_gave_a_phone_gets_sms(wx, world, committed):
    assert "保存" in wx.say("手机 138 0013 8000")
    committed(wx.say, LAMP)
    concern = Concern.objects.get()
    assert concern.phone == "13800138000"
    assert concern.resident_key == "tel:13800138000"
    assert SmsOutbox.outbox == []  # the receipt was the reply
    committed(concern_actions.accept_issue, concern.issue, actor=world.staff)
    assert [phone for phone, _text in SmsOutbox.outbox] == ["13800138000"]
    assert concern.tracking_code in SmsOutbox.outbox[0][1]
    assert MemorySender.outbox == []


def test_without_templates_nor_phone_nothing_is_sent(wx, world, committed):
    committed(wx.say, LAMP)
    committed(concern_actions.accept_issue, Issue.objects.get(), actor=world.staff)
    assert MemorySender.outbox == [] and SmsOutbox.outbox == []


def test_an_unsubscribed_follower_gets_no_template_message(wx, world, committed):
    _templates(wx.account)
    committed(wx.say, LAMP)
    wx.post(other_xml("event", "<Event><![CDATA[unsubscribe]]></Event>"))
    assert not Follower.objects.get().subscribed
    committed(concern_actions.accept_issue, Issue.objects.get(), actor=world.staff)
    assert MemorySender.outbox == []


def test_a_refused_template_message_is_marked_failed(wx, world, settings, committed):
    _templates(wx.account)
    settings.WECHAT_TEMPLATE_SENDER = "wechat.tests.test_journey.Refusing"
    committed(wx.say, LAMP)
    committed(concern_actions.accept_issue, Issue.objects.get(), actor=world.staff)
    row = Delivery.objects.get(channel=Delivery.Channel.WECHAT)
    assert row.status == Delivery.Status.FAILED
    assert "43004" in row.error


class Refusing:
    def send(self, *args, **kwargs):
        from wechat.sender import TemplateError

        raise TemplateError("43004 require subscribe")


def test_a_wechat_resident_and_a_phone_resident_count_as_two(wx, world):
    wx.say(LAMP)
    intake.submit_concern(
        community=world.c1, content=LAMP_AGAIN, channel="web", phone="13900139000"
    )
    wx.say("花园小区3号楼路灯坏了好几天了，晚上黑看不见路")  # the same follower again
    issue = Issue.objects.get()
    assert issue.concerns_count == 3
    assert issue.residents_count == 2
    assert Concern.objects.filter(channel="wechat").values("resident_key").distinct().count() == 1


def test_two_followers_are_two_residents(wx):
    wx.say(LAMP)
    wx.say(LAMP_AGAIN, openid="oOtherResident000000000001")
    issue = Issue.objects.get()
    assert (issue.concerns_count, issue.residents_count) == (2, 2)


def test_unknown_code_and_guessing_is_limited_per_follower(wx, settings):
    settings.CODE_MISSES_PER_IP = 2
    assert "没有" in wx.say("查询 ZZZZZZZZ") or "No concern" in wx.say("查询 YYYYYYYY")
    wx.say("查询 XXXXXXXX")
    wx.say("查询 WWWWWWWW")
    assert "稍后" in wx.say("查询 VVVVVVVV")
    # Another resident behind the same WeChat server is not held back.
    assert "稍后" not in wx.say("查询 VVVVVVVV", openid="oOtherResident000000000001")


def test_query_shows_no_personal_data(wx, world):
    wx.say("手机 13800138000")
    wx.say(LAMP)
    code = Concern.objects.get().tracking_code
    other = wx.say("查询 " + code, openid="oOtherResident000000000001")
    assert code in other
    assert "13800138000" not in other and OPENID not in other


def test_photo_is_fetched_through_the_fetcher_and_attached(wx, monkeypatch):
    fetched = []

    def fake(url: str) -> bytes:
        fetched.append(url)
        return png()

    monkeypatch.setattr("wechat.media.fetch", fake)
    pic = "<PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz/abc/0]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
    first = reply_text(wx.post(other_xml("image", pic)).content)
    assert "先" in first  # no concern yet: write first
    assert fetched == []
    wx.say(LAMP)
    concern = Concern.objects.get()
    reply = reply_text(wx.post(other_xml("image", pic)).content)
    assert concern.tracking_code in reply
    assert fetched == ["http://mmbiz.qpic.cn/mmbiz/abc/0"]
    photo = concern.photos.get()
    # Through the shared cleaner: re-encoded under a random name, not published.
    assert "wechat" not in photo.image.name and photo.image.name.endswith(".png")
    assert not photo.published
    with photo.image.open("rb") as stored:
        assert b"<script>" not in stored.read()


def test_a_picture_that_is_not_an_image_is_refused(wx, monkeypatch):
    monkeypatch.setattr("wechat.media.fetch", lambda url: b"<script>alert(1)</script>")
    wx.say(LAMP)
    pic = "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
    reply = reply_text(wx.post(other_xml("image", pic)).content)
    assert reply and Concern.objects.get().photos.count() == 0


def test_the_fetcher_only_reaches_wechat_image_hosts():
    from wechat import media

    assert media.allowed("http://mmbiz.qpic.cn/mmbiz_jpg/abc/0")
    assert not media.allowed("http://127.0.0.1:8000/admin/")
    assert not media.allowed("http://qpic.cn.evil.example/x")
    assert not media.allowed("file:///etc/passwd")


def test_the_real_fetcher_refuses_other_hosts_before_any_request(monkeypatch):
    import importlib

    from wechat import media

    real = importlib.reload(media).fetch  # the conftest's guard replaced the attribute
    opened = []
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: opened.append(a))
    with pytest.raises(media.FetchError):
        real("http://169.254.169.254/latest/meta-data/")
    assert opened == []


def test_location_fills_the_place_of_the_last_concern(wx):
    wx.say(LAMP)
    fields = (
        "<Location_X>38.487200</Location_X><Location_Y>106.230900</Location_Y>"
        "<Scale>15</Scale><Label><![CDATA[金城蓝湾一期3号楼]]></Label>"
    )
    reply = reply_text(wx.post(other_xml("location", fields)).content)
    concern = Concern.objects.get()
    assert concern.tracking_code in reply
    assert concern.address == "金城蓝湾一期3号楼"
    assert str(concern.wechat.latitude) == "38.487200"
    assert str(concern.wechat.longitude) == "106.230900"


def test_subscribe_welcomes_and_says_how_to_report(wx):
    reply = reply_text(wx.post(other_xml("event", "<Event><![CDATA[subscribe]]></Event>")).content)
    assert "一号社区" in reply and "查询" in reply


@pytest.mark.parametrize("content", ["你好", "在吗", "？"])
def test_greetings_get_help_not_a_concern(wx, content):
    assert "查询" in wx.say(content)
    assert not Concern.objects.exists()


def test_voice_and_other_messages_get_a_helpful_reply(wx):
    voice = "<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format>"
    reply = reply_text(wx.post(other_xml("voice", voice)).content)
    assert "文字" in reply and "查询" in reply


def test_messages_are_limited_per_follower(wx, settings):
    settings.WECHAT_MESSAGES_PER_FOLLOWER = 2
    wx.say(LAMP)
    wx.say("查询 ZZZZZZZZ")
    assert "稍后" in wx.say("小区东门的垃圾两天没人清理了")
    assert Concern.objects.count() == 1
    assert "稍后" not in wx.say("小区东门的垃圾两天没人清理了", openid="oOther00000000000000000002")


def test_concerns_are_limited_per_follower(wx, settings):
    settings.CONCERN_SUBMIT_PER_PHONE = 1
    wx.say(LAMP)
    assert "稍后" in wx.say("小区东门的垃圾两天没人清理了")
    assert Concern.objects.count() == 1


def test_text_between_angle_brackets_is_kept_as_written(wx):
    text = "<某市征地补偿安置办法> 第三条没兑现，<script>alert(1)</script> 路灯坏了很久了"
    reply = wx.say(text)
    assert reply and Concern.objects.get().content == text


def test_a_failure_while_handling_still_answers_success(wx, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("wechat.views.answer", boom)
    response = wx.post(other_xml("text", "<Content>路灯坏了很久了</Content>"))
    assert response.status_code == 200 and response.content == b"success"


def test_channel_wechat_stays_closed_to_anyone_else(world, client):
    from core.errors import ActionError

    with pytest.raises(ActionError) as refused:
        intake.submit_concern(community=world.c1, content=LAMP, channel="wechat")
    assert refused.value.code == "staff_channel"
    response = client.post(
        "/api/v1/concerns",
        {"community": "C1", "content": LAMP, "channel": "wechat", "wechat_resident": "wx:forged"},
        content_type="application/json",
    )
    assert response.status_code in (400, 403, 422)
    assert not Concern.objects.filter(resident_key="wx:forged").exists()


def test_deferred_template_messages_go_out_from_the_outbox_once(wx, world, settings, committed):
    from notifications.services import plan_waiting, send_pending

    settings.NOTIFICATIONS_DEFER = True
    _templates(wx.account)
    committed(wx.say, LAMP)
    committed(concern_actions.accept_issue, Issue.objects.get(), actor=world.staff)
    assert MemorySender.outbox == []  # the request only recorded the step
    plan_waiting()
    assert send_pending() == 1
    assert send_pending() == 0 and plan_waiting() == 0
    assert len(MemorySender.outbox) == 1
    assert MemorySender.outbox[0][2]["keyword2"]["value"] == "已受理"
