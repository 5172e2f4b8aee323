"""The Vega, Vega-Lite and vega-embed JavaScript inlined in the page (``vl-convert-python``), cached per
user and machine."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import altair as alt


def _vegalite_version() -> str | None:
    """The Vega-Lite version altair writes specs for, if vl-convert ships it (``"6.4"``)."""
    import vl_convert

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vl_convert.get_vegalite_versions() else None


def vega_bundle(cache_dir: Path | None = None) -> str:
    """The vega-embed + Vega-Lite + Vega JavaScript bundle (``vl_convert.javascript_bundle``).

    Bundling takes several seconds, so the result is cached in ``cache_dir`` keyed by the versions.
    """
    import vl_convert

    vl = _vegalite_version()
    vlc = getattr(vl_convert, "__version__", "unknown")  # set by the extension module; not in its stub
    key = f"vega-bundle-vlc{vlc}-vl{vl or 'default'}.js"
    if cache_dir is not None:
        cached = Path(cache_dir) / key
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
    # The stub marks ``snippet`` as required; at run time it defaults to None (the bundle's own snippet)
    make_bundle: Callable[..., str] = vl_convert.javascript_bundle
    bundle = make_bundle(vl_version=vl) if vl else make_bundle()
    if cache_dir is not None:
        try:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            tmp = Path(cache_dir) / f".{key}.{uuid.uuid4().hex[:8]}"
            tmp.write_text(bundle, encoding="utf-8")
            os.replace(tmp, Path(cache_dir) / key)
        except OSError:  # a read-only cache only costs the next build the bundling again
            pass
    return bundle


def bundle_cache_dir() -> Path:
    """Where the bundle is cached: one per user and machine (``$JOBTRENDS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/jobtrends``), so a new data folder does not pay the bundling again."""
    explicit = os.environ.get("JOBTRENDS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobtrends"
