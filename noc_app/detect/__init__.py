"""Streaming anomaly detection (online scorer per series) and its scoring on the Numenta Anomaly Benchmark."""
