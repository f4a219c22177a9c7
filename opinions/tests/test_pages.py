"""The pages: a member writes (from an issue), the office reviews and forwards, the department
replies, the member rates; the record page; who gets 404 and 403; wrong methods."""

from datetime import date, timedelta

from django.utils import timezone

from concerns.models import Issue
from opinions import actions
from opinions.models import Forwarding, Report
from opinions.tests.conftest import submit


def test_member_writes_a_report_from_an_issue(client, cppcc):
    w = cppcc
    issue = Issue.objects.create(community=w.c1, title="小区门口公园缺少健身器材")
    client.force_login(w.cppcc)
    page = client.get(f"/concerns/issues/{issue.pk}/")
    assert page.status_code == 200
    assert f"/opinions/new/?issue={issue.pk}".encode() in page.content
    form = client.get(f"/opinions/new/?issue={issue.pk}")
    assert form.status_code == 200
    assert form.context["form"].initial["area"] == w.c1
    response = client.post(
        "/opinions/new/",
        {
            "issue": issue.pk,
            "area": w.c1.pk,
            "place": "一号社区中心公园",
            "title": "公园缺少健身设施",
            "observation": "公园只有绿化。",
            "affected": "周边居民。",
            "suggestions": "建篮球场。",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"/opinions/{report.pk}/"
    assert (report.issue, report.member, report.area) == (issue, w.cppcc, w.c1)


def test_issue_page_offers_the_link_to_members_only(client, cppcc):
    issue = Issue.objects.create(community=cppcc.c1, title="路灯不亮")
    client.force_login(cppcc.staff)
    assert b"/opinions/new/" not in client.get(f"/concerns/issues/{issue.pk}/").content


def test_new_report_form_refuses_other_roles_and_bad_input(client, cppcc):
    w = cppcc
    client.force_login(w.district_officer)
    assert client.get("/opinions/new/").status_code == 403
    client.force_login(w.cppcc)
    # An area of another district is not among the choices.
    response = client.post(
        "/opinions/new/",
        {"area": w.other_district.pk, "title": "x", "observation": "x", "affected": "x",
         "suggestions": "x"},
    )  # fmt: skip
    assert response.status_code == 400 and not Report.objects.exists()
    assert client.get("/opinions/new/?issue=99999999999999999999&area=<script>").status_code == 200


def test_office_reviews_forwards_department_replies_member_rates(client, cppcc):
    w = cppcc
    report = submit(w)
    client.force_login(w.office)
    page = client.get(f"/opinions/{report.pk}/")
    assert page.status_code == 200 and b"/adopt/" in page.content
    assert b"/opinions/record/cppcc/" in page.content
    assert client.get("/opinions/record/cppcc/").context["figures"]["submitted"] == 1
    assert client.post(f"/opinions/{report.pk}/adopt/", {"note": "采用"}).status_code == 302
    page = client.get(f"/opinions/{report.pk}/")
    # The picker lists the district's departments only.
    choices = {o.pk for o in page.context["forward_form"].fields["organisations"].queryset}
    assert choices == {w.sports.pk, w.water.pk}
    due = timezone.localdate() + timedelta(days=20)
    response = client.post(
        f"/opinions/{report.pk}/forward/", {"organisations": [w.sports.pk], "due_on": due}
    )
    assert response.status_code == 302
    forwarding = Forwarding.objects.get()
    assert forwarding.due_on == due

    client.force_login(w.water_rep)
    assert client.get(f"/opinions/{report.pk}/").status_code == 404
    assert client.post(f"/opinions/replies/{forwarding.pk}/", {"text": "x"}).status_code == 404
    client.force_login(w.sports_rep)
    listing = client.get("/opinions/")
    assert listing.context["awaiting_reply"] == [forwarding]
    assert client.post(f"/opinions/replies/{forwarding.pk}/", {"text": ""}).status_code == 400
    assert client.post(f"/opinions/replies/{forwarding.pk}/", {"text": "将建设"}).status_code == 302
    assert client.post(f"/opinions/{report.pk}/adopt/").status_code == 403

    client.force_login(w.cppcc)
    page = client.get(f"/opinions/{report.pk}/")
    assert f"/opinions/replies/{forwarding.pk}/rating/".encode() in page.content
    response = client.post(f"/opinions/replies/{forwarding.pk}/rating/", {"rating": "satisfied"})
    assert response.status_code == 302
    forwarding.refresh_from_db()
    assert forwarding.rating == "satisfied"

    record = client.get("/opinions/record/")
    assert record.context["figures"] == {
        "submitted": 1, "adopted": 1, "merged": 0, "forwarded": 1, "replied": 1, "rated": 1,
    }  # fmt: skip


def test_return_merge_and_topic_through_the_pages(client, cppcc):
    w = cppcc
    first, second = submit(w), submit(w, member=w.member2, title="公园没有篮球场")
    client.force_login(w.office)
    assert client.post(f"/opinions/{first.pk}/return/", {"note": ""}).status_code == 400
    assert client.post(f"/opinions/{first.pk}/return/", {"note": "请补充人数"}).status_code == 302
    client.force_login(w.cppcc)
    page = client.get(f"/opinions/{first.pk}/edit/")
    assert page.status_code == 200 and "请补充人数" in page.content.decode()
    data = {
        "place": "中心公园", "title": first.title, "observation": "涉及约2万人。",
        "affected": "居民", "suggestions": "建篮球场",
    }  # fmt: skip
    assert client.post(f"/opinions/{first.pk}/edit/", data).status_code == 302
    first.refresh_from_db()
    assert first.status == Report.Status.SUBMITTED and first.observation == "涉及约2万人。"

    client.force_login(w.office)
    assert client.post(f"/opinions/{second.pk}/merge/", {"into": first.pk}).status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first
    client.post(f"/opinions/{first.pk}/adopt/")
    response = client.post(f"/opinions/{first.pk}/topic/", {"title": "公园健身设施专题协商"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.topic.title == "公园健身设施专题协商"
    # The topic links back to the report, for those who may read it.
    topic_page = client.get(f"/consultations/topics/{first.topic_id}/")
    assert f"/opinions/{first.pk}/" in topic_page.content.decode()


def test_another_districts_people_see_nothing(client, cppcc):
    w = cppcc
    report = submit(w)
    actions.adopt_report(w.office, report)
    (forwarding,) = actions.forward_report(w.office, report, organisations=[w.sports])
    for outsider in (w.other_member, w.other_office, w.staff):
        client.force_login(outsider)
        assert client.get(f"/opinions/{report.pk}/").status_code == 404
        assert client.post(f"/opinions/{report.pk}/forward/").status_code == 404
        assert client.post(f"/opinions/replies/{forwarding.pk}/rating/").status_code == 404
        assert client.get(f"/opinions/record/{w.cppcc.username}/").status_code == 404
        assert report.title not in client.get("/opinions/").content.decode()
    client.force_login(w.district_officer)
    assert client.get(f"/opinions/{report.pk}/").status_code == 200
    assert client.post(f"/opinions/{report.pk}/topic/").status_code == 403
    assert client.get(f"/opinions/record/{w.cppcc.username}/").status_code == 200
    client.force_login(w.member2)
    assert client.post(f"/opinions/replies/{forwarding.pk}/rating/").status_code == 403


def test_anonymous_and_wrong_method(client, cppcc):
    report = submit(cppcc)
    response = client.get(f"/opinions/{report.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(f"/opinions/{report.pk}/adopt/").status_code == 302
    client.force_login(cppcc.office)
    assert client.get(f"/opinions/{report.pk}/adopt/").status_code == 405
    assert client.get("/opinions/99999999999999999999/").status_code == 404


def test_list_overdue_filter_and_query_count(client, cppcc, django_assert_max_num_queries):
    w = cppcc
    for n in range(6):
        report = submit(w, title=f"报告{n}")
        actions.adopt_report(w.office, report)
        past = timezone.now() - timedelta(days=40)
        actions.forward_report(
            w.office, report, organisations=[w.sports, w.water], now=past,
            due_on=(past + timedelta(days=10)).date() if n % 2 else date.today() + timedelta(9),
        )  # fmt: skip
    client.force_login(w.office)
    with django_assert_max_num_queries(12):
        page = client.get("/opinions/")
    assert len(page.context["page"]) == 6
    overdue = client.get("/opinions/?status=overdue")
    assert len(overdue.context["page"]) == 3
