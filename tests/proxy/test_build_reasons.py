"""Build reasons and stages are shown in words: every reason the code base asks a build with
has a phrase (issue 16 item 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from proxy import build_reasons
from proxy.build_reasons import stage_phrase, trigger_phrase
from proxy.services import snapshot_build

ROOT = Path(__file__).resolve().parents[2]
# Where builds are asked for: the domain apps (through their signals) and the proxy itself.
SOURCES = ("members", "contracts", "steering", "proxy", "portal", "accounts", "bench")
# The calls that carry a build reason, and the keyword (or position) it is passed in.
REASON_CALLS = {
    "_register_changed": ("reason", None, "register: "),
    "send": ("reason", None, None),  # register_changed.send / membership_changed.send
    "_notify_change": ("reason", 1, "membership: "),
    "snapshot_build": ("trigger", None, ""),
    "proxy_build_schedule": ("trigger", None, ""),
}


def _strings(node: ast.AST) -> list[str]:
    """String constants an argument can evaluate to (both arms of `a if c else b`); the text
    parts of an f-string are not codes, they wrap one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _send_prefix(call: ast.Call) -> str | None:
    target = call.func.value if isinstance(call.func, ast.Attribute) else None
    name = getattr(target, "id", "")
    return {"register_changed": "register: ", "membership_changed": "membership: "}.get(name)


def collected_triggers() -> set[str]:
    """Every build trigger the code base can store, as the receivers store it."""
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for call in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(call, ast.Call) or _call_name(call) not in REASON_CALLS:
                    continue
                keyword, position, prefix = REASON_CALLS[_call_name(call)]
                if _call_name(call) == "send":
                    prefix = _send_prefix(call)
                    if prefix is None:
                        continue
                values = [k.value for k in call.keywords if k.arg == keyword]
                if position is not None and len(call.args) > position:
                    values.append(call.args[position])
                for value in values:
                    found.update(prefix + text for text in _strings(value))
    return found


def test_the_collector_finds_the_reasons_of_each_kind():
    triggers = collected_triggers()
    assert {"register: service approved", "register: school reopened", "membership: in_force"} <= triggers
    assert {"manual rebuild", "scheduled refresh", "register changed", "membership changed"} <= triggers
    assert "register: organisation register sync" in triggers


def test_every_build_reason_in_the_code_base_has_a_phrase():
    missing = sorted(trigger for trigger in collected_triggers() if not build_reasons.has_phrase(trigger))
    assert missing == [], f"give these build reasons a phrase in proxy/build_reasons.py: {missing}"


@pytest.mark.parametrize(
    ("trigger", "phrase"),
    [
        ("manual rebuild", "Rebuilt by staff"),
        ("scheduled refresh", "Scheduled refresh"),
        ("register: service approved", "The register changed: a service was approved"),
        ("membership: in_force", "Membership change: a membership came into force"),
        ("membership: notice_withdrawn", "Membership change: a notice on a membership was withdrawn"),
    ],
)
def test_a_reason_is_shown_in_words_with_its_variable_part(trigger, phrase):
    assert trigger_phrase(trigger) == phrase


def test_an_unknown_reason_is_shown_as_written():
    assert trigger_phrase("benchmark of mine") == "benchmark of mine"
    assert not build_reasons.has_phrase("register: something new")


def test_reasons_follow_the_language():
    with translation.override("fi"):
        # The lead fills the catalogues; until then English, but never the code.
        assert trigger_phrase("membership: in_force") != "membership: in_force"


@pytest.mark.django_db
def test_every_stage_a_build_times_has_a_phrase(small_register):
    snapshot = snapshot_build(environment="test", trigger="t")
    stages = list(snapshot.report["timings"])
    assert stages and set(stages) <= set(build_reasons.STAGES)
    assert [phrase for phrase, _ in snapshot.stage_timings] == [stage_phrase(stage) for stage in stages]
    assert "read_inputs" not in [phrase for phrase, _ in snapshot.stage_timings]
