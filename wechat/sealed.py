"""Secrets kept encrypted at rest (an official account's token, EncodingAESKey, AppSecret).

Fernet (AES-128-CBC with an HMAC) under a key derived with HKDF-SHA256 from the setting
FIELD_KEY (env YISHI_FIELD_KEY), or from SECRET_KEY when that is not set. Changing the key
makes the stored secrets unreadable: they must then be entered again in the back office.
"""

import base64
from functools import cache
from typing import Any, overload

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@cache
def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"yishi-field-encryption", info=b"fields"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> Fernet:
    return _fernet(getattr(settings, "FIELD_KEY", "") or settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _box().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The clear value, or "" when there is none or it was sealed under another key."""
    if not token:
        return ""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


class Sealed(property):
    """A model attribute read and written in clear and stored sealed in another field.

    A property, so that Django takes it as a keyword argument of the model's constructor.
    """

    def __init__(self, column: str) -> None:
        super().__init__(
            lambda instance: decrypt(getattr(instance, column)),
            lambda instance, value: setattr(instance, column, encrypt(value)),
        )

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> "Sealed": ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> str: ...

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return super().__get__(instance, owner)
