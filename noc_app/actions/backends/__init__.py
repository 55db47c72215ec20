"""One module per incident system; each offers `perform(request) -> ActionOutcome` (see execute.ActionBackend)."""
