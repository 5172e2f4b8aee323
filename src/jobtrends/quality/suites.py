"""The suite registry: suite modules loaded by path from ``settings.expectations_dir``, expectation labels
and severities."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from jobtrends.quality.outcomes import LAYERS
from jobtrends.settings import Settings

# ----------------------------------------------------------------------------- suites by path


def load_expectations(settings: Settings, layer: str) -> ModuleType:
    """The suite module of a layer, loaded by path from ``settings.expectations_dir``.

    The folder is loaded once per process as a private package (``_jt_expectations_<hash>``) so the
    layer modules can share helpers with relative imports.
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    directory = Path(settings.expectations_dir).resolve()
    init = directory / "__init__.py"
    if not init.exists():
        raise FileNotFoundError(f"no expectation suites at {directory} (settings.expectations_dir)")
    package = "_jt_expectations_" + hashlib.sha1(str(directory).encode()).hexdigest()[:10]
    if package not in sys.modules:
        from jobtrends.quality.gx_adapter import _gx

        _gx()  # the suites import GX: import it our way first (quietly, version checked, see _gx)
        spec = importlib.util.spec_from_file_location(
            package, init, submodule_search_locations=[str(directory)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[package]
            raise
    return importlib.import_module(f"{package}.{layer}")


def _expectation_columns(kwargs: Mapping[str, Any]) -> list[str]:
    if kwargs.get("column"):
        return [kwargs["column"]]
    if kwargs.get("column_A"):
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def expectation_label(
    expectation_type: str, kwargs: Mapping[str, Any], meta: Mapping[str, Any] | None
) -> str:
    """``expect_column_values_to_not_be_null(title)``; ``[variant]`` appended where set."""
    label = f"{expectation_type}({','.join(_expectation_columns(kwargs))})"
    variant = (meta or {}).get("variant")
    return f"{label}[{variant}]" if variant else label


def _is_critical(meta: Mapping[str, Any] | None) -> bool:
    return (meta or {}).get("severity", "critical") != "warning"  # untagged counts as critical


def _is_structural(meta: Mapping[str, Any] | None) -> bool:
    return (meta or {}).get("scope") == "structural"


UNIQUENESS_TYPES = frozenset(
    {
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
