"""`noc-app detect nab` on two NAB files: writes NAB's results layout, prints three scores; clear input errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from noc_app.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nab"
DATA = FIXTURES / "data"
KEYS = ("realAdExchange/exchange-3_cpm_results.csv", "realTraffic/speed_7578.csv")
PROFILE_NAMES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def score_lines(out: str) -> dict[str, tuple[float, float]]:
    lines = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in PROFILE_NAMES:
            lines[parts[0]] = (float(parts[1]), float(parts[2]))
    return lines


@pytest.mark.parametrize("processes", ["1", "2"])
def test_run_writes_nab_layout_and_prints_three_scores(tmp_path, capsys, processes) -> None:
    assert main(["detect", "nab", "--data", str(DATA), "--out", str(tmp_path), "--processes", processes]) == 0
    out = capsys.readouterr().out
    scores = score_lines(out)
    assert set(scores) == set(PROFILE_NAMES)
    assert all(-1000 < score <= 100 for score, _ in scores.values())
    assert "windows detected" in out and "alert events false" in out
    for key in KEYS:
        category, name = key.split("/")
        with (tmp_path / "noc" / category / f"noc_{name}").open(newline="") as handle:
            rows = list(csv.reader(handle))
        with (DATA / key).open(newline="") as handle:
            data = list(csv.reader(handle))
        assert rows[0] == ["timestamp", "value", "anomaly_score", "label"]
        assert [r[0] for r in rows[1:]] == [r[0] for r in data[1:]]
        assert [float(r[1]) for r in rows[1:]] == [float(r[1]) for r in data[1:]]
        assert all(0.0 <= float(r[2]) <= 1.0 for r in rows[1:])
        assert {r[3] for r in rows[1:]} == {"0", "1"}


def test_results_written_by_a_run_score_the_same_with_score_only(tmp_path, capsys) -> None:
    main(["detect", "nab", "--data", str(DATA), "--out", str(tmp_path), "--processes", "1"])
    ran = score_lines(capsys.readouterr().out)
    assert main(["detect", "nab", "--data", str(DATA), "--score-only", str(tmp_path)]) == 0
    assert score_lines(capsys.readouterr().out) == ran


def test_score_only_of_nab_reference_results(capsys) -> None:
    assert main(["detect", "nab", "--data", str(DATA), "--score-only", str(FIXTURES / "results")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("windowedGaussian: 2 files")
    assert set(score_lines(out)) == set(PROFILE_NAMES)


def test_missing_data_folder(tmp_path, capsys) -> None:
    assert main(["detect", "nab", "--data", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert "nope: no such folder" in capsys.readouterr().err


def test_unknown_labels_file(tmp_path, capsys) -> None:
    labels = tmp_path / "missing.json"
    assert main(["detect", "nab", "--data", str(DATA), "--labels", str(labels), "--out", str(tmp_path)]) == 2
    assert "missing.json: cannot read labels" in capsys.readouterr().err


def test_data_file_without_labels_entry(tmp_path, capsys) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({KEYS[0]: []}))
    assert main(["detect", "nab", "--data", str(DATA), "--labels", str(labels), "--out", str(tmp_path)]) == 2
    assert f"no entry for {KEYS[1]}" in capsys.readouterr().err


def test_bad_csv_names_file_and_line(tmp_path, capsys) -> None:
    data = tmp_path / "corpus" / "data"
    shutil.copytree(DATA, data)
    bad = data / KEYS[1]
    lines = bad.read_text().splitlines()
    lines[5] = "2015-09-08 12:00:00,fast"
    bad.write_text("\n".join(lines) + "\n")
    labels = FIXTURES / "labels" / "combined_windows.json"
    assert main(["detect", "nab", "--data", str(data), "--labels", str(labels), "--out", str(tmp_path / "r")]) == 2
    assert f"{bad}:6: value 'fast' is not a number" in capsys.readouterr().err


def test_missing_results_file(tmp_path, capsys) -> None:
    results = tmp_path / "results"
    shutil.copytree(FIXTURES / "results", results)
    (results / "windowedGaussian" / "realTraffic" / "windowedGaussian_speed_7578.csv").unlink()
    assert main(["detect", "nab", "--data", str(DATA), "--score-only", str(results)]) == 2
    assert "windowedGaussian_speed_7578.csv: missing" in capsys.readouterr().err
