"""The ``Permissions-Policy`` header, which Django's security middleware does not send.

The rest of the security headers come from Django (``SecurityMiddleware``: HSTS in
production, ``nosniff``, ``Referrer-Policy``, ``Cross-Origin-Opener-Policy``;
``XFrameOptionsMiddleware``) and from django-csp (``Content-Security-Policy``), configured
in ``peerwork.settings``.

No page of Peerwork uses a camera, a microphone, the person's location, payment or any
device, so the browser is told to refuse them to every page and frame: a script smuggled
in could not, say, read where an outreach worker is. Security keys for two-step sign-in
(``publickey-credentials-get`` and ``-create``) keep the browser's default, this origin
only. A module that needs a feature later (a location shared on an outreach check-in)
must lift it here, for ``self`` only, and say why in ``docs/decisions.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` with every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
