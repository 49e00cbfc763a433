"""Helpers shared by the v1 controllers."""

import pecan


def context():
    return pecan.request.context


def accepted():
    """Mark the response 202: the work goes on in the protection service."""
    pecan.response.status = 202
