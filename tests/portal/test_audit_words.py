"""Every action code the code base writes to the log has a name in words, and every kind of
object a translated name (issue 16 item 1): a new code cannot reach the audit log page raw."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from portal.audit_words import (
    ACTION_NAMES,
    EXTRA_FIELD_NAMES,
    OBJECT_TYPE_NAMES,
    action_choices,
    action_name,
    object_type_name,
)

ROOT = Path(settings.BASE_DIR)
PROJECT_APPS = ("accounts", "audit", "contracts", "members", "portal", "proxy", "steering")
# What writes an entry: the service helper, and `Entry(...)` itself (the migration that seals the chain).
WRITERS = {"audit_record", "Entry"}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _action_argument(call: ast.Call) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == "action"), None)


class _Module:
    """One source file: its module-level string constants and every call with its enclosing function."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        self.constants = {
            target.id: node.value.value
            for node in self.tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        self.calls: list[tuple[ast.Call, ast.FunctionDef | None]] = []
        self._walk(self.tree, None)

    def _walk(self, node: ast.AST, function: ast.FunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                self.calls.append((child, function))
            self._walk(child, inner)

    def codes(self, expr: ast.expr, function: ast.FunctionDef | None, seen: frozenset[str] = frozenset()) -> set[str]:
        """The strings `expr` can be; follows an `action` parameter to the calls of its function."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.codes(expr.body, function, seen) | self.codes(expr.orelse, function, seen)
        if isinstance(expr, ast.Name) and expr.id in self.constants:
            return {self.constants[expr.id]}
        parameters = {arg.arg for arg in (function.args.args + function.args.kwonlyargs)} if function else set()
        if isinstance(expr, ast.Name) and expr.id in parameters and function.name not in seen:
            found: set[str] = set()
            for call, caller in self.calls:
                if _called_name(call) == function.name and (argument := _action_argument(call)) is not None:
                    found |= self.codes(argument, caller, seen | {function.name})
            if found:
                return found
        raise AssertionError(
            f"{self.path.relative_to(ROOT)}:{expr.lineno}: cannot tell which action code is written here; "
            "pass a string literal or a module constant so tests/portal/test_audit_words.py can check its name"
        )


def recorded_action_codes() -> set[str]:
    """Every action code passed to `audit_record` (or `Entry`) anywhere in the project's apps."""
    codes: set[str] = set()
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            module = _Module(path)
            for call, function in module.calls:
                if function is not None and function.name in WRITERS:
                    continue  # audit_record passing its own parameter on to Entry
                if _called_name(call) in WRITERS and (argument := _action_argument(call)) is not None:
                    codes |= module.codes(argument, function)
    return codes


def test_the_collector_finds_codes_written_in_every_way():
    codes = recorded_action_codes()
    # a literal, both arms of a conditional, a module constant, a parameter passed on, a migration
    assert {"vote.cast", "vote.change", "organisation.create", "organisation.update"} <= codes
    assert {"proxy.snapshot_built", "organisation.register_sync", "service.change", "audit.chain_keyed"} <= codes


def test_every_recorded_action_code_has_a_name_in_words():
    missing = sorted(recorded_action_codes() - set(ACTION_NAMES))
    assert not missing, f"give these action codes a name in portal/audit_words.py: {missing}"


def test_no_name_is_kept_for_a_code_nothing_writes():
    assert sorted(set(ACTION_NAMES) - recorded_action_codes()) == []


def test_every_action_name_is_translatable():
    assert all(isinstance(name, Promise) for name in ACTION_NAMES.values())


def test_every_model_of_the_project_has_a_translated_name():
    unnamed = [
        model._meta.label_lower
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and not isinstance(model._meta.verbose_name, Promise)
        and model._meta.label_lower not in OBJECT_TYPE_NAMES
    ]
    assert unnamed == [], f"give these models a verbose_name or a name in OBJECT_TYPE_NAMES: {unnamed}"


def test_every_field_of_the_projects_models_has_a_translated_name():
    unnamed = [
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
        if field.name != "id"
        and not isinstance(field.verbose_name, Promise)
        and field.name not in EXTRA_FIELD_NAMES
        and field.attname not in EXTRA_FIELD_NAMES
    ]
    assert unnamed == [], f"give these fields a verbose_name or a name in EXTRA_FIELD_NAMES: {unnamed}"


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_names_read_as_words_in_each_language(language):
    with translation.override(language):
        assert "." not in str(action_name("vote.cast"))
        assert "." not in object_type_name("members.organisation")


def test_names_in_english():
    with translation.override("en"):
        assert action_name("proxy.published") == "Configuration published"
        assert object_type_name("members.organisation") == "Organisation"
        assert object_type_name("proxy.snapshot") == "Proxy configuration"


def test_an_unknown_code_or_type_reads_as_words_not_as_the_code():
    with translation.override("en"):
        assert action_name("made.up") == "Other change"
        assert object_type_name("nowhere.thing") == "Other object"


def test_the_action_filter_offers_every_name_grouped():
    grouped = action_choices()
    assert len(grouped) > 1
    assert {code for _, options in grouped for code, _ in options} == set(ACTION_NAMES)
