"""The README's configuration table names every environment variable the settings read (issue 2)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_in_the_readme_table():
    settings_source = (ROOT / "trustnet" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    table = "\n".join(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("|"))
    assert len(read) > 20
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"add to the README's configuration table: {missing}"
