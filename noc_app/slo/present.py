"""SLO figures as the text the panel and the CLI show (pure)."""

from __future__ import annotations

from noc_app.slo.budget import SloStatus, coverage_text, forecast_text


def percent(value: float, decimals: int = 3) -> str:
    return f"{value * 100:.{decimals}f} %"


def attainment_text(status: SloStatus) -> str:
    if status.coverage_s <= 0:
        return "no data"
    return "no traffic" if status.attainment is None else percent(status.attainment)


def budget_text(status: SloStatus) -> str:
    left = status.budget_remaining
    return f"{left * 100:.1f} % of budget left"


def budget_minutes_text(status: SloStatus) -> str:
    return f"{status.budget_remaining_min:.1f} of {status.budget_total_min:.1f} min"


def burn_text(status: SloStatus) -> str:
    if status.burn_rate is None:
        return "burn: no traffic in the last hour"
    return f"burn {status.burn_rate:.2f}x (last hour)"


def status_lines(status: SloStatus) -> list[str]:
    outcome = status
    return [
        f"attainment {attainment_text(outcome)} (target {outcome.target * 100:g} %)",
        budget_text(outcome),
        budget_minutes_text(outcome),
        burn_text(outcome),
        forecast_text(outcome),
        coverage_text(outcome),
    ]
