"""``--map FIELD=COLUMN``: one parser for ``jobtrends import`` and ``jobtrends parse``."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrends.cli import main
from jobtrends.commands.args import parse_field_map
from jobtrends.errors import UserError

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"


def test_pairs_are_trimmed_and_a_later_field_wins():
    assert parse_field_map([" title = Job Title ", "company=Employer", "title=Role", "pay_text=a=b"]) == {
        "title": "Role",
        "company": "Employer",
        "pay_text": "a=b",  # only the first '=' splits: a column name may contain one
    }
    assert parse_field_map([]) == {}


@pytest.mark.parametrize("item", ["title", "=Job Title", "title=", " = "])
def test_malformed_items_are_user_errors(item: str):
    with pytest.raises(UserError, match="FIELD=COLUMN"):
        parse_field_map([item])


@pytest.mark.parametrize("command", ["import", "parse"])
def test_both_commands_reject_the_same_item(command: str, capsys: pytest.CaptureFixture[str]):
    head = ["parse", "file"] if command == "parse" else ["import"]
    code = main([*head, str(PAYLOADS / "file/postings.csv"), "--map", "title"])
    assert code == 2 and "--map takes FIELD=COLUMN, got 'title'" in capsys.readouterr().err
