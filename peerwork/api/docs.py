"""The API docs page: Swagger UI from django-ninja's own static files, for members only.

django-ninja renders ``ninja/swagger.html``, which loads its bundled ``swagger-ui`` files
through ``{% static %}`` (it uses the CDN template only when ``ninja`` is not in
INSTALLED_APPS). Swagger UI would still fetch a badge from validator.swagger.io for the
schema; ``validatorUrl: null`` turns that off, so the page asks no third-party host for
anything (a test reads the page and the files it loads).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from ninja.openapi.docs import Swagger
from ninja.openapi.views import openapi_json

SWAGGER = Swagger(settings={"validatorUrl": None, "persistAuthorization": False})


def members_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs page is for signed-in members (API.md); others sign in first.

    django-ninja applies its docs decorator to ``openapi.json`` as well; the schema stays
    open on purpose: it holds no one's data (the code is public anyway), and clients that
    hold only a token, and schema fuzzers, need to read it.
    """
    if isinstance(view, partial) and view.func is openapi_json:
        return view

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "member", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
