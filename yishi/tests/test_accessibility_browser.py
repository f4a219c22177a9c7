"""axe-core (npm, pinned in package.json) checks the pages residents use first, on a phone and on
a desktop: no serious or critical accessibility violation (labels, names, contrast, landmarks)."""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def load_axe(page, url: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `make static` (npm ci)")
    page.goto(url)
    # Passed as a function body through the DevTools protocol, which the page's CSP does not
    # govern; a <script> tag or eval() with the same text would be refused.
    page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")


def serious(page) -> list[dict]:
    return [v for v in page.evaluate(RUN) if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("device", ["phone_page", "page"])
@pytest.mark.parametrize("url", ["/", "/concerns/?community=C1", "/concerns/track/", "/c/C1/"])
def test_no_serious_accessibility_violations(request, world, device, url):
    page = request.getfixturevalue(device)
    load_axe(page, url)
    found = serious(page)
    assert found == [], found


def test_the_check_catches_an_unlabelled_field(page, world):
    load_axe(page, "/concerns/?community=C1")
    page.evaluate(
        """() => document.querySelector("main form")
             .insertAdjacentHTML("beforeend", '<input type="text" name="x">')"""
    )
    assert "label" in {v["id"] for v in serious(page)}
