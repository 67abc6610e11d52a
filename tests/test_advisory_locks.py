"""Each periodic rule has its own PostgreSQL advisory lock: two rules sharing a number
would queue behind each other on every node for no reason."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = re.compile(r"^([A-Z_]*LOCK) = (0x[0-9A-Fa-f_]+)", re.MULTILINE)


def test_every_advisory_lock_number_is_its_own():
    seen: dict[int, str] = {}
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        for name, number in LOCK.findall(path.read_text()):
            value = int(number, 16)
            where = f"{path.relative_to(ROOT)}:{name}"
            assert value not in seen, f"{where} and {seen[value]} share {number}"
            seen[value] = where
    assert len(seen) >= 7  # the rules of closing, reminders, waiting list, runs, alerts…
