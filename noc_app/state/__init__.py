"""The state database: action outbox/journal and append-only audit, as plain records.

Nothing here imports the actions layer: rows hold JSON payloads that
`noc_app.actions.model` knows how to read.
"""
