"""Find noc_app.widgets / .themes / .configs when running from a source checkout.

pyproject.toml maps the top-level directories widgets/, themes/ and config/ into the
package (`noc_app.widgets`, ...) only when it is installed.  From the checkout root,
though, `python -m noc_app` imports the checkout's noc_app/ (the current directory
comes first on sys.path), which does not contain them: without this finder the wall
fails with "No module named 'noc_app.themes'", whatever is installed.

The finder answers for exactly those three names and only inside a checkout (a
pyproject.toml and the sibling directories next to noc_app/); an installed package
has them inside itself and never installs the finder.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# subpackage name -> directory next to noc_app/ (the same mapping as pyproject's package-dir)
SIBLINGS = {"widgets": "widgets", "themes": "themes", "configs": "config"}


class SourceTreeFinder(importlib.abc.MetaPathFinder):
    """Maps `<package>.<name>` to `<checkout>/<directory>` for the SIBLINGS names."""

    def __init__(self, targets: dict[str, Path]) -> None:
        self.targets = targets

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        directory = self.targets.get(fullname)
        if directory is None:
            return None
        # Submodules (noc_app.widgets.wall_window) are then found through this __path__.
        return importlib.util.spec_from_file_location(
            fullname, directory / "__init__.py", submodule_search_locations=[str(directory)]
        )


def checkout_targets(package: str, init_file: str) -> dict[str, Path]:
    """The sibling directories to map, or {} when this is not a source checkout."""
    package_dir = Path(init_file).resolve().parent
    root = package_dir.parent
    if not (root / "pyproject.toml").is_file():
        return {}
    targets: dict[str, Path] = {}
    for name, directory in SIBLINGS.items():
        inside = package_dir / name / "__init__.py"
        sibling = root / directory / "__init__.py"
        if sibling.is_file() and not inside.is_file():
            targets[f"{package}.{name}"] = sibling.parent
    return targets


def map_source_tree(package: str, init_file: str) -> None:
    """Install the finder once, first on sys.meta_path.

    First, so an editable install of another checkout (whose own finder maps these
    names to its directories) cannot mix that checkout's widgets with this one's core.
    """
    targets = checkout_targets(package, init_file)
    if not targets or any(isinstance(f, SourceTreeFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, SourceTreeFinder(targets))
