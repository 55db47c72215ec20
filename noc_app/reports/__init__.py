"""Reports: SLA compliance, incident timing (pure), and the documents built from them (PDF, CSV, HTML)."""
