"""Bundled example and demo configs (package data)."""
