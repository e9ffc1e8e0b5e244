"""The readable access matrix, ``access_matrix.txt``, and its parser.

The table is the privacy model written out cell by cell (actor × data class × action); the
tests of ``access.py`` and of every later module's gates parse it here and walk its cells
with the people of the shared story, so the table, the code and the tests cannot drift
apart. The notation is explained at the top of the table itself.

A record section may declare actors of its own (``extra`` lines before its header): people
in a situation only that kind of record has, such as the grantee of a share that expired.
They have rows in that section only; the test of the module that owns the section arranges
their situation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .access import Action, DataClass
from .models import Role

MATRIX_PATH = Path(__file__).with_name("access_matrix.txt")

# One position per action, in the order of ``Action``: "LRCDE". A new action widens every
# cell, so a table that has not been brought up to date fails to parse.
ACTIONS: tuple[Action, ...] = tuple(Action)
LETTERS = "".join(action.value[0].upper() for action in ACTIONS)
DENY = "-"

ACTORS = "actors"
PERSON = "person"
ORGANISATION = "organisation"
RECORD_PREFIX = "record: "
EXTRA = "extra"
_KEY = re.compile(r"[a-z][a-z0-9-]*\Z")
_SECTION = re.compile(r"\[(?P<name>[^\]]+)\]\Z")
_NONE = "-"


class MatrixError(ValueError):
    """A malformed table; the message names the file and line."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Actor:
    """One row's actor, named by the attributes of the shared test story."""

    key: str
    person: str | None  # story attribute of the acting member; None: no membership
    subject: str | None  # story attribute of the person the data is about
    role: str | None  # the Role value the row exercises
    description: str


@dataclass(frozen=True)
class Cell:
    """One answer of the table: may ``actor`` do ``action`` to ``column`` in ``section``?"""

    section: str
    actor: str
    column: str
    action: Action
    allowed: bool

    @property
    def id(self) -> str:
        """A test id that names the cell: ``hr:personnel:read``."""
        return f"{self.actor}:{self.column}:{self.action.value}"


@dataclass(frozen=True)
class Section:
    name: str
    columns: tuple[str, ...]
    rows: Mapping[str, Mapping[str, frozenset[Action]]]
    line: int
    # Actors only this record section has (declared in it with ``extra``), by key.
    extras: Mapping[str, Actor] = field(default_factory=dict)

    def allowed(self, actor: str, column: str) -> frozenset[Action]:
        return self.rows[actor][column]

    def cells(self) -> list[Cell]:
        return [
            Cell(self.name, actor, column, action, action in row[column])
            for actor, row in self.rows.items()
            for column in self.columns
            for action in ACTIONS
        ]


@dataclass(frozen=True)
class Matrix:
    actors: Mapping[str, Actor]
    sections: Mapping[str, Section]

    def section(self, name: str) -> Section:
        try:
            return self.sections[name]
        except KeyError:
            raise KeyError(f"the access matrix has no [{name}] section") from None

    def records(self) -> list[Section]:
        """The sections later modules add for their record kinds."""
        return [s for s in self.sections.values() if s.name.startswith(RECORD_PREFIX)]

    def actors_of(self, name: str) -> dict[str, Actor]:
        """Every actor with a row in section ``name``: those of [actors] and its extras."""
        return {**self.actors, **self.section(name).extras}


def parse_cell(text: str) -> frozenset[Action]:
    """``LR---`` → {list, read}; raises ValueError naming the position at fault."""
    if len(text) != len(LETTERS):
        raise ValueError(
            f"cell {text!r} must have {len(LETTERS)} positions ({LETTERS}, '{DENY}' for deny)"
        )
    allowed = set()
    for position, (char, letter, action) in enumerate(zip(text, LETTERS, ACTIONS, strict=True)):
        if char == letter:
            allowed.add(action)
        elif char != DENY:
            raise ValueError(
                f"cell {text!r}: position {position + 1} is {action.value}, "
                f"so it must be {letter!r} or '{DENY}', not {char!r}"
            )
    return frozenset(allowed)


