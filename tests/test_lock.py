"""The lock (requirements/*.txt, `make lock`) matches pyproject.toml's groups: every
declared dependency is pinned at a version its range admits, every pin carries hashes,
and `make` installs from it with --require-hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
GROUPS = PYPROJECT["dependency-groups"]


def _declared(group: str) -> list[Requirement]:
    found = []
    for item in GROUPS[group]:
        if isinstance(item, dict):
            found += _declared(item["include-group"])
        else:
            found.append(Requirement(item))
    return found


def _pins(group: str) -> dict[str, tuple[str, int]]:
    text = (ROOT / "requirements" / f"{group}.txt").read_text()
    pins = {}
    for block in re.split(r"\n(?=[a-z0-9])", text, flags=re.I):
        match = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", block)
        if match:
            name = canonicalize_name(match.group(1).split("[")[0])
            pins[name] = (match.group(2), block.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_declared_dependency_is_pinned_within_its_range_with_hashes(group):
    pins = _pins(group)
    assert pins, f"requirements/{group}.txt is empty"
    for requirement in _declared(group):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared in {group} but not locked: run make lock"
        version, _hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, version)
    assert all(hashes for _version, hashes in pins.values())


def test_make_installs_from_the_lock_only():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
