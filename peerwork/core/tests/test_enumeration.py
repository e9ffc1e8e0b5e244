"""Nothing tells whether an account or an email exists: not the sign-in form's answer, nor
its time (the same password hashing either way), nor the password reset, nor an invitation
link."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django_tasks_db.models import DBTaskResult

from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.tests.signing_in import PASSWORD, sign_in

RESET = "/accounts/password/reset/"


pytestmark = pytest.mark.usefixtures("fresh_limits")


def alert(html: str) -> str:
    """The form's error, as the person reads it."""
    found = re.search(r'<div class="notice error" role="alert">(.*?)</div>', html, re.S)
    assert found, "no error shown"
    return found.group(1)


def without_typed_values(html: str) -> str:
    return re.sub(r'(value|href|action)="[^"]*"', "", html)


# --- signing in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unknown", "known"),
    [("nobody", "amina"), ("nobody@example.org", "amina@example.org")],
)
def test_an_unknown_account_and_a_wrong_password_get_the_same_answer(client, story, unknown, known):
    answers = [sign_in(client, login, "not the password") for login in (unknown, known)]
    pages = [assert_sound_page(answer) for answer in answers]
    assert answers[0].status_code == answers[1].status_code == 200
    assert alert(pages[0]) == alert(pages[1])
    assert "not correct" in alert(pages[0])
    assert without_typed_values(pages[0]) == without_typed_values(pages[1])


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting every hash it computes (the time a sign-in takes is
    the hashing it does). Checking a password hashes it too: ``verify`` calls ``encode``,
    as Django's real hashers do."""

    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        self.calls.append("hash")
        return super().encode(password, salt)


def hashes_for(client: Any, login: str) -> int:
    CountingHasher.calls.clear()
    response = sign_in(client, login, "not the password")
    assert response.status_code == 200
    return len(CountingHasher.calls)


def test_an_unknown_account_costs_as_much_password_hashing_as_a_known_one(client, story, settings):
    """Django's ModelBackend hashes once for an unknown username and allauth's backend
    hashes once for an unknown account (``_mitigate_timing_attack``), so every path does
    the same work, by username or by email."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    counts = {
        login: hashes_for(client, login)
        for login in ("nobody", "amina", "nobody@example.org", "amina@example.org", "AMINA")
    }
    assert min(counts.values()) >= 1
    assert len(set(counts.values())) == 1, counts


# --- password reset -------------------------------------------------------------------


def reset(client: Any, email: str, capture: Any) -> Any:
    with capture(execute=True):
        response = client.post(RESET, {"email": email})
    return response


def test_a_reset_for_an_unknown_email_answers_like_one_for_a_known_email(
    client, story, django_capture_on_commit_callbacks
):
    answers = [
        reset(client, email, django_capture_on_commit_callbacks)
        for email in ("nobody@example.org", "amina@example.org")
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == "/accounts/password/reset/done/"
    # The same work in the request: one task each, sent later by the worker.
    tasks = list(
        DBTaskResult.objects.filter(task_path="peerwork.core.accounts.send_password_reset")
    )
    assert len(tasks) == 2
    assert mail.outbox == []
    arguments = sorted(len(t.args_kwargs["kwargs"]["user_ids"]) for t in tasks)
    assert arguments == [0, 1]  # ids only: nobody's email is in the queue


def test_only_the_account_gets_an_email_and_its_link_sets_a_new_password(
    client, story, django_capture_on_commit_callbacks
):
    for email in ("nobody@example.org", "amina@example.org"):
        reset(client, email, django_capture_on_commit_callbacks)
    for result in DBTaskResult.objects.all():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])

    assert [message.to for message in mail.outbox] == [["amina@example.org"]]
    body = mail.outbox[0].body
    assert "amina" in body and "Harbourside" not in mail.outbox[0].subject
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(1)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()
    new = "a brand new harbour password"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    client.logout()
    assert sign_in(client, "amina", new)["Location"] == "/"
    assert client.get(path, follow=True).content.decode().count('name="password1"') == 0


def test_a_reset_link_gone_bad_says_so_in_the_same_words_for_any_account(client, story):
    pages = [
        client.get(f"/accounts/password/reset/key/{uid}-set-password/", follow=True)
        for uid in ("1", "zzzz")
    ]
    assert pages[0].status_code == pages[1].status_code == 200
    assert without_typed_values(pages[0].content.decode()) == without_typed_values(
        pages[1].content.decode()
    )


# --- invitation links -----------------------------------------------------------------


def test_an_unusable_invitation_link_answers_alike_whatever_the_username(client, story):
    """The join form says a username is taken only behind a working invitation (its
    holder must choose a free one); a forged or used link answers before reading it.
    Whether the invited email has an account already: test_join.py (the page is the same)."""
    answers = [
        client.post("/join/forged-token", {"username": name, "password1": PASSWORD})
        for name in ("amina", "someone-new")
    ]
    assert answers[0].status_code == answers[1].status_code == 404
    assert without_typed_values(answers[0].content.decode()) == without_typed_values(
        answers[1].content.decode()
    )
