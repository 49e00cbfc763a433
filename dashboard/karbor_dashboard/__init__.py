"""Horizon panels for Karbor (Project > Data Protection)."""
