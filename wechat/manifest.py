"""What wechat contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from wechat import demo, urls

MANIFEST = Manifest(name="wechat", url_prefix="wechat/", urls=urls, demo=demo.load)
