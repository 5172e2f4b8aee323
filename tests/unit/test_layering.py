"""The packages' dependency direction: ``ingest`` ← ``transform`` ← ``jobtrends``, never backwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an ``import`` statement names (also inside functions and ``TYPE_CHECKING`` blocks)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


@pytest.mark.parametrize(
    ("package", "forbidden"), [("ingest", ("jobtrends", "transform")), ("transform", ("jobtrends",))]
)
def test_lower_layers_do_not_import_higher_ones(package: str, forbidden: tuple[str, ...]) -> None:
    files = sorted((SRC / package).rglob("*.py"))
    assert files
    bad = [
        f"{path.relative_to(SRC)}:{line} imports {name}"
        for path in files
        for line, name in _imports(path)
        if name.split(".")[0] in forbidden
    ]
    assert not bad, bad


def test_the_check_sees_nested_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from jobtrends.settings import Settings\n    import transform.titles\n")
    assert [name for _, name in _imports(module)] == ["jobtrends.settings", "transform.titles"]
