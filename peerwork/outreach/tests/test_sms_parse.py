"""The SMS command parser and phone number normalising (``peerwork.outreach.sms``): pure,
no database."""

from __future__ import annotations

import pytest

from peerwork.outreach.sms import Action, Command, Refusal, parse, phone_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OUT 1234", Command(Action.OUT, "1234")),
        ("out 1234", Command(Action.OUT, "1234")),
        ("  Out    1234  ", Command(Action.OUT, "1234")),
        ("1234 OUT", Command(Action.OUT, "1234")),
        ("IN 123456", Command(Action.IN, "123456")),
        ("in 98765", Command(Action.IN, "98765")),
        ("EXT 30 1234", Command(Action.EXT, "1234", 30)),
        ("ext 1234 30", Command(Action.EXT, "1234", 30)),
        ("1234 ext 5", Command(Action.EXT, "1234", 5)),
        ("EXT 240 1234", Command(Action.EXT, "1234", 240)),
        ("HELP 1234", Command(Action.HELP, "1234")),
        ("help\n1234", Command(Action.HELP, "1234")),
        ("TOKA 1234", Command(Action.OUT, "1234")),
        ("rudi 1234", Command(Action.IN, "1234")),
        ("ongeza 30 1234", Command(Action.EXT, "1234", 30)),
        ("msaada 1234", Command(Action.HELP, "1234")),
        ("keluar 1234", Command(Action.OUT, "1234")),
        ("tolong 1234", Command(Action.HELP, "1234")),
        ("вернулся 1234", Command(Action.IN, "1234")),
        ("помощь 1234", Command(Action.HELP, "1234")),
        ("Допомога 1234", Command(Action.HELP, "1234")),
        ("продовжити 30 1234", Command(Action.EXT, "1234", 30)),
    ],
)
def test_it_reads_each_command_whatever_the_case_spacing_and_order(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("", Refusal.NOT_A_COMMAND),
        ("hello", Refusal.NOT_A_COMMAND),
        ("OUT IN 1234", Refusal.NOT_A_COMMAND),
        ("OUT please 1234", Refusal.NOT_A_COMMAND),
        ("OUT 30 1234", Refusal.NOT_A_COMMAND),
        ("OUT", Refusal.NO_PIN),
        ("OUT 1234 5678", Refusal.NO_PIN),
        ("IN 12", Refusal.NOT_A_COMMAND),
        ("HELP 1234567", Refusal.NOT_A_COMMAND),
        ("EXT 1234", Refusal.BAD_MINUTES),
        ("EXT 4 1234", Refusal.BAD_MINUTES),
        ("EXT 241 1234", Refusal.BAD_MINUTES),
        ("EXT 30 60 1234", Refusal.BAD_MINUTES),
        ("EXT 30", Refusal.NO_PIN),
        ("OUT " + "1" * 200, Refusal.NOT_A_COMMAND),
        ("OUT\x001234", Refusal.NOT_A_COMMAND),
    ],
)
def test_anything_else_is_refused_with_the_reason(text, refusal):
    assert parse(text) == refusal


def test_a_command_does_not_show_its_pin_when_printed():
    assert "1234" not in repr(parse("OUT 1234"))


@pytest.mark.parametrize(
    ("number", "digits"),
    [
        ("+254 700 000 001", "254700000001"),
        ("+254-700-000-001", "254700000001"),
        ("00254700000001", "254700000001"),
        ("254700000001", "254700000001"),
        ("(+380) 44 123 4567", "380441234567"),
        ("", ""),
        ("12", ""),
        ("+1234567890123456", ""),
        ("٠١٢٣٤٥٦٧٨٩", ""),
        (None, ""),
    ],
)
def test_phone_numbers_are_compared_as_e164_digits(number, digits):
    assert phone_digits(number) == digits
