"""What residents read of the office's steps: their own wording, no internal steps, and staff
told on each form where the note they type will be seen."""

from django.urls import reverse

from concerns import actions
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from conftest import PASSWORD

WEB = Concern.Channel.WEB


def _tracked(client, concern) -> str:
    return client.get(reverse("concerns:track_code", args=[concern.tracking_code])).content.decode()


def test_the_tracking_page_shows_resident_wording_and_no_internal_steps(client, world):
    first = intake.submit_concern(
        community=world.c1, content="3号楼门口路灯不亮", phone="13900000001", channel=WEB
    )
    second = intake.submit_concern(
        community=world.c1, content="3号楼门口路灯不亮了", phone="13900000002", channel=WEB
    )
    issue = Issue.objects.get(pk=first.issue_id)
    assert second.issue_id == issue.pk  # grouped: 又有居民反映同一问题, internally
    Issue.objects.filter(pk=issue.pk).update(level=Issue.Level.GRID, grid=world.g1)
    issue.refresh_from_db()
    actions.retitle_issue(issue, title="3号楼路灯（内部工作标题）", actor=world.staff)
    actions.accept_issue(issue, actor=world.grid_worker, note="内部：先联系物业电工")
    actions.escalate_to_community(
        issue, actor=world.grid_worker, reason="需要社区协调物业，内部说明"
    )
    html = _tracked(client, first)
    # The steps in residents' words.
    assert "已收到反映" in html and "已受理，正在办理" in html
    assert "已报请上级协调办理" in html
    # Internal steps, staff labels and staff notes: none of them.
    for internal in (
        "问题改名",
        "又有居民反映同一问题",
        "内部工作标题",
        "先联系物业电工",
        "内部说明",
    ):
        assert internal not in html, internal
    assert "居民自助" not in html  # the channel is the staff's note of the receipt


def test_the_whole_story_page_shows_resident_wording(client, world):
    concern = intake.submit_concern(
        community=world.c1, content="小区垃圾没人清运", phone="13900000003", channel=WEB
    )
    issue = Issue.objects.get(pk=concern.issue_id)
    actions.retitle_issue(issue, title="垃圾清运（内部）", actor=world.staff)
    actions.accept_issue(issue, actor=world.staff)
    actions.settle_issue(issue, actor=world.staff, outcome="已联系环卫，每日清运两次")
    story = client.get(reverse("accountability:story_code", args=[concern.tracking_code]))
    html = story.content.decode()
    assert "已受理，正在办理" in html and "已联系环卫，每日清运两次" in html
    assert "问题改名" not in html and "垃圾清运（内部）" not in html


def test_escalation_forms_say_where_the_note_is_seen_before_it_is_sent(client, world):
    concern = intake.submit_concern(
        community=world.c1, content="楼道堆满杂物", phone="13900000004", channel=WEB
    )
    issue = Issue.objects.get(pk=concern.issue_id)
    Issue.objects.filter(pk=issue.pk).update(level=Issue.Level.GRID, grid=world.g1)
    client.login(username=world.grid_worker.username, password=PASSWORD)
    html = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    escalate = html[html.index('id="escalate-reason"') - 900 : html.index('id="escalate-reason"')]
    assert "仅工作人员可见" in escalate
    assert "居民在跟踪页上只看到“已报请上级协调办理”，看不到这段说明。" in escalate
    assert 'aria-describedby="escalate-where"' in html
    # The outcome, by contrast, is read by residents, and the form says so.
    settle = html[html.index('id="settle-outcome"') - 700 : html.index('id="settle-outcome"')]
    assert "居民可见" in settle and "仅工作人员可见" not in settle


def test_the_staff_timeline_marks_internal_steps_even_if_recorded_public(client, world):
    concern = intake.submit_concern(
        community=world.c1, content="健身器材坏了", phone="13900000005", channel=WEB
    )
    issue = Issue.objects.get(pk=concern.issue_id)
    actions.set_public_title(issue, title="小区健身器材损坏", actor=world.staff, publish=True)
    client.login(username=world.staff.username, password=PASSWORD)
    html = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    line = html[html.index("已确定公开标题") :][:400]
    assert "内部" in line  # the badge: residents do not see this step
