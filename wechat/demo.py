"""Demo: 金城蓝湾社区's 公众号, in plain mode with token `yishi-demo-token`, so that
`scripts/wechat_try.py` can talk to /wechat/640106001001/ on a local server."""

from places.models import Area
from wechat.models import OfficialAccount

DEMO_COMMUNITY = "640106001001"
DEMO_TOKEN = "yishi-demo-token"


def load(out) -> None:
    community = Area.objects.filter(code=DEMO_COMMUNITY).first()
    if community is None:
        return
    account, made = OfficialAccount.objects.get_or_create(
        community=community,
        defaults={"name": "金城蓝湾社区", "app_id": "wx0000000000demo0"},
    )
    if made or not account.token:
        account.token = DEMO_TOKEN
        account.save()
    out.write(f"wechat: {community.name} answers at /wechat/{DEMO_COMMUNITY}/ (plain mode)")
