"""Secret keys handed to programs (staff API tokens, Open311 partner keys): made once, shown
once, and stored only as a hash."""

import hashlib
import secrets


def new_key(prefix: str) -> str:
    """A new key: the prefix saying what it opens, then 40 random characters."""
    return prefix + secrets.token_urlsafe(30)


def key_hash(key: str) -> str:
    """What is stored of a key. The keys are long and random, so a fast hash is enough: there
    is no guessing them back from it."""
    return hashlib.sha256(key.encode()).hexdigest()
