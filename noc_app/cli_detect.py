"""`noc-app detect nab ...`: run the streaming anomaly detector over a NAB corpus, or score NAB results.

    noc-app detect nab --data DIR --out RESULTS          run the detector on every file, write NAB's results
                                                         layout, print the three normalised scores
    noc-app detect nab --data DIR --score-only RESULTS   score existing results (every detector folder in RESULTS)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from noc_app.cli_types import positive_int
from noc_app.detect.nab_corpus import (
    NabInputError,
    corpus_files,
    detectors_in,
    labels_for,
    read_scores,
    read_windows,
    results_path,
    window_rows,
)
from noc_app.detect.nab_scoring import PROFILES, FileRows, alert_shares, file_rows, score_corpus
from noc_app.logging_setup import configure_logging

EXIT_OK = 0
EXIT_USAGE = 2


def build_detect_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="noc-app detect", description="Streaming anomaly detection tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    nab = sub.add_parser(
        "nab",
        help="score the anomaly detector on the Numenta Anomaly Benchmark",
        description="Run the wall's streaming anomaly detector over a NAB corpus (each file as a stream) and "
        "write NAB's results layout, or score an existing results folder; print the normalised standard, "
        "reward_low_FP_rate and reward_low_FN_rate scores.",
    )
    nab.add_argument("--data", required=True, metavar="DIR", help="the corpus's data/ folder (category subfolders)")
    nab.add_argument("--labels", metavar="FILE", help="anomaly windows (default DIR/../labels/combined_windows.json)")
    what = nab.add_mutually_exclusive_group(required=True)
    what.add_argument("--out", metavar="RESULTS", help="run the detector; write RESULTS/noc/<category>/noc_<file>")
    what.add_argument("--score-only", metavar="RESULTS", help="score RESULTS/<detector>/<category>/*.csv")
    nab.add_argument("--null-windows", type=positive_int, metavar="N",
                     help="count N windows for the null baseline instead of the scored files' windows")
    nab.add_argument("--processes", type=positive_int, metavar="N", help="worker processes (default: one per core)")
    nab.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return parser


def run_detect(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    data = Path(args.data)
    labels = Path(args.labels) if args.labels else data.parent / "labels" / "combined_windows.json"
    try:
        files = corpus_files(data)
        windows = read_windows(labels)
        for key, _ in files:
            labels_for(key, windows, labels)
        if args.score_only:
            for detector in detectors_in(Path(args.score_only)):
                corpus = _scored_results(Path(args.score_only), detector, files, windows)
                _print_scores(f"{detector}: {len(corpus)} files", corpus, args.null_windows)
            return EXIT_OK
        return _run(files, windows, Path(args.out), args)
    except NabInputError as err:
        print(f"noc-app detect nab: {err}", file=sys.stderr)
        return EXIT_USAGE


def _scored_results(
    results: Path, detector: str, files: list[tuple[str, Path]], windows: dict[str, list[tuple[float, float]]]
) -> list[FileRows]:
    corpus = []
    for key, _ in files:
        path = results_path(results, detector, key)
        if not path.is_file():
            raise NabInputError(f"{path}: missing (results of {detector} for {key})")
        seconds, scores = read_scores(path)
        corpus.append(file_rows(key, scores, window_rows(seconds, windows[key])))
    return corpus


def _run(
    files: list[tuple[str, Path]], windows: dict[str, list[tuple[float, float]]], out: Path, args: argparse.Namespace
) -> int:
    from noc_app.detect.nab_run import DETECTOR_NAME, FileJob, run_corpus

    started = time.monotonic()
    jobs = [FileJob(key, path, tuple(windows[key]), out) for key, path in files]
    done = run_corpus(jobs, args.processes)
    elapsed = time.monotonic() - started
    corpus = [file_rows(item.key, item.scores, item.windows) for item in done]
    rows = sum(len(item.scores) for item in done)
    _print_scores(
        f"{DETECTOR_NAME}: {len(done)} files, {rows} rows in {elapsed:.1f} s, results in {out / DETECTOR_NAME}",
        corpus,
        args.null_windows,
    )
    return EXIT_OK


def _print_scores(title: str, corpus: list[FileRows], null_windows: int | None) -> None:
    print(title)
    results = score_corpus(corpus, null_windows)
    print(f"  {'profile':<20} {'score':>7}  threshold")
    for result in results:
        print(f"  {result.profile.name:<20} {result.score:>7.2f}  {result.threshold:.12g}")
    standard = next(r for r in results if r.profile is PROFILES[0])
    shares = alert_shares(corpus, standard.threshold)
    print(
        f"  at the standard threshold: {shares.windows_detected}/{shares.windows} windows detected "
        f"({100 * shares.detected_share:.1f} %), {shares.false_events}/{shares.events} alert events false "
        f"({100 * shares.false_share:.1f} %)"
    )
