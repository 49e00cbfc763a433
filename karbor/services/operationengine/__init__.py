"""The operation engine: time triggers and the scheduled operations that
run on them (protect, retention_protect, verify)."""
