"""Shared measurement: CPU and RSS from /proc, percentiles, the event-loop stall probe.

CPU is utime+stime of this process (all threads) from /proc/self/stat over the
measured window; RSS is sampled every 0.5 s and the peak kept.  These are the
same kernel counters the peer benchmark reads, so the numbers are comparable.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
SAMPLE_EVERY_MS = 500
STALL_PROBE_MS = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class ProcStat:
    """The fields of /proc/<pid>/stat the benchmark reads."""

    cpu_ticks: int  # utime + stime, all threads
    start_ticks: int  # process start, clock ticks since boot
    rss_pages: int
    threads: int


def read_proc_stat(pid: int | str = "self") -> ProcStat:
    """Parse /proc/<pid>/stat (comm may contain spaces: split after the last ')')."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read()
    rest = data[data.rindex(b")") + 2 :].split()
    # rest[k] is field k + 3 of proc(5)
    return ProcStat(
        cpu_ticks=int(rest[11]) + int(rest[12]),
        start_ticks=int(rest[19]),
        rss_pages=int(rest[21]),
        threads=int(rest[17]),
    )


def rss_mb_now() -> float:
    """This process's resident set size in MB."""
    return read_proc_stat().rss_pages * PAGE_SIZE / MB


def seconds_since_process_start() -> float:
    """Time since the kernel started this process (resolution: one clock tick)."""
    now_ticks = time.clock_gettime(time.CLOCK_BOOTTIME) * CLK_TCK
    return (now_ticks - read_proc_stat().start_ticks) / CLK_TCK


def host_busy_ticks() -> int:
    """Busy CPU ticks of the whole machine from /proc/stat (total - idle - iowait)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return sum(values[:8]) - values[3] - values[4]


def loadavg() -> list[float]:
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


class ProcessSampler:
    """CPU over a window and peak RSS of this process; sample() every 0.5 s."""

    def __init__(self) -> None:
        self.rss_peak_pages = 0
        self.rss_pages_last = 0
        self._cpu_begin = self._cpu_end = 0
        self._host_begin = self._host_end = 0
        self._t_begin = self._t_end = 0.0
        self.threads_max = 0

    def sample(self) -> None:
        st = read_proc_stat()
        self.rss_pages_last = st.rss_pages
        self.rss_peak_pages = max(self.rss_peak_pages, st.rss_pages)
        self.threads_max = max(self.threads_max, st.threads)

    def begin(self) -> None:
        """Start the measured window; the RSS peak counts from here too."""
        self.rss_peak_pages = 0
        self.sample()
        self._cpu_begin = read_proc_stat().cpu_ticks
        self._host_begin = host_busy_ticks()
        self._t_begin = time.monotonic()

    def end(self) -> None:
        self.sample()
        self._cpu_end = read_proc_stat().cpu_ticks
        self._host_end = host_busy_ticks()
        self._t_end = time.monotonic()

    @property
    def wall_s(self) -> float:
        return self._t_end - self._t_begin

    @property
    def cpu_s(self) -> float:
        return (self._cpu_end - self._cpu_begin) / CLK_TCK

    @property
    def cpu_pct_of_one_core(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def other_cpu_pct_of_one_core(self) -> float:
        """CPU used by everything else on the machine during the window (noise indicator)."""
        other = (self._host_end - self._host_begin) / CLK_TCK - self.cpu_s
        return 100.0 * other / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def rss_mb_peak(self) -> float:
        return self.rss_peak_pages * PAGE_SIZE / MB

    @property
    def rss_mb_last(self) -> float:
        return self.rss_pages_last * PAGE_SIZE / MB


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), as the peer benchmark computes it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))])


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


class StallProbe(QObject):
    """A 5 ms timer on the GUI thread; the longest gap between firings is the worst stall."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = STALL_PROBE_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fire)
        self._last = 0.0
        self.gaps_ms: list[float] = []

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def reset(self) -> None:
        """Forget gaps so far (end of warm-up)."""
        self.gaps_ms = []
        self._last = time.perf_counter()

    def stop(self) -> None:
        self._fire()
        self._timer.stop()

    @property
    def max_gap_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)

    def _fire(self) -> None:
        now = time.perf_counter()
        self.gaps_ms.append((now - self._last) * 1000.0)
        self._last = now


class PaintCounter(QObject):
    """Counts paint events delivered to a set of widgets (an event filter, no drawing change)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self.last_paint_at = 0.0
        self._watched: list[QObject] = []

    def watch(self, widgets: Sequence[QObject]) -> None:
        for widget in widgets:
            widget.installEventFilter(self)
            self._watched.append(widget)

    @property
    def watched(self) -> int:
        return len(self._watched)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
            self.last_paint_at = time.perf_counter()
        return False


def qt_object_count(extra_roots: Sequence[QObject] = ()) -> dict[str, int]:
    """QObjects reachable from every top-level widget and the given roots, and all widgets."""
    from PySide6.QtWidgets import QApplication

    roots = list(QApplication.topLevelWidgets()) + list(extra_roots)
    objects = sum(1 + len(root.findChildren(QObject)) for root in roots)
    return {"qobjects": objects, "widgets": len(QApplication.allWidgets())}


def run_event_loop_for(seconds: float) -> None:
    """Run a nested event loop for a while (children use it between phases)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


def measure_window(
    sampler: ProcessSampler,
    *,
    warmup_s: float,
    duration_s: float,
    on_begin: Callable[[], None] | None = None,
) -> None:
    """Warm up, then measure for duration_s: CPU over the window, RSS sampled every 0.5 s."""
    timer = QTimer()
    timer.timeout.connect(sampler.sample)
    sampler.sample()
    timer.start(SAMPLE_EVERY_MS)
    run_event_loop_for(warmup_s)
    if on_begin is not None:
        on_begin()
    sampler.begin()
    run_event_loop_for(duration_s)
    sampler.end()
    timer.stop()


def start_qt_application():
    """The child's QApplication: offscreen unless the parent chose the real display."""
    from noc_app.app import make_application, prepare_qt_environment

    prepare_qt_environment(offscreen=os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen")
    return make_application()


def versions() -> dict[str, str]:
    """Versions that matter when comparing runs."""
    import numpy
    import PySide6
    from PySide6.QtCore import qVersion

    return {"qt": qVersion(), "pyside6": PySide6.__version__, "numpy": numpy.__version__}
