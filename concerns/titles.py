"""The working title of a new issue, made from its first concern's words."""

import re


def make_title(content: str, limit: int = 30) -> str:
    """A short title from the first sentence of the content."""
    # Long digit runs are phone or ID numbers: never put them in a title the public may read.
    text = re.sub(r"\d{7,}", "…", re.sub(r"\s+", " ", content)).strip()
    first = re.split(r"[。！？!?\n；;]", text, maxsplit=1)[0].strip() or text
    return first[:limit] + ("…" if len(first) > limit else "")
