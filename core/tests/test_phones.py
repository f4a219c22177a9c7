import pytest

from core import phones
from core.errors import ActionError

SPELLINGS = [
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "+86 139 1234 5678",
    "0086-139-1234-5678",
    "8613912345678",
    "１３９１２３４５６７８",
    "(+86) 139.1234.5678",
]


@pytest.mark.parametrize("raw", SPELLINGS)
def test_every_spelling_of_a_mobile_is_one_number(raw):
    assert phones.normalise(raw) == "13912345678"


@pytest.mark.parametrize("raw", ["0951-6012345", "(0951) 601 2345", "０９５１－６０１２３４５"])
def test_a_landline_keeps_its_area_code(raw):
    assert phones.normalise(raw) == "09516012345"
    assert not phones.is_mobile(phones.normalise(raw))


@pytest.mark.parametrize("raw", ["", "12345", "23912345678", "1391234567x", "139123456789", "110"])
def test_what_is_not_a_number_is_refused_with_a_code(raw):
    with pytest.raises(ActionError) as caught:
        phones.normalise(raw, field="grid_phone")
    assert caught.value.code == "invalid_phone"
    assert caught.value.field == "grid_phone"
