"""The verb registry: every verb recorded anywhere is declared once, by constant, with the
wording residents read; nothing branches on verb strings."""

import ast
import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from timeline import verbs
from timeline.models import Event
from timeline.services import record, record_many
from timeline.verbs import Seen, UnknownVerb

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "node_modules", "migrations", "tests", "var", "bench"}


def _modules() -> list[tuple[str, Path, ast.Module]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIP_DIRS.intersection(parts[:-1]) or parts[-1] in ("conftest.py", "manage.py"):
            continue
        module = ".".join(parts)[: -len(".py")].removesuffix(".__init__")
        found.append((module, path, ast.parse(path.read_text(), filename=str(path))))
    return found


MODULES = _modules()


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _verb_expressions(node: ast.Call) -> list[ast.expr]:
    """The expressions a record()/record_many() call (or a module's own recorder) passes as
    verbs."""
    if _called(node) != "record_many":
        given = [k.value for k in node.keywords if k.arg == "verb"]
        return node.args[1:2] or given
    found = []
    for arg in node.args:
        if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.ListComp):
            arg = arg.value.elt
        if isinstance(arg, ast.Tuple) and len(arg.elts) == 3:
            found.append(arg.elts[1])
    return found


def _values(expr: ast.expr, scope: dict) -> list[object]:
    """The values an expression of constants may take (a constant, a choice between two, a
    lookup in a module-level table); raises on anything else."""
    if isinstance(expr, ast.IfExp):
        return _values(expr.body, scope) + _values(expr.orelse, scope)
    if isinstance(expr, ast.Subscript):
        table = eval(compile(ast.Expression(expr.value), "<verb>", "eval"), scope)
        return list(table.values())
    if isinstance(expr, ast.Name | ast.Attribute):
        return [eval(compile(ast.Expression(expr), "<verb>", "eval"), scope)]
    raise AssertionError(f"not a declared constant: {ast.unparse(expr)}")


def _passes_verb_on(function: ast.FunctionDef) -> bool:
    """A module's own recorder (e.g. one that adds the actor label): it takes a `verb` and
    hands it to record(). Its callers are checked instead of it."""
    takes = {a.arg for a in function.args.args + function.args.kwonlyargs}
    return "verb" in takes and any(
        isinstance(node, ast.Call)
        and _called(node) == "record"
        and any(isinstance(e, ast.Name) and e.id == "verb" for e in _verb_expressions(node))
        for node in ast.walk(function)
    )


def _record_calls():
    for module, path, tree in MODULES:
        if module.startswith("timeline."):
            continue  # record() itself passes its `verb` argument on
        wrappers = [
            f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and _passes_verb_on(f)
        ]
        inside = {id(n) for f in wrappers for n in ast.walk(f)}
        recorders = {"record", "record_many"} | {f.name for f in wrappers}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in recorders and id(node) not in inside:
                yield module, path, node


def test_every_recorded_verb_is_a_declared_constant():
    calls = list(_record_calls())
    assert len(calls) > 60
    assert any(
        _called(node) == "_by_community" for _m, _p, node in calls
    )  # the scan finds the calls (it would pass vacuously otherwise)
    checked = 0
    for module, path, node in calls:
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        scope = vars(importlib.import_module(module))
        for expr in _verb_expressions(node):
            for sub in ast.walk(expr):
                assert not isinstance(sub, ast.JoinedStr), f"{where}: a verb built with an f-string"
                assert not (isinstance(sub, ast.Constant) and isinstance(sub.value, str)), (
                    f"{where}: a verb written as a string literal; use its app's constant"
                )
            for value in _values(expr, scope):
                assert value in verbs.registered(), f"{where}: {value!r} is not declared"
                checked += 1
    assert checked > 60


def test_no_verb_is_written_as_a_string_outside_the_verbs_modules():
    # Comparisons, filters, tables and demo timings use the constants too, so a renamed or
    # removed verb breaks at import, not silently.
    declared = verbs.registered()
    found = []
    for module, path, tree in MODULES:
        if module.endswith(".verbs"):
            continue
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in declared
                and id(node) not in docstrings
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not found, found


def _compares_a_verb(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                name = side.attr if isinstance(side, ast.Attribute) else getattr(side, "id", "")
                if name == "verb":
                    return True
    return False


def test_no_if_elif_chain_on_verbs_anywhere():
    chains = []
    for _module, path, tree in MODULES:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.If)
                and len(node.orelse) == 1
                and isinstance(node.orelse[0], ast.If)
                and (_compares_a_verb(node.test) or _compares_a_verb(node.orelse[0].test))
            ):
                chains.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not chains, chains


def test_the_chain_check_would_see_one():
    chain = ast.parse("if verb == A:\n    x = 1\nelif verb == B:\n    x = 2\n").body[0]
    assert isinstance(chain, ast.If) and _compares_a_verb(chain.orelse[0].test)


@pytest.mark.django_db
def test_the_demo_loader_records_only_declared_verbs():
    call_command("load_demo", stdout=io.StringIO())
    recorded = set(Event.objects.values_list("verb", flat=True).distinct())
    assert len(recorded) > 30
    assert recorded <= verbs.registered()


OFFICE_WORDS = ("改名", "归并", "拆分", "并入本问题", "又有居民", "自助受理", "诉求移")


def test_every_verb_residents_see_has_its_own_resident_wording():
    with translation.override("zh-hans"):
        for verb in verbs.declared():
            assert verb.name.count(".") == 1, verb.name
            if verb.seen is Seen.INTERNAL:
                assert not verb.resident, f"{verb.name}: internal, yet worded for residents"
                continue
            resident = str(verb.resident)
            assert resident, f"{verb.name} is shown to residents without resident wording"
            assert resident != verb.name
            # Translated, and none of the office's words (问题改名, 又有居民反映同一问题...).
            assert any("\u4e00" <= ch <= "\u9fff" for ch in resident), verb.name
            assert not any(word in resident for word in OFFICE_WORDS), (verb.name, resident)


def test_internal_steps_are_not_shown_to_residents():
    for name in ("issue.retitled", "issue.concern_added", "issue.grouping_confirmed"):
        assert not verbs.shown_to_residents(name)
        assert verbs.resident_label_for(name) == ""
    with translation.override("zh-hans"):
        assert verbs.resident_label_for("issue.accepted") == "已受理，正在办理"


def test_public_notes_are_read_from_the_registry():
    assert "issue.settled" in verbs.public_notes()
    assert "issue.escalated" not in verbs.public_notes()  # the reason stays with the staff
    assert verbs.public_notes() == {v.name for v in verbs.declared() if v.seen is Seen.PUBLIC}


def test_declaring_a_verb_twice_differently_is_refused():
    name = verbs.declare("test.twice", "Twice", Seen.INTERNAL)
    try:
        assert verbs.declare("test.twice", "Twice", Seen.INTERNAL) == name  # the same: fine
        with pytest.raises(ValueError, match="twice"):
            verbs.declare("test.twice", "Other", Seen.PUBLIC, resident="x")
    finally:
        verbs._VERBS.pop(name)


@pytest.mark.django_db
def test_recording_an_undeclared_verb_fails(world):
    with pytest.raises(UnknownVerb):
        record(world.c1, "issue.no_such_step")
    with pytest.raises(UnknownVerb):
        record_many((world.c1, "issue.no_such_step", {}))
    assert not Event.objects.exists()
