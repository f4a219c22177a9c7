"""The developer endpoint WeChat calls for a community's 公众号: /wechat/<community code>/.

GET is WeChat's check of the server address (answer `echostr` when the signature is right).
POST carries a resident's message, in plain or safe (AES) mode. Every request must be signed
with the account's token, be fresh (timestamp within WECHAT_MAX_CLOCK_SKEW) and not reuse a
timestamp and nonce already seen: otherwise 403. A signed message is always answered with a
reply or "success" within WeChat's 5 seconds, even when handling it failed.
"""

import logging
import time

import defusedxml.ElementTree as SafeET
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from places.models import Area
from wechat.messages import answer
from wechat.models import OfficialAccount

log = logging.getLogger("yishi.wechat")
MAX_BODY = 64 * 1024


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


def _fresh(timestamp: str) -> bool:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(time.time() - sent) <= settings.WECHAT_MAX_CLOCK_SKEW


def _first_use(account: OfficialAccount, timestamp: str, nonce: str) -> bool:
    """True the first time this timestamp and nonce are seen for the account (shared cache,
    kept for longer than a timestamp stays fresh)."""
    key = f"wechat-nonce:{account.pk}:{timestamp}:{nonce[:64]}"
    return bool(cache.add(key, 1, timeout=2 * settings.WECHAT_MAX_CLOCK_SKEW + 60))


@csrf_exempt  # WeChat's servers post here; the signature is what authenticates them
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, code: str) -> HttpResponse:
    account = (
        OfficialAccount.objects.select_related("community")
        .filter(community__code=code, community__kind=Area.Kind.COMMUNITY, active=True)
        .first()
    )
    if account is None:
        raise Http404
    token = account.token
    signature = request.GET.get("signature", "")
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    if not token or not _fresh(timestamp):
        return _text("forbidden", 403)
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        return _text("forbidden", 403)
    if request.method == "GET":
        return _text(request.GET.get("echostr", ""))
    if not _first_use(account, timestamp, nonce):
        return _text("forbidden", 403)
    if len(request.body) > MAX_BODY:
        return _text("success")
    crypto = None
    body: str | bytes = request.body
    if request.GET.get("encrypt_type") == "aes":
        try:
            crypto = WeChatCrypto(token, account.aes_key, account.app_id)
            body = crypto.decrypt_message(
                _checked(request.body), request.GET.get("msg_signature", ""), timestamp, nonce
            )
        except (InvalidSignatureException, InvalidAppIdException):
            return _text("forbidden", 403)
        except Exception:
            log.warning("WeChat message for %s could not be decrypted", code)
            return _text("success")
    try:
        message = parse_message(_checked(body))
        with translation.override(settings.LANGUAGE_CODE):
            reply_text = answer(account, message)
    except Exception:
        # Something failed after the message was authenticated: WeChat would retry and then
        # show the resident "该公众号暂时无法提供服务", so tell it the message was taken.
        log.exception("WeChat message for %s not handled", code)
        return _text("success")
    if not reply_text:
        return _text("success")
    xml = TextReply(message=message, content=reply_text).render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, nonce, timestamp)
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


def _checked(body: str | bytes) -> str:
    """The XML, once defusedxml has parsed it (no DTD, no entities): wechatpy's parser
    (xmltodict) is then given only plain elements."""
    text = body.decode() if isinstance(body, bytes) else body
    SafeET.fromstring(text, forbid_dtd=True)
    return text
