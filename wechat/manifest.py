"""What wechat contributes to the site (see core/manifest.py)."""

from core.manifest import Manifest
from wechat import demo, errors, urls

MANIFEST = Manifest(
    name="wechat", errors=errors.CODES, url_prefix="wechat/", urls=urls, demo=demo.load
)
