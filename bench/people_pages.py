"""The people module's pages the benchmarks measure (issue 4, "My information, my choice"),
in the order a person meets them: one list for ``page_weight.py`` and ``latency.py``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeoplePage:
    """A page a person opens about themselves, or (``as_hr``) HR opens about them."""

    name: str
    path: str  # "{person}" stands for the person's membership id

    as_hr: bool = False

    def path_for(self, person_id: object) -> str:
        return self.path.format(person=person_id)


PEOPLE_PAGES = (
    PeoplePage("my information", "/me"),
    PeoplePage("a category: OST", "/me/ost"),
    PeoplePage("my shares", "/me/shares"),
    PeoplePage("new share", "/me/shares/new"),
    PeoplePage("shared with me", "/shared"),
    PeoplePage("who saw my data", "/me/reads"),
    PeoplePage("staff record, as HR", "/records/{person}", as_hr=True),
    PeoplePage("my availability", "/me/availability"),
    PeoplePage("export", "/me/export"),
)
