"""Peerwork's URLs plus one bare view, for ``bench/latency.py`` only.

The latency benchmark sets ``ROOT_URLCONF`` to this module inside its own process, so the
bare view is never reachable on a server: it exists to measure what the middleware stack
alone costs (session, sign-in, the membership and its organisation scope, language),
beside each dashboard, in the same run.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from peerwork.urls import urlpatterns as peerwork_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *peerwork_urlpatterns]
