"""The layers of ARCHITECTURE.md, enforced: a module imports only its own package and the
packages of lower layers, and a page links (`{% url %}`, `reverse`, `redirect`) only to pages of
its own or lower layers. Tests and migrations are outside the rule; the roof (yishi) may use
anything."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first; packages of one layer may use each other (places and accounts: an account's
# scope is an area, and an area's profile is edited by accounts of that area).
LAYERS: list[set[str]] = [
    {"core"},
    {"timeline"},
    {"places", "accounts"},
    {"concerns"},
    {"consultations"},
    {"accountability"},
    {"opinions"},
    {"insights", "open311", "wechat"},
    {"notifications"},
    {"yishi"},
]
LEVEL = {package: level for level, layer in enumerate(LAYERS) for package in layer}
# Packages of one layer that must not use each other all the same.
APART = {"insights", "open311", "wechat"}
URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_URL = re.compile(r"""{%\s*url\s+['"]([a-z0-9_]+):""")


def allowed(source: str, target: str, *, link: bool = False) -> bool:
    # Pages may link to the roof's own pages (home, workbench, a community's page), as the
    # site's navigation in base.html does; no app imports the roof.
    if source == target or source == "yishi" or (link and target == "yishi"):
        return True
    if LEVEL[target] < LEVEL[source]:
        return True
    return LEVEL[target] == LEVEL[source] and not {source, target} <= APART


def checked_files(suffix: str) -> list[tuple[str, Path]]:
    files = []
    for package in LEVEL:
        for path in (ROOT / package).rglob(f"*{suffix}"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            files.append((package, path))
    return files


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def linked(tree: ast.AST) -> list[tuple[int, str]]:
    """Namespaces of the URL names passed to reverse/redirect as string literals."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        first = node.args[0]
        named = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if name in URL_CALLS and named and ":" in first.value and "/" not in first.value:
            found.append((node.lineno, first.value.split(":")[0]))
    return found


def violations() -> list[str]:
    found = []
    for package, path in checked_files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module in imported(tree) + linked(tree):
            target = module.split(".")[0]
            if target in LEVEL and not allowed(package, target):
                found.append(f"{path.relative_to(ROOT)}:{line} uses {module}")
    for package, path in checked_files(".html"):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for target in TEMPLATE_URL.findall(text):
                if target in LEVEL and not allowed(package, target, link=True):
                    found.append(f"{path.relative_to(ROOT)}:{number} links to {target}")
    return found


def test_no_module_uses_a_higher_layer():
    assert violations() == []


def test_every_package_has_a_layer():
    packages = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"core"}
    assert packages <= set(LEVEL), packages - set(LEVEL)


def test_the_check_catches_an_upward_import_and_link(tmp_path, monkeypatch):
    """The rule itself: an earlier app importing a later one, or linking to its page, fails."""
    assert not allowed("concerns", "consultations")
    assert not allowed("core", "accounts")
    assert not allowed("insights", "wechat")
    assert allowed("accounts", "places") and allowed("places", "accounts")
    assert allowed("accountability", "concerns") and allowed("yishi", "notifications")
    tree = ast.parse("from consultations import models\nreverse('opinions:list')\n")
    assert [m for _, m in imported(tree) + linked(tree)] == ["consultations", "opinions"]
    assert TEMPLATE_URL.findall("{% url 'consultations:topic' topic.pk %}") == ["consultations"]


def test_no_module_loads_an_app_by_name():
    """Apps are imported plainly (yishi/manifests.py), never by import_module, __import__ or
    import_string of an app's module."""
    pattern = re.compile(r"import_module\(|__import__\(|import_string\(")
    offenders = []
    for _package, path in checked_files(".py"):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    # Pluggable back-ends chosen in settings (the SMS gateway, WeChat's template sender) are
    # not apps: they are loaded by their dotted path from the deployment's settings.
    allowed_backends = {"notifications/sms.py", "notifications/checks.py", "wechat/sender.py"}
    assert [o for o in offenders if o.split(":")[0] not in allowed_backends] == []


# ARCHITECTURE.md's size rule: a module a newcomer can read through, a function that fits on
# a screen. Demo loaders (data written as code) are outside it, as tests and migrations are.
MODULE_LINES = 700
FUNCTION_LINES = 60


def too_long(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    if text.count("\n") > MODULE_LINES:
        found.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LINES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length}")
    return found


def test_no_module_or_function_is_too_long_to_read():
    long = [
        where
        for _package, path in checked_files(".py")
        if "demo" not in path.name
        for where in too_long(path)
    ]
    assert not long, long


def test_the_size_check_catches_a_long_function_and_module(tmp_path, monkeypatch):
    monkeypatch.setattr("yishi.tests.test_architecture.ROOT", tmp_path)
    body = "\n".join(f"    x{n} = {n}" for n in range(FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def f():\n{body}\n" + "\n" * MODULE_LINES)
    found = too_long(tmp_path / "long.py")
    assert len(found) == 2 and "f()" in found[1], found
