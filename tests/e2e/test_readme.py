"""README.md is the user's manual: every command-line option in it, nothing team-internal.

The option tables under "### `noc-app ...`" headings are compared, both ways, with
the argparse parsers the CLI really uses (noc_app.cli), so an option added to the
code without a README row fails here, and so does a README row for an option that
no longer exists.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from noc_app import cli

README = Path(__file__).resolve().parents[2] / "README.md"
# Words a new user cannot place: names of the team's internal documents and tools.
BANNED = re.compile(r"\bseed(?:s|'s)?\b|product spec|peer-bench|chromium|uplot", re.IGNORECASE)
HEADING = re.compile(r"^### `noc-app(?: ([a-z][a-z-]*))?[^`]*`", re.MULTILINE)
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
QUICK_START = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install . && noc-app",
    (
        'python3 -m venv .venv && . .venv/bin/activate && pip install -q -e ".[test]" '
        "&& python -m pytest -q -p no:cacheprovider"
    ),
)


def command_sections(text: str) -> dict[str, str]:
    """Subcommand ('' for the wall itself) -> its README section, up to the next ##/### heading."""
    sections: dict[str, str] = {}
    for match in HEADING.finditer(text):
        rest = text[match.end():]
        end = re.search(r"^#{2,3} ", rest, re.MULTILINE)
        sections[match.group(1) or ""] = rest[: end.start() if end else len(rest)]
    return sections


def documented_options(section: str) -> set[str]:
    """Options named in the first column of the section's tables."""
    options: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_cell = re.split(r"(?<!\\)\|", line)[1]  # "\|" inside a cell is an escaped pipe
            options.update(OPTION.findall(first_cell))
    return options


def parser_options(parser: argparse.ArgumentParser) -> set[str]:
    """The parser's options, and those of its sub-commands (`incidents ack --reason`)."""
    options = {
        option
        for action in parser._actions  # argparse has no public way to list its options
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
    }
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                options |= parser_options(child)
    return options


def parsers() -> dict[str, argparse.ArgumentParser]:
    return {"": cli.build_parser(), **{name: cli.build_subparser(name) for name in cli.SUBCOMMANDS}}


def mismatches(text: str) -> list[str]:
    """Every difference between the README's option tables and the parsers."""
    sections = command_sections(text)
    problems = []
    for name, parser in parsers().items():
        label = f"noc-app {name}".strip()
        if name not in sections:
            problems.append(f"{label}: no '### `{label}`' section in README.md")
            continue
        documented, real = documented_options(sections[name]), parser_options(parser)
        problems += [f"{label}: {opt} is not in README.md" for opt in sorted(real - documented)]
        problems += [f"{label}: README.md documents {opt}, which does not exist" for opt in sorted(documented - real)]
    return problems


def test_every_option_of_every_command_is_documented_and_nothing_else():
    assert mismatches(README.read_text(encoding="utf-8")) == []


def test_the_comparison_notices_a_missing_and_an_invented_option():
    """Negative control: the check above can fail, in both directions."""
    text = README.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `--exit-after"))
    without = text.replace(row + "\n", "")
    assert mismatches(without) == ["noc-app: --exit-after is not in README.md"]
    invented = text.replace(row, row + "\n| `--turbo` | go faster |")
    assert mismatches(invented) == ["noc-app: README.md documents --turbo, which does not exist"]


@pytest.mark.parametrize("option", ["--exit-after", "--log-level", "--config", "--version"])
def test_the_options_users_asked_about_are_in_the_wall_table(option):
    assert option in documented_options(command_sections(README.read_text(encoding="utf-8"))[""])


def test_no_team_internal_words():
    hits = [m.group(0) for m in BANNED.finditer(README.read_text(encoding="utf-8"))]
    assert hits == []


def test_the_banned_words_are_recognised():
    """Negative control: each banned word is caught in any case, a harmless look-alike is not."""
    sample = "The Seed's spec; our Product Spec; ../peer-bench; Chromium 156; uPlot; proceed; seeded"
    assert [m.group(0) for m in BANNED.finditer(sample)] == [
        "Seed's", "Product Spec", "peer-bench", "Chromium", "uPlot",
    ]


def test_quick_start_commands_are_unchanged():
    """CI and first-time users copy these two lines verbatim."""
    text = README.read_text(encoding="utf-8")
    for command in QUICK_START:
        assert f"```sh\n{command}\n```" in text


def test_the_banner_the_readme_shows_is_the_one_the_app_prints():
    from noc_app.app import wall_banner
    from noc_app.config.loader import load_builtin

    assert f"```\n{wall_banner(load_builtin('demo'), 1)}\n```" in README.read_text(encoding="utf-8")
