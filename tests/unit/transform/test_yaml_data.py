"""transform.yaml_data parses the normalisers' data files into the same objects as yaml.safe_load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from transform import yaml_data

DATA_FILES = sorted((Path(__file__).parents[3] / "src" / "transform").rglob("*.yaml"))


def test_the_data_files_exist() -> None:
    names = {p.name for p in DATA_FILES}
    assert {"gazetteer.yaml", "skills.yaml", "taxonomy_v1.yaml"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_same_objects_as_pure_python_safe_load(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml_data.safe_load(text) == yaml.safe_load(text)


def test_safe_subset_only() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml_data.safe_load("!!python/object/apply:os.getcwd []")


def test_scalars_typed_like_safe_load() -> None:
    text = "a: 1\nb: 1.5\nc: yes\nd: ~\ne: '007'\nf: 2024-01-02\n"
    assert yaml_data.safe_load(text) == yaml.safe_load(text)
    assert yaml_data.safe_load(text)["c"] is True
