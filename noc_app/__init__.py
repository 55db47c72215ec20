"""noc-app: a desktop NOC wall for metrics, logs and incidents."""

from importlib.metadata import PackageNotFoundError, version

from noc_app._source_tree import map_source_tree

try:
    __version__ = version("noc-app")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

# Inside a checkout, `python -m noc_app` imports this directory, not the installed
# package, and the widgets/themes/configs subpackages live next to it (pyproject maps
# them in only at install time): point those names at the sibling directories.
map_source_tree(__name__, __file__)
