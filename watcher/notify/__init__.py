"""Telling people about edits: targets, filters, messages and delivery (notifier), digests and templates (digest), and hiding credentials in target URLs (redact)."""
