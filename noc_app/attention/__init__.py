"""Attention: what a wall does to draw eyes and ears to incidents (sound, notification, tray, flash, NEW marker).

The decisions are pure functions over the boards' incidents and an injected clock (no Qt, no audio):
incidents.py (which incidents, their priority, which are new), sound.py (which sound now, repeat, quiet hours,
mute), signals.py (desktop notification, border flash, tray counts).  The Qt side is widgets/attention_*.py.
"""
