"""The suite registry: suite modules loaded by path from ``settings.expectations_dir``, expectation labels
and severities."""

from __future__ import annotations

import builtins
import hashlib
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
    layer modules can share helpers with relative imports. Loading does not wait for Great Expectations:
    a suite module's ``import great_expectations`` binds a stand-in that imports GX our way (quietly,
    version checked, see :func:`~jobtrends.quality.gx_adapter._gx`) when the module first reads from it,
    in ``build_suite``; a frame's SQL is then ready while GX is still being imported (see
    :func:`~jobtrends.quality.gx_adapter.preload`).
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    directory = Path(settings.expectations_dir).resolve()
    init = directory / "__init__.py"
    if not init.exists():
        raise FileNotFoundError(f"no expectation suites at {directory} (settings.expectations_dir)")
    package = "_jt_expectations_" + hashlib.sha1(str(directory).encode()).hexdigest()[:10]
    if package not in sys.modules:
        _exec_by_path(package, init, package_dir=directory)
    name = f"{package}.{layer}"
    if name not in sys.modules:
        path = directory / f"{layer}.py"
        if not path.exists():
            raise ModuleNotFoundError(f"No module named {name!r} ({path})", name=name)
        setattr(sys.modules[package], layer, _exec_by_path(name, path))
    return sys.modules[name]


class _LazyGX(ModuleType):
    """``great_expectations`` as a suite module sees it while GX is not imported: every attribute read
    imports GX (once, our way) and reads the attribute from it."""

    def __getattr__(self, attr: str) -> Any:
        from jobtrends.quality.gx_adapter import _gx

        return getattr(_gx(), attr)


_LAZY_GX = _LazyGX("great_expectations")


def _suite_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    """The suite modules' ``__import__``: a plain ``import great_expectations`` gets GX once it is
    imported, :data:`_LAZY_GX` before; every other import is the usual one."""
    if name == "great_expectations" and not fromlist and level == 0:
        from jobtrends.quality.gx_adapter import _GX

        return _GX.get("module") or _LAZY_GX
    return builtins.__import__(name, globals, locals, fromlist, level)


_SUITE_BUILTINS = {**builtins.__dict__, "__import__": _suite_import}


def _exec_by_path(name: str, path: Path, *, package_dir: Path | None = None) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(package_dir)] if package_dir is not None else None
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__builtins__"] = _SUITE_BUILTINS  # exec keeps these: the module's imports use them
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


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