def _valid_section_name(name: str) -> bool:
    if name in (ACTORS, PERSON, ORGANISATION):
        return True
    return name.startswith(RECORD_PREFIX) and bool(_KEY.match(name[len(RECORD_PREFIX) :]))


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.actors: dict[str, Actor] = {}
        self.actors_line: int | None = None
        self.sections: dict[str, Section] = {}
        self.current: str | None = None
        self.current_line = 0
        self.columns: tuple[str, ...] | None = None
        self.rows: dict[str, dict[str, frozenset[Action]]] = {}
        self.extras: dict[str, Actor] = {}
        # Every extra actor declared so far, in any section: one key names one situation.
        self.all_extras: dict[str, Actor] = {}

    def error(self, message: str, line: int | None) -> MatrixError:
        return MatrixError(message, source=self.source, line=line)

    def feed(self, number: int, raw: str) -> None:
        text = raw.split("#", 1)[0].strip()
        if not text:
            return
        heading = _SECTION.match(text)
        if heading:
            self.start(heading["name"].strip(), number)
        elif self.current is None:
            raise self.error(f"{text!r} is outside any section; start one with [name]", number)
        elif self.current == ACTORS:
            self.actor(text, number)
        elif text.split(None, 1)[0] == EXTRA:
            self.extra_actor(text, number)
        elif self.columns is None:
            self.header(text, number)
        else:
            self.row(text, number)

    def start(self, name: str, number: int) -> None:
        self.finish()
        if not _valid_section_name(name):
            raise self.error(
                f"unknown section [{name}]: expected [{ACTORS}], [{PERSON}], "
                f"[{ORGANISATION}] or [{RECORD_PREFIX}<kind>] (kind in lower case with hyphens)",
                number,
            )
        if name in self.sections or (name == ACTORS and self.actors_line is not None):
            raise self.error(f"section [{name}] appears twice", number)
        if name != ACTORS and self.actors_line is None:
            raise self.error(f"[{ACTORS}] must come before [{name}]", number)
        self.current, self.current_line = name, number
        if name == ACTORS:
            self.actors_line = number

    def actor(self, text: str, number: int) -> None:
        actor = self.read_actor(text, number)
        if actor.key in self.actors:
            raise self.error(f"actor {actor.key!r} is declared twice", number)
        self.actors[actor.key] = actor

    def read_actor(self, text: str, number: int) -> Actor:
        fields = text.split(None, 4)
        if len(fields) < 5:
            raise self.error(
                "an actor line is: key person subject role description "
                f"('{_NONE}' for none), not {text!r}",
                number,
            )
        key, person, subject, role, description = fields
        if not _KEY.match(key):
            raise self.error(f"actor key {key!r} must be lower case with hyphens", number)
        if role != _NONE and role not in Role.values:
            raise self.error(
                f"actor {key!r}: unknown role {role!r} (one of {', '.join(Role.values)})", number
            )
        return Actor(
            key=key,
            person=None if person == _NONE else person,
            subject=None if subject == _NONE else subject,
            role=None if role == _NONE else role,
            description=description,
        )

    def extra_actor(self, text: str, number: int) -> None:
        """``extra key person subject role description``: an actor of this section only."""
        if not (self.current or "").startswith(RECORD_PREFIX):
            raise self.error(f"only [{RECORD_PREFIX}<kind>] sections declare extra actors", number)
        if self.columns is not None:
            raise self.error(
                f"[{self.current}]: declare extra actors before the header line", number
            )
        actor = self.read_actor(text.split(None, 1)[1] if " " in text else "", number)
        if actor.key in self.actors or actor.key in self.extras:
            raise self.error(f"actor {actor.key!r} is declared twice", number)
        elsewhere = self.all_extras.get(actor.key)
        if elsewhere is not None and elsewhere != actor:
            raise self.error(
                f"extra actor {actor.key!r} is declared differently in another section", number
            )
        self.extras[actor.key] = actor
        self.all_extras[actor.key] = actor

    def header(self, text: str, number: int) -> None:
        first, *columns = text.split()
        if first != "actor" or not columns:
            raise self.error(
                f"[{self.current}] must start with a header line 'actor <column> ...', "
                f"not {text!r}",
                number,
            )
        if len(set(columns)) != len(columns):
            raise self.error(f"[{self.current}] names a column twice: {text!r}", number)
        if self.current in (PERSON, ORGANISATION):
            unknown = [c for c in columns if c not in {d.value for d in DataClass}]
            if unknown:
                raise self.error(
                    f"[{self.current}] columns must be data classes "
                    f"({', '.join(DataClass)}), not {', '.join(unknown)}",
                    number,
                )
        self.columns = tuple(columns)

    def row(self, text: str, number: int) -> None:
        assert self.columns is not None  # noqa: S101 (header() ran first)
        key, *cells = text.split()
        if key not in self.actors and key not in self.extras:
            raise self.error(
                f"unknown actor {key!r} in [{self.current}]; declare it in [{ACTORS}] first",
                number,
            )
        if key in self.rows:
            raise self.error(f"actor {key!r} has two rows in [{self.current}]", number)
        if len(cells) != len(self.columns):
            raise self.error(
                f"actor {key!r} has {len(cells)} cells, [{self.current}] has "
                f"{len(self.columns)} columns ({' '.join(self.columns)})",
                number,
            )
        try:
            self.rows[key] = {
                column: parse_cell(cell) for column, cell in zip(self.columns, cells, strict=True)
            }
        except ValueError as exc:
            raise self.error(f"actor {key!r}: {exc}", number) from None

    def finish(self) -> None:
        """Close the section being read."""
        name = self.current
        if name is None:
            return
        if name == ACTORS:
            if not self.actors:
                raise self.error(f"[{ACTORS}] declares no actors", self.current_line)
        else:
            if self.columns is None or not self.rows:
                raise self.error(f"[{name}] has no rows", self.current_line)
            missing = [key for key in self.extras if key not in self.rows]
            if missing:
                raise self.error(
                    f"[{name}] declares extra actors without rows: {', '.join(missing)}",
                    self.current_line,
                )
            self.sections[name] = Section(
                name, self.columns, self.rows, self.current_line, self.extras
            )
        self.current, self.columns, self.rows, self.extras = None, None, {}, {}

    def result(self) -> Matrix:
        self.finish()
        if self.actors_line is None:
            raise self.error(f"no [{ACTORS}] section", None)
        return Matrix(actors=self.actors, sections=self.sections)


def parse(text: str, *, source: str = "<access matrix>") -> Matrix:
    """Parse the table's text; raise ``MatrixError`` naming the line of any mistake."""
    parser = _Parser(source)
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.feed(number, raw)
    return parser.result()


def load(path: Path = MATRIX_PATH) -> Matrix:
    """The project's table (or another file in the same notation)."""
    return parse(path.read_text(encoding="utf-8"), source=path.name)
