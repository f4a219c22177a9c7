"""The seed's first story, told through a partner system: the 12345 hotline passes on calls
about yellow tap water in one compound; residents follow them by tracking code."""

from concerns.actions import accept_issue, record_site_visit, resolve_issue
from concerns.models import Issue
from open311.tests import spec
from places.models import Compound

V2 = "/open311/v2"

CALLS = [
    ("13800000001", "金城蓝湾二期3号楼的自来水发黄，烧开有沉淀"),
    # (A call naming another building, "二期5号楼", is read by the grouping model as another
    # place and opens its own issue until staff merge it: a known limit, see README Grouping.)
    ("13800000002", "二期自来水发黄好几天了"),
    ("13800000003", "金城蓝湾二期自来水发黄，孩子不敢喝"),
]


def test_hotline_calls_about_yellow_water_become_one_counted_issue(client, world, partner):
    Compound.objects.create(name="金城蓝湾二期", grid=world.g1)
    codes = []
    for phone, words in CALLS:
        response = client.post(
            f"{V2}/requests.json",
            {
                "api_key": partner.key,
                "service_code": "water",
                "address_string": "长城中路金城蓝湾二期",
                "description": words,
                "phone": phone,
            },
        )
        codes.append(spec.check_json(response, spec.POST_RESPONSE)[0]["service_request_id"])
    issue = Issue.objects.get()
    assert issue.residents_count == 3

    accept_issue(issue, actor=world.admin)
    record_site_visit(issue, actor=world.admin, notes="物业取水样送检，检测结果正常")
    listed = spec.check_json(
        client.get(f"{V2}/requests.json", {"service_request_id": ",".join(codes)}),
        spec.SERVICE_REQUESTS,
    )
    assert {r["status"] for r in listed} == {"open"}
    # The site visit is the latest public step; its notes are staff notes and stay inside.
    assert all(r["status_notes"] == "工作人员已到现场查看" for r in listed)  # residents' words
    assert not any("物业取水样送检" in r["status_notes"] for r in listed)

    resolve_issue(issue, actor=world.admin, note="协商议定冲洗管道和屋顶水箱，水质已恢复")
    element = spec.check_xml(
        client.get(f"{V2}/requests.xml", {"status": "closed"}), "service_requests"
    )
    assert sorted(r.findtext("service_request_id") or "" for r in element) == sorted(codes)
    for request in element:
        spec.check_xml_request(request)
        assert "冲洗管道和屋顶水箱" in request.findtext("status_notes")
        assert request.findtext("address") == "金城蓝湾二期 一号社区"
