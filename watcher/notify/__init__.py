"""Telling people about edits: targets, messages and delivery (notifier), filters and alert rules (rules), digests and templates (digest), and hiding credentials in target URLs (redact)."""
