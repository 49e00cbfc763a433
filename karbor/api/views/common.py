"""Formatting shared by the response builders."""


def iso(value):
    return value.isoformat() if value else None
