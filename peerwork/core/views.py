"""Placeholder views (to be replaced by the pages work)."""

from django.http import HttpRequest, HttpResponse, JsonResponse


def dashboard(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Peerwork")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"app": "ok"})


members = teams = invitations = inbox = tokens = dashboard
