"""Checks run before the QApplication exists, so start-up problems are one message and exit 2.

Qt aborts the process (SIGABRT, a core dump, a misleading "could not load the Qt
platform plugin" text) when the xcb plugin's system libraries are missing or when
DISPLAY names an X server that is not there.  Both are detected here first.
Pure functions with injected probes, so the tests need neither a broken machine nor Qt.
"""

from __future__ import annotations

import ctypes
import os
import re
import socket
from collections.abc import Callable, Mapping

# The shared libraries Qt 6's xcb platform plugin loads (ldd libqxcb.so) that a minimal
# Debian 12 / Ubuntu 24.04 lacks, with the Debian package that provides each.
XCB_PLUGIN_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
)

X11_SOCKET_DIR = "/tmp/.X11-unix"
_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")


def library_loads(soname: str) -> bool:
    """Whether the dynamic loader finds and loads this library (what Qt will do next anyway)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(loads: Callable[[str], bool] = library_loads) -> tuple[str, ...]:
    """Debian packages to install for the libraries the xcb plugin needs and cannot load."""
    return tuple(package for soname, package in XCB_PLUGIN_LIBRARIES if not loads(soname))


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will pick the X11 (xcb) platform plugin with this environment."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def x_server_answers(display: str, *, socket_dir: str = X11_SOCKET_DIR, timeout_s: float = 2.0) -> bool:
    """Whether something accepts connections where DISPLAY points (socket only: no X protocol)."""
    match = _DISPLAY.match(display)
    if match is None:
        return False
    host, number = match["host"], int(match["number"])
    if host.startswith("unix/"):
        host = ""
    if host in ("", "unix"):
        paths = [f"\0{socket_dir}/X{number}", f"{socket_dir}/X{number}"]  # Linux abstract name first
        for path in paths:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                try:
                    sock.connect(path)
                except OSError:
                    continue
                return True
        if host == "":
            return False
        host = "localhost"
    try:
        with socket.create_connection((host, 6000 + number), timeout=timeout_s):
            return True
    except OSError:
        return False


def uses_wayland_only(env: Mapping[str, str]) -> bool:
    """Whether Qt will use Wayland with no X11 to fall back on (the cage kiosk, a Wayland-only session)."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "wayland"  # "wayland;xcb" falls back: not checked
    return bool(env.get("WAYLAND_DISPLAY")) and not env.get("DISPLAY")


def wayland_answers(env: Mapping[str, str], *, timeout_s: float = 2.0) -> bool:
    """Whether a compositor accepts connections on the WAYLAND_DISPLAY socket."""
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(path)
        except OSError:
            return False
    return True


def display_problem(
    env: Mapping[str, str],
    *,
    answers: Callable[[str], bool] = x_server_answers,
    loads: Callable[[str], bool] = library_loads,
    wayland_ok: Callable[[Mapping[str, str]], bool] = wayland_answers,
) -> str | None:
    """One line saying why Qt cannot open a window with this environment, or None."""
    if uses_wayland_only(env):
        if wayland_ok(env):
            return None
        name = env.get("WAYLAND_DISPLAY") or "wayland-0"
        return (
            f"WAYLAND_DISPLAY={name} has no Wayland compositor behind it (nothing answers on its socket in "
            f"XDG_RUNTIME_DIR={env.get('XDG_RUNTIME_DIR', '')!r}). Start the compositor (e.g. cage) first"
        )
    if not uses_xcb(env):
        return None
    missing = missing_xcb_libraries(loads)
    if missing:
        return (
            "Qt's X11 plugin cannot load its system libraries. On Debian/Ubuntu: "
            f"sudo apt-get install {' '.join(missing)}"
        )
    display = env.get("DISPLAY", "")
    if not display:
        return "QT_QPA_PLATFORM=xcb but DISPLAY is unset: run under a desktop session or Xvfb"
    if not answers(display):
        return (
            f"DISPLAY={display} has no X server behind it (nothing answers on its socket). "
            "Start the session or Xvfb first, or use `noc-app screenshot` / `noc-app snapshot`, which need no screen"
        )
    return None


def check_display(env: Mapping[str, str] | None = None) -> str | None:
    """display_problem for this process's environment."""
    return display_problem(os.environ if env is None else env)
