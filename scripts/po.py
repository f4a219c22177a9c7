"""Small helper for the zh_Hans catalogues (no extra dependency).

    python scripts/po.py todo APP              list untranslated or fuzzy msgids of APP as JSON
    python scripts/po.py fill APP FILE.json    write translations {msgid: msgstr} into APP's .po

Plural entries take a list of two strings in FILE.json ([singular, plural]); Chinese uses
the same text for both.
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Entry:
    lines: list[str] = field(default_factory=list)
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False


def _unquote(chunks: list[str]) -> str:
    return "".join(json.loads(c) for c in chunks)


def parse(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = Entry(lines=block.splitlines())
        current: list[str] | None = None
        strs: dict[str, list[str]] = {}
        for line in entry.lines:
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if m:
                current = strs.setdefault(m.group(1), [])
                current.append(m.group(2))
            elif line.startswith('"') and current is not None:
                current.append(line)
        if "msgid" not in strs:
            continue
        entry.msgid = _unquote(strs["msgid"])
        if "msgid_plural" in strs:
            entry.msgid_plural = _unquote(strs["msgid_plural"])
            entry.msgstr = [_unquote(strs.get(f"msgstr[{i}]", ['""'])) for i in range(2)]
        else:
            entry.msgstr = [_unquote(strs.get("msgstr", ['""']))]
        entries.append(entry)
    return entries


def catalogue(app: str) -> Path:
    return ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def untranslated(path: Path) -> list[str]:
    return [e.msgid for e in parse(path) if e.msgid and (e.fuzzy or not all(s for s in e.msgstr))]


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(path: Path, mapping: dict) -> int:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    done = 0
    out = []
    for block in blocks:
        entries = parse_block(block)
        if entries is not None and entries.msgid in mapping:
            value = mapping[entries.msgid]
            kept = [
                ln
                for ln in entries.lines
                if not ln.startswith("msgstr") and not (ln.startswith("#,") and "fuzzy" in ln)
            ]
            # Drop continuation lines of the old msgstr.
            result, in_str = [], False
            for ln in entries.lines:
                if ln.startswith("msgstr"):
                    in_str = True
                    continue
                if in_str and ln.startswith('"'):
                    continue
                in_str = False
                if ln.startswith("#,") and "fuzzy" in ln:
                    ln = ln.replace(", fuzzy", "").replace("fuzzy, ", "").replace("fuzzy", "")
                    if ln.strip() == "#,":
                        continue
                result.append(ln)
            del kept
            if entries.msgid_plural is not None:
                values = value if isinstance(value, list) else [value, value]
                result += [f"msgstr[{i}] {_quote(v)}" for i, v in enumerate(values[:2])]
            else:
                result.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
            block = "\n".join(result)
            done += 1
        out.append(block)
    path.write_text("\n\n".join(out), encoding="utf-8")
    return done


def parse_block(block: str) -> Entry | None:
    tmp = ROOT / ".po-block.tmp"
    tmp.write_text(block, encoding="utf-8")
    try:
        entries = parse(tmp)
    finally:
        tmp.unlink()
    return entries[0] if entries else None


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "todo":
        print(json.dumps(untranslated(catalogue(argv[1])), ensure_ascii=False, indent=1))
        return 0
    if len(argv) == 3 and argv[0] == "fill":
        mapping = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        print(f"filled {fill(catalogue(argv[1]), mapping)} entries")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
