"""The mode table and the action policy, as pure-function tables."""

from __future__ import annotations

import pytest

from noc_app.actions.errors import NotPermitted
from noc_app.actions.model import ActionKind, Role
from noc_app.actions.policy import PolicyContext, allowed_actions, decide, require
from noc_app.config.schema import Mode
from noc_app.model import AlertState
from noc_app.modes import MODE_CAPABILITIES, capabilities

ACK, UNACK, NOTE = ActionKind.ACK, ActionKind.UNACK, ActionKind.NOTE


def test_every_mode_has_a_row():
    assert set(MODE_CAPABILITIES) == set(Mode)


@pytest.mark.parametrize(
    ("mode", "act", "navigate", "pause", "pointer", "cursor", "menus", "quit", "close"),
    [
        (Mode.WALL, False, False, True, False, True, False, True, True),
        (Mode.OPERATOR, True, True, True, True, True, True, True, True),
        (Mode.KIOSK, False, False, False, False, False, False, True, False),
    ],
)
def test_mode_table(mode, act, navigate, pause, pointer, cursor, menus, quit, close):
    caps = capabilities(mode)
    assert (caps.act, caps.navigate, caps.pause_rotation, caps.pointer_input, caps.cursor,
            caps.context_menus, caps.quit, caps.window_close) == (
        act, navigate, pause, pointer, cursor, menus, quit, close)


def ctx(**overrides: object) -> PolicyContext:
    fields: dict[str, object] = {
        "mode": Mode.OPERATOR, "role": Role.OPERATOR, "operator": "alice",
        "read_only": False, "state": AlertState.FIRING, "acknowledged_by": "",
    }
    fields.update(overrides)
    return PolicyContext(**fields)  # type: ignore[arg-type]


# (context overrides, kind, allowed, reason fragment)
POLICY_TABLE = [
    ({}, ACK, True, ""),
    ({}, UNACK, False, "not acknowledged"),
    ({}, NOTE, True, ""),
    ({"mode": Mode.WALL}, ACK, False, "wall mode has no actions"),
    ({"mode": Mode.WALL}, NOTE, False, "wall mode has no actions"),
    ({"mode": Mode.KIOSK}, ACK, False, "kiosk mode has no actions"),
    ({"role": Role.VIEWER}, ACK, False, "viewers"),
    ({"role": Role.VIEWER}, NOTE, False, "viewers"),
    ({"read_only": True}, ACK, False, "read-only"),
    ({"read_only": True, "state": AlertState.ACKNOWLEDGED, "acknowledged_by": "alice"}, UNACK, False, "read-only"),
    ({"read_only": True}, NOTE, True, ""),
    ({"state": AlertState.RESOLVED}, ACK, False, "resolved"),
    ({"state": AlertState.RESOLVED}, NOTE, True, ""),
    ({"state": AlertState.SILENCED}, ACK, True, ""),
    ({"state": AlertState.INHIBITED}, ACK, True, ""),
    ({"state": AlertState.ACKNOWLEDGED, "acknowledged_by": "bob"}, ACK, False, "already acknowledged by bob"),
    ({"state": AlertState.ACKNOWLEDGED}, ACK, False, "already acknowledged"),
    ({"state": AlertState.ACKNOWLEDGED, "acknowledged_by": "alice"}, UNACK, True, ""),
    ({"state": AlertState.ACKNOWLEDGED, "acknowledged_by": "bob"}, UNACK, False, "only they or a lead"),
    ({"state": AlertState.ACKNOWLEDGED, "acknowledged_by": "bob", "role": Role.LEAD}, UNACK, True, ""),
    ({"state": AlertState.ACKNOWLEDGED}, UNACK, True, ""),  # acked, author unknown: anyone may take it back
]


@pytest.mark.parametrize(("overrides", "kind", "allowed", "reason"), POLICY_TABLE)
def test_policy_table(overrides, kind, allowed, reason):
    verdict = decide(kind, ctx(**overrides))
    assert verdict.allowed is allowed
    assert verdict.kind is kind
    if allowed:
        assert verdict.reason == ""
    else:
        assert reason in verdict.reason


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", list(AlertState))
@pytest.mark.parametrize("read_only", [False, True])
def test_nothing_is_allowed_where_the_mode_cannot_act_or_the_role_is_viewer(mode, role, state, read_only):
    verdicts = allowed_actions(ctx(mode=mode, role=role, state=state, read_only=read_only))
    assert [v.kind for v in verdicts] == list(ActionKind)
    if not capabilities(mode).act or role is Role.VIEWER:
        assert not any(v.allowed for v in verdicts)
    if read_only:
        assert not any(v.allowed for v in verdicts if v.kind is not NOTE)
    assert all(v.reason for v in verdicts if not v.allowed)


def test_require_raises_not_permitted_with_the_reason():
    require(ACK, ctx())
    with pytest.raises(NotPermitted, match="ack: kiosk mode has no actions"):
        require(ACK, ctx(mode=Mode.KIOSK))
