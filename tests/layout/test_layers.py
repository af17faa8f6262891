"""DESIGN section 6: one app per domain, dependencies pointing down, kept by import-linter."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return {"root_packages": config["root_packages"], "layers": layers["layers"]}


def _layer_modules() -> list[str]:
    return [name.strip() for layer in _contract()["layers"] for name in layer.replace(":", "|").split("|")]


def test_the_layers_are_the_designed_order():
    apps_in_order = [name for name in _layer_modules() if "." not in name]
    assert apps_in_order == [
        "portal", "proxy", "steering", "contracts", "members", "accounts", "audit", "emails", "widgets", "csv_files",
    ]  # fmt: skip


def test_every_project_app_is_in_a_layer():
    """A new app cannot slip past the contract: each of our installed apps has its layer."""
    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name.split(".")[0]).is_dir()}
    assert ours <= set(_layer_modules()), sorted(ours - set(_layer_modules()))
    assert set(_contract()["root_packages"]) >= {name.split(".")[0] for name in _layer_modules()}


def test_no_module_imports_a_higher_layer():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    """The contract sees imports hidden in functions too: a copy of the tree with one such import fails."""
    for name in _contract()["root_packages"]:
        subprocess.run(["cp", "-r", str(ROOT / name), str(tmp_path / name)], check=True)
    subprocess.run(["cp", str(ROOT / "pyproject.toml"), str(tmp_path)], check=True)
    with (tmp_path / "audit" / "verify.py").open("a") as module:
        module.write("\n\ndef _upward():\n    from portal import views  # noqa: F401\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    assert "audit is not allowed to import portal" in result.stdout
