"""noc-app: a desktop NOC wall for metrics, logs and incidents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("noc-app")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
