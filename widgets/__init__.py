"""Qt views of the wall: panel frames and bodies, dashboards, the wall window.

Widgets only render: every data-state decision comes from `noc_app.selectors`,
every colour from the Theme, every text size from `widgets.scale`.
"""
