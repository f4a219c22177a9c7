"""What the browser journeys share: the two screen sizes, a page opened at one of them, and a
page whose clicks are counted.

A journey is played on a phone (390×844, touch, as inside WeChat) and on a desktop
(1366×768); each asserts what the person sees at every step and that the clicks stay under
its bar. Set YISHI_SCREENSHOTS=/some/dir to keep the screens a journey passes through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import PASSWORD, PHONE

DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}
SIZES: dict[str, dict[str, Any]] = {"phone": PHONE, "desktop": DESKTOP}
SHOTS = os.environ.get("YISHI_SCREENSHOTS", "")


class Counted:
    """A page whose clicks (and form submits, which are clicks on a button) are counted.
    Typing is not counted; choosing from a select, ticking a box and answering a confirmation
    dialog are."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.clicks = 0
        self.dialogs: list[str] = []
        # An irreversible step asks first (data-confirm): answering is a click too.
        page.on("dialog", self._confirm)

    def _confirm(self, dialog: Any) -> None:
        self.clicks += 1
        self.dialogs.append(dialog.message)
        dialog.accept()

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def check(self, selector: str) -> None:
        self.clicks += 1
        self.page.locator(selector).first.check()

    def select(self, selector: str, **option: str) -> None:
        self.clicks += 1
        self.page.locator(selector).first.select_option(**option)

    def fill(self, selector: str, value: str) -> None:
        self.page.locator(selector).first.fill(value)

    def nav(self, href: str) -> None:
        """Follow a link of the main menu: on a phone the menu opens first (one more click)."""
        toggle = self.page.locator(".menu-toggle")
        if toggle.is_visible():
            self.clicks += 1
            toggle.click()
        self.click(f"#nav a[href='{href}']")

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Through the real login form, from the menu's 工作人员登录: typing, then one click."""
        self.page.goto("/accounts/login/")
        self.fill("#id_username", username)
        self.fill("#id_password", password)
        self.click("button[type=submit]")

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))

    def fits(self) -> bool:
        """Nothing wider than the screen (no sideways scrolling)."""
        width = self.page.viewport_size["width"]
        return bool(self.page.evaluate("document.documentElement.scrollWidth") <= width)

    def shot(self, label: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=f"{SHOTS}/{self.name}-{label}.png", full_page=True)


@contextmanager
def sized_page(browser: Any, live_server: Any, size_name: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) at one of SIZES, with Chinese as its language."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **SIZES[size_name])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
