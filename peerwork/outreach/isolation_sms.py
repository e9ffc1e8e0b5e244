"""Isolation makers of the outreach module's sms routes (see isolation.py).

``number_id`` names an outreach SMS number; its owner is an org admin of the other
organisation (the settings page is the org admin's). Making a new secret and switching a
number off are POSTs naming the version read.

The gateways' webhook (``outreach:sms_inbound``) is not a member page: it is authenticated
by the gateway's signature (or key) under the number's secret, whoever is signed in, so the
walk's "every Harbourside member gets 404" cannot hold for it: a request signed for
Riverside's number is Riverside's gateway's, from wherever it comes. It belongs with the
capabilities in ``test_isolation.py``; its own tests (test_sms_inbound.py,
test_sms_isolation.py) show that an unsigned request changes nothing and that an unknown,
malformed or switched-off number is 404 for everyone.
"""

from __future__ import annotations

import secrets
from typing import cast

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role

from .models import SmsNumber

_made = {"n": 0}


def _number(other: Other) -> Made:
    _made["n"] += 1
    admin = other.member_with(Role.ORG_ADMIN)
    # Unique across organisations: each made number is its own.
    digits = f"25470{abs(hash(other.organisation.pk)) % 10000:04d}{_made['n']:03d}"
    number = SmsNumber(
        organisation=other.organisation,
        number=f"+{digits}",
        gateway=SmsNumber.Gateway.AFRICAS_TALKING,
        secret=secrets.token_urlsafe(32),
    )
    number.save()
    return Made(value=str(number.pk), owner=admin, obj=number)


def _versioned(made: Made) -> Body:
    number = cast(SmsNumber, made.obj)
    return Body(data={"version": number.version})


register_isolation_maker("number_id", _number)
register_isolation_request("POST outreach:sms_number_secret", _versioned)
register_isolation_request("POST outreach:sms_number_switch", _versioned)
