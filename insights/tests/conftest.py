import pytest


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    """Tests change data behind the actions' backs: compute figures afresh unless a test
    turns the cache on to test it."""
    settings.INSIGHTS_CACHE_SECONDS = 0
