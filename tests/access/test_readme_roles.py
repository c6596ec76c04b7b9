"""The README's Roles section is the table of who may do what: checked against `ROLE_ACTIONS`, so it
cannot drift from the rule."""

from pathlib import Path

from participants.choices import Role
from participants.roles import ROLE_ACTIONS, Action

README = Path(__file__).resolve().parents[2] / "README.md"
SUPERUSER = "Superuser (support staff)"


def roles_table() -> tuple[list[str], dict[str, set[str]]]:
    """The header's action columns and, per row label, the columns ticked."""
    section = README.read_text().split("## Roles\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    actions = header[2:]  # after "role" and "scope: sees"
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = {action for action, cell in zip(actions, cells[2:], strict=True) if cell == "✓"}
    return actions, rows


def test_readme_has_a_column_per_action():
    actions, _ = roles_table()
    assert actions == [action.value.replace("_", " ") for action in Action]


def test_readme_ticks_exactly_each_roles_actions():
    _, rows = roles_table()
    assert set(rows) == {role.label for role in Role} | {SUPERUSER}
    for role in Role:
        assert rows[role.label] == {action.value.replace("_", " ") for action in ROLE_ACTIONS[role]}, role
    assert rows[SUPERUSER] == {action.value.replace("_", " ") for action in Action}
