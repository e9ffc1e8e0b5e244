"""``bench/browser.py`` without a browser: the TOTP codes it computes, and when it sends a
second code. The page is a stand-in that answers like allauth's code form (a refused code
leaves it on the same address); the clock is arranged in data."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.browser import enter_code, totp

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 test key


def test_totp_gives_the_rfc_6238_test_vectors():
    # RFC 6238 appendix B, SHA-1 (eight digits there; apps show the last six).
    assert totp(SECRET, at=59, digits=8) == "94287082"
    assert totp(SECRET, at=1111111109, digits=8) == "07081804"
    assert totp(SECRET, at=59) == "287082"


@dataclass
class CodePage:
    """Accepts only the code of the window the clock is in when the form arrives."""

    clock: list[float]
    url: str = "http://127.0.0.1/accounts/2fa/authenticate/"
    typed: str = ""
    sent: list[str] = field(default_factory=list)
    travel: float = 0.0  # seconds between typing and the server reading the form

    def fill(self, selector: str, value: str) -> None:
        assert selector == "#id_code"
        self.typed = value

    def click(self, selector: str) -> None:
        self.clock[0] += self.travel
        self.sent.append(self.typed)
        if self.typed == totp(SECRET, at=self.clock[0]):
            self.url = "http://127.0.0.1/"


def test_a_code_is_sent_once_when_it_arrives_in_its_window():
    clock = [1000.0]
    page = CodePage(clock)
    enter_code(page, SECRET, clock=lambda: clock[0])
    assert page.sent == [totp(SECRET, at=1000.0)] and page.url == "http://127.0.0.1/"


def test_a_code_whose_window_ended_on_its_way_is_followed_by_the_new_windows_code():
    clock = [1019.9]  # 0.1 s before the window (990–1020) ends
    page = CodePage(clock, travel=0.3)
    enter_code(page, SECRET, clock=lambda: clock[0])
    assert page.sent == [totp(SECRET, at=1019.9), totp(SECRET, at=1020.2)]
    assert page.url == "http://127.0.0.1/"


def test_a_code_refused_within_its_own_window_is_not_sent_again():
    clock = [1000.0]
    page = CodePage(clock)
    enter_code(page, "JBSWY3DPEHPK3PXP", clock=lambda: clock[0])  # not the page's secret
    assert len(page.sent) == 1
    assert page.url.endswith("/accounts/2fa/authenticate/")
