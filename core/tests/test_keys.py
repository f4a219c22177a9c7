import re

from accounts.models import ApiToken
from core.keys import key_hash, new_key
from open311.models import ApiKey


def test_a_new_key_is_its_prefix_and_forty_random_url_safe_characters():
    first, second = new_key("ys_"), new_key("ys_")
    assert re.fullmatch(r"ys_[A-Za-z0-9_-]{40}", first)
    assert first != second


def test_only_the_hash_of_a_key_is_kept_and_it_finds_the_key_again():
    key = new_key("o311_")
    assert re.fullmatch(r"[0-9a-f]{64}", key_hash(key))
    assert key_hash(key) == key_hash(key)
    assert key_hash(key) != key_hash(key + "x")
    assert key not in key_hash(key)
    # Both kinds of key are stored by the one rule, so either is found by what it hashes to.
    assert ApiToken.hash(key) == ApiKey.hash(key) == key_hash(key)
