"""Import of the registry from Excel: validate every row, then write all of it or nothing.

The rules checked are those of the models' `clean()` and constraints (Organ, PartyOrganization,
Person, Post), applied with set lookups per chunk of rows instead of a query per row, so that a file
of 10,000 people is checked and written in seconds. Creating only: a row for a record that already
exists is reported as a duplicate, never merged.

Memory stays bounded for a file of 100,000 people (bench/import_people.py): rows are read and checked
one chunk at a time, only the keys that later rows are checked against stay in memory (ID numbers,
periods of posts), and the checked people and posts wait in a temporary file (`Spool`) until every row
has passed; then they are written chunk by chunk inside one transaction, so that all-or-nothing holds.
Organs and party organizations (a few thousand rows at most) are kept in memory: their parents may come
later in the file.
"""

import datetime
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.audit import audit_record
from dangjian.core.services import require_perm
from dangjian.core.validators import id_number_birth_date, id_number_gender
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.organizations.scoping import sees_all_organs, user_can_reach_organ
from dangjian.organizations.services import id_number_not_registrable_message
from dangjian.organizations.spreadsheets.layout import (
    GENDERS,
    ORGAN_SHEET,
    PARTY_ORG_SHEET,
    PARTY_ORG_TYPES,
    PEOPLE_SHEET,
    POST_SHEET,
    Kind,
    Sheet,
    get_kind,
)
from dangjian.organizations.spreadsheets.reading import (
    Problems,
    RowError,
    SheetRows,
    error_order,
    file_error,
    max_reported_errors,
    no_data_rows,
    open_workbook,
    parse_rows,
)

COUNT_LABELS = {
    "organs": gettext_lazy("Organs"),
    "party_organizations": gettext_lazy("Party organizations"),
    "people": gettext_lazy("People"),
    "posts": gettext_lazy("Posts"),
}
CHUNK = 900  # keeps IN (...) lists within every database's parameter limit


@dataclass
class ImportResult:
    """What an import did: counts of created records, or the errors (and then nothing was written).

    `errors` lists the first settings.IMPORT_MAX_REPORTED_ERRORS problems in workbook order; `error_count`
    is how many there were in all.
    """

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def omitted(self) -> int:
        """Problems found but not listed in `errors`."""
        return max(0, self.error_count - len(self.errors))

    def fail(self, problems: Problems) -> "ImportResult":
        self.errors, self.error_count = problems.first(), problems.count
        return self

    @property
    def summary(self) -> list[tuple[str, int]]:
        return [(str(COUNT_LABELS[key]), count) for key, count in self.counts.items()]

    def as_dict(self) -> dict:
        """The result as JSON data (a background job keeps it; the API returns it)."""
        return {"kind": self.kind, "counts": self.counts, "errors": [error.as_dict() for error in self.errors],
                "error_count": self.error_count, "omitted": self.omitted}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        return cls(kind=data["kind"], counts=data.get("counts") or {},
                   errors=[RowError(**error) for error in data.get("errors") or []],
                   error_count=data.get("error_count", 0))


def chunked(values: Iterable, size: int | None = None) -> Iterator[list]:
    """`values` in lists of `size` (default CHUNK), read lazily: an iterator is never all in memory."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size or CHUNK)):
        yield chunk


class Spool:
    """Checked records waiting for the write, in temporary files (one per name), a chunk at a time.

    A file of 100,000 people would otherwise hold 200,000 records in memory until every row is checked.
    """

    def __init__(self):
        self._files: dict[str, tempfile.SpooledTemporaryFile] = {}

    def add(self, name: str, records: list[tuple]) -> None:
        if records:
            if name not in self._files:
                self._files[name] = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (close())
            pickle.dump(records, self._files[name], protocol=pickle.HIGHEST_PROTOCOL)

    def read(self, name: str) -> Iterator[list[tuple]]:
        spool = self._files.get(name)
        if spool is None:
            return
        spool.seek(0)
        while True:
            try:
                yield pickle.load(spool)  # our own temporary file, written just above
            except EOFError:
                return

    def close(self) -> None:
        for spool in self._files.values():
            spool.close()


def overlaps(a_start: datetime.date, a_end: datetime.date | None, b_start: datetime.date,
             b_end: datetime.date | None) -> bool:
    """Whether two periods meet; an open end means the post is still held (as Post.unscoped.overlapping)."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def cycle_members(parents: dict) -> set:
    """Keys that are their own ancestor when following `parents` (key -> parent key within the file)."""
    in_cycle, state = set(), {}
    for start in parents:
        path, node = [], start
        while node in parents and node not in state:
            state[node] = "visiting"
            path.append(node)
            node = parents[node]
        if state.get(node) == "visiting":
            in_cycle.update(path[path.index(node):])
        for visited in path:
            state[visited] = "done"
    return in_cycle


class Progress:
    """Calls `callback(done, total)` every settings.IMPORT_PROGRESS_EVERY rows, and once at the end.

    `total` is the row count the scan of the sheets found (blank rows included), so the last call says
    done of done.
    """

    def __init__(self, callback: Callable[[int, int], None] | None, total: int):
        self.callback, self.total, self.done = callback, total, 0
        self.every = max(1, int(getattr(settings, "IMPORT_PROGRESS_EVERY", 1000)))

    def __call__(self) -> None:
        self.done += 1
        if self.callback is not None and self.done % self.every == 0:
            self.callback(self.done, max(self.total, self.done))

    def finish(self) -> None:
        if self.callback is not None and (self.done % self.every or self.done < self.total):
            self.callback(self.done, self.done)


class Importer:
    """Validates the parsed rows of one kind (collecting errors) and writes them in bulk."""

    def __init__(self, *, user, errors: Problems, tick: Progress, spool: Spool):
        self.user, self.errors, self.tick, self.spool = user, errors, tick, spool
        self.organ_ids: dict[str, int] = dict(Organ.unscoped.values_list("code", "pk"))

    def error(self, sheet: Sheet, row: int, key: str, message: str) -> None:
        header = next(column.header for column in sheet.columns if column.key == key)
        self.errors.append(RowError(sheet.name, row, header, message))

    def organ(self, sheet: Sheet, row: int, key: str, code: str) -> int | None:
        """The pk of the organ with `code`, if it exists and the user may import data for it."""
        pk = self.organ_ids.get(code)
        if pk is None:
            self.error(sheet, row, key, _("No organ with the code “%(code)s” is registered.") % {"code": code})
            return None
        if not user_can_reach_organ(self.user, pk):
            self.error(sheet, row, key, _(
                "You may import data only for your own organs; “%(code)s” is not one of them."
            ) % {"code": code})
            return None
        return pk

    def validate(self, sheets: list[SheetRows]):
        raise NotImplementedError

    def write(self, plan) -> dict[str, int]:
        raise NotImplementedError


def _bulk_create_levels(model, records: dict, parent_of: Callable, build: Callable, known: dict) -> int:
    """Create `records` (key -> record) parents first: each level's primary keys feed the next.

    `parent_of(record)` is the parent key or None; `known` maps keys already in the database to pks
    and receives the new ones; `build(record, parent_pk)` makes the unsaved instance.
    """
    pending, created = dict(records), 0
    while pending:
        level = {key: record for key, record in pending.items()
                 if parent_of(record) is None or parent_of(record) in known}
        if not level:  # cycles are refused before writing; this is a safety net
            raise RuntimeError("circular parents in an import")
        instances = [build(record, known.get(parent_of(record))) for record in level.values()]
        model.objects.bulk_create(instances)
        for key, instance in zip(level, instances, strict=True):
            known[key] = instance.pk
            del pending[key]
        created += len(instances)
    return created


# Organs (单位) -------------------------------------------------------------------------------------

class OrganImporter(Importer):
    sheet = ORGAN_SHEET

    def validate(self, sheets):
        sheet = self.sheet
        rows = list(parse_rows(sheets[0], self.errors, self.tick))
        existing_names = set(Organ.unscoped.values_list("name_zh", flat=True))
        codes: dict[str, int] = {}
        names: dict[str, int] = {}
        records: dict[str, dict] = {}
        for row, record, _bad in rows:
            code, name = record["code"], record["name_zh"]
            if code:
                if code in self.organ_ids:
                    self.error(sheet, row, "code", _(
                        "An organ with the code “%(code)s” is already registered; the import only creates new "
                        "records."
                    ) % {"code": code})
                elif code in codes:
                    self.error(sheet, row, "code", _("The code “%(code)s” already appears in row %(row)d.")
                               % {"code": code, "row": codes[code]})
                else:
                    codes[code] = row
                    records[code] = record | {"_row": row}
            if name:
                if name in existing_names:
                    self.error(sheet, row, "name_zh", _("An organ named “%(name)s” is already registered.")
                               % {"name": name})
                elif name in names:
                    self.error(sheet, row, "name_zh", _("The name “%(name)s” already appears in row %(row)d.")
                               % {"name": name, "row": names[name]})
                else:
                    names[name] = row
        for row, record, _bad in rows:
            parent = record["parent"]
            if not parent:
                continue
            if parent == record["code"]:
                self.error(sheet, row, "parent", _("An organ cannot be its own parent."))
            elif parent not in codes and parent not in self.organ_ids:
                self.error(sheet, row, "parent", _(
                    "No organ with the code “%(code)s” in this file or in the registry."
                ) % {"code": parent})
        file_parents = {code: r["parent"] for code, r in records.items() if r["parent"] in records}
        for code in cycle_members(file_parents):
            self.error(sheet, records[code]["_row"], "parent", _("The parent organs in this file form a circle."))
        return records

    def write(self, records):
        def build(record, parent_pk):
            return Organ(code=record["code"], name_zh=record["name_zh"], name_en=record["name_en"],
                         sector=record["sector"], parent_id=parent_pk)

        known = dict(self.organ_ids)
        count = _bulk_create_levels(
            Organ, records, parent_of=lambda r: r["parent"] or None, build=build, known=known,
        )
        return {"organs": count}


# Party organizations (党组织) ------------------------------------------------------------------------

class PartyOrganizationImporter(Importer):
    sheet = PARTY_ORG_SHEET

    def validate(self, sheets):
        sheet = self.sheet
        rows = list(parse_rows(sheets[0], self.errors, self.tick))
        for row, record, _bad in rows:
            record["organ_id"] = self.organ(sheet, row, "organ", record["organ"]) if record["organ"] else None
            record["parent_organ_id"] = record["organ_id"]
            if record["parent_organ"]:
                record["parent_organ_id"] = self.organ(sheet, row, "parent_organ", record["parent_organ"])
                if not record["parent"]:
                    self.error(sheet, row, "parent", _(
                        "Give the name of the parent party organization, or leave “%(column)s” empty."
                    ) % {"column": "上级党组织所在单位代码"})
            if record["term_years"] is not None and not 1 <= record["term_years"] <= 99:
                self.error(sheet, row, "term_years", _("A term lasts from 1 to 99 years."))
            if record["member_count"] is not None and record["member_count"] > 10**7:
                self.error(sheet, row, "member_count", _("This number of members is not plausible."))
        organ_ids = {r["organ_id"] for _row, r, _bad in rows} | {r["parent_organ_id"] for _row, r, _bad in rows}
        organ_ids.discard(None)
        existing: dict[tuple[int, str], tuple[int, str]] = {}
        for ids in chunked(organ_ids):
            for pk, organ_id, name, org_type in PartyOrganization.unscoped.filter(organ_id__in=ids).values_list(
                "pk", "organ_id", "name", "org_type"
            ):
                existing[(organ_id, name)] = (pk, org_type)
        records: dict[tuple[int, str], dict] = {}
        for row, record, _bad in rows:
            if record["organ_id"] is None or not record["name"]:
                continue
            key = (record["organ_id"], record["name"])
            if key in existing:
                self.error(sheet, row, "name", _(
                    "“%(name)s” is already registered in this organ; the import only creates new records."
                ) % {"name": record["name"]})
            elif key in records:
                self.error(sheet, row, "name", _("“%(name)s” of this organ already appears in row %(row)d.")
                           % {"name": record["name"], "row": records[key]["_row"]})
            else:
                record["_row"] = row
                records[key] = record
        for row, record, _bad in rows:
            self._check_parent(row, record, records, existing)
        file_parents = {key: r["_parent_key"] for key, r in records.items() if r.get("_parent_key") in records}
        for key in cycle_members(file_parents):
            self.error(sheet, records[key]["_row"], "parent",
                       _("The parent party organizations in this file form a circle."))
        self.existing = {key: pk for key, (pk, _type) in existing.items()}
        return records

    def _check_parent(self, row, record, records, existing) -> None:
        sheet = self.sheet
        if not record["parent"] or record["parent_organ_id"] is None:
            return
        parent_key = (record["parent_organ_id"], record["parent"])
        record["_parent_key"] = parent_key
        if parent_key == (record["organ_id"], record["name"]):
            self.error(sheet, row, "parent", _("A party organization cannot be its own parent."))
            return
        if parent_key in records:
            parent_type = records[parent_key]["org_type"]
        elif parent_key in existing:
            parent_type = existing[parent_key][1]
        else:
            self.error(sheet, row, "parent", _(
                "No party organization named “%(name)s” in this organ, in this file or in the registry."
            ) % {"name": record["parent"]})
            return
        child_type = record["org_type"]
        if child_type and parent_type not in PartyOrganization.ALLOWED_PARENTS[child_type]:
            self.error(sheet, row, "parent", _("A %(child)s cannot sit under a %(parent)s.") % {
                "child": PARTY_ORG_TYPES.label(child_type), "parent": PARTY_ORG_TYPES.label(parent_type),
            })
        elif (record["organ_id"] is not None and record["parent_organ_id"] != record["organ_id"]
              and child_type != PartyOrganization.Type.TEMPORARY_BRANCH):
            self.error(sheet, row, "parent_organ", _("The parent organization belongs to another organ."))

    def write(self, records):
        def build(record, parent_pk):
            return PartyOrganization(
                organ_id=record["organ_id"], name=record["name"], org_type=record["org_type"], parent_id=parent_pk,
                founded_on=record["founded_on"], term_started_on=record["term_started_on"],
                term_years=record["term_years"], member_count=record["member_count"] or 0,
            )

        known = dict(self.existing)
        count = _bulk_create_levels(
            PartyOrganization, records, parent_of=lambda r: r.get("_parent_key"), build=build, known=known,
        )
        return {"party_organizations": count}


# People (人员) and posts (任职) ------------------------------------------------------------------------

PERSON_FIELDS = ("name", "gender", "birth_date", "ethnicity", "party_joined_on", "id_number", "mobile", "education",
                 "position", "rank_level", "organ_id")
POST_FIELDS = ("id_number", "party_organization_id", "role", "portfolio", "started_on", "ended_on", "method",
               "approval_reference")


class PeopleImporter(Importer):
    """People first (the 人员 sheet), then their posts (任职), each sheet a chunk of rows at a time.

    What later rows are checked against stays in memory: the ID numbers of the file's people (with their
    row and name), the people and party organizations already looked up, and the periods of the posts
    (the same post held twice, two secretaries at once). The checked records go to the spool.
    """

    def validate(self, sheets):
        by_sheet = {rows.sheet.name: rows for rows in sheets}
        self.in_file: dict[str, tuple[int, str]] = {}  # ID number -> (row, name) on the 人员 sheet
        for chunk in chunked(parse_rows(by_sheet[PEOPLE_SHEET.name], self.errors, self.tick)):
            self._people_chunk(chunk)
        self.registered: dict[str, tuple[int, str]] = {}  # ID number -> (pk, name) of visible registered people
        self.party_orgs: dict[tuple[int, str], int] = {}  # (organ, name) -> pk
        self.organs_loaded: set[int] = set()
        # (ID number, party organization, role) -> [(start, end, row in the file or None)]
        self.held: dict[tuple, list] = defaultdict(list)
        self.people_loaded: set[int] = set()
        # party organization -> [(start, end, row in the file, or (name, person, start) of a registered post)]
        self.secretaries: dict[int, list] = defaultdict(list)
        for chunk in chunked(parse_rows(by_sheet[POST_SHEET.name], self.errors, self.tick)):
            self._posts_chunk(chunk)

    def _people_chunk(self, rows) -> None:
        sheet = PEOPLE_SHEET
        ids = {record["id_number"] for _row, record, _bad in rows if record["id_number"]}
        registered = set(Person.unscoped.filter(id_number__in=ids).values_list("id_number", flat=True))
        for row, record, bad in rows:
            id_number = record["id_number"]
            record["organ_id"] = self.organ(sheet, row, "organ", record["organ"]) if record["organ"] else None
            if id_number:
                if id_number in registered:
                    self.error(sheet, row, "id_number", _(
                        "A person with this ID number is already registered; the import only creates new records."
                    ) if sees_all_organs(self.user) else id_number_not_registrable_message())  # docs/security.md
                elif id_number in self.in_file:
                    self.error(sheet, row, "id_number", _("This ID number already appears in row %(row)d.")
                               % {"row": self.in_file[id_number][0]})
                else:
                    self.in_file[id_number] = (row, record["name"])
                self._check_identity(row, record, bad)
        if not self.errors:  # once a row has failed nothing is written: spooling more is wasted
            self.spool.add("people", [tuple(record[key] for key in PERSON_FIELDS) for _row, record, _bad in rows])

    def _check_identity(self, row, record, bad) -> None:
        """The person's birth date and gender are the ones written in the ID number (Person.clean)."""
        sheet, id_number = PEOPLE_SHEET, record["id_number"]
        birth = id_number_birth_date(id_number)
        if "birth_date" not in bad:
            given = record["birth_date"]
            if given is None:
                record["birth_date"] = birth
            elif "birth_date" in record["_month_only"] and (given.year, given.month) == (birth.year, birth.month):
                record["birth_date"] = birth  # 出生年月 of a cadre table: the day comes from the ID number
            elif given != birth:
                self.error(sheet, row, "birth_date", _("The birth date does not match the ID number (%(date)s).")
                           % {"date": birth})
        if "gender" not in bad:
            gender = id_number_gender(id_number)
            if not record["gender"]:
                record["gender"] = gender
            elif record["gender"] != gender:
                self.error(sheet, row, "gender", _("The gender does not match the ID number (%(gender)s).")
                           % {"gender": GENDERS.label(gender)})
        joined = record["party_joined_on"]
        if joined and record["birth_date"] and joined <= record["birth_date"]:
            self.error(sheet, row, "party_joined_on", _("The party membership date must be after the birth date."))

    def _look_up(self, rows) -> None:
        """Load the registered people and the party organizations that this chunk's posts name, once each."""
        ids = {record["id_number"] for _row, record, _bad in rows if record["id_number"]
               and record["id_number"] not in self.in_file and record["id_number"] not in self.registered}
        for pk, id_number, name in Person.objects.visible_to(self.user).filter(id_number__in=ids).values_list(
            "pk", "id_number", "name"
        ):
            self.registered[id_number] = (pk, name)
        organ_ids = {record["organ_id"] for _row, record, _bad in rows} - self.organs_loaded - {None}
        for pk, organ_id, name in PartyOrganization.unscoped.filter(organ_id__in=organ_ids).values_list(
            "pk", "organ_id", "name"
        ):
            self.party_orgs[(organ_id, name)] = pk
        self.organs_loaded |= organ_ids

    def _posts_chunk(self, rows) -> None:
        sheet = POST_SHEET
        for row, record, _bad in rows:
            record["organ_id"] = self.organ(sheet, row, "organ", record["organ"]) if record["organ"] else None
        self._look_up(rows)
        posts = []
        for row, record, bad in rows:
            id_number = record["id_number"]
            if id_number:
                person = self.in_file.get(id_number) or self.registered.get(id_number)
                if person is None:
                    self.error(sheet, row, "id_number", _(
                        "No person with this ID number on the 人员 sheet or in your part of the registry."
                    ))
                    record["id_number"] = None
                elif record["person_name"] and record["person_name"] != person[1]:
                    self.error(sheet, row, "person_name", _(
                        "The person with this ID number is named “%(name)s”; check the ID number."
                    ) % {"name": person[1]})
            record["party_organization_id"] = None
            if record["organ_id"] is not None and record["party_organization"]:
                key = (record["organ_id"], record["party_organization"])
                record["party_organization_id"] = self.party_orgs.get(key)
                if record["party_organization_id"] is None:
                    self.error(sheet, row, "party_organization", _(
                        "No party organization named “%(name)s” is registered in the organ “%(code)s”."
                    ) % {"name": record["party_organization"], "code": record["organ"]})
            if record["portfolio"] and record["role"] and record["role"] != Post.Role.COMMITTEE_MEMBER:
                self.error(sheet, row, "portfolio", _("Only a committee member has a portfolio."))
            if record["ended_on"] and record["started_on"] and record["ended_on"] < record["started_on"]:
                self.error(sheet, row, "ended_on", _("A post cannot end before it starts."))
                bad.add("ended_on")
            record["method"] = record["method"] or Post.Method.ELECTED
            record["_row"], record["_bad"] = row, bad
            posts.append(record)
        self._check_overlaps(posts)
        if not self.errors:
            self.spool.add("posts", [tuple(record[key] for key in POST_FIELDS) for record in posts])

    def _load_periods(self, checkable) -> None:
        """The registered posts that this chunk's posts may clash with, loaded once per party organization
        (secretaries) and per registered person (the same post)."""
        org_pks = {post["party_organization_id"] for post in checkable} - self.secretaries.keys()
        for post in Post.unscoped.filter(role=Post.Role.SECRETARY, party_organization_id__in=org_pks).values(
            "party_organization_id", "started_on", "ended_on", "person__name", "party_organization__name"
        ):
            self.secretaries[post["party_organization_id"]].append((post["started_on"], post["ended_on"], (
                post["party_organization__name"], post["person__name"], post["started_on"])))
        for pk in org_pks:
            self.secretaries.setdefault(pk, [])
        person_pks = {self.registered[post["id_number"]][0] for post in checkable
                      if post["id_number"] in self.registered} - self.people_loaded
        for post in Post.unscoped.filter(person_id__in=person_pks).values(
            "person__id_number", "party_organization_id", "role", "started_on", "ended_on"
        ):
            key = (post["person__id_number"], post["party_organization_id"], post["role"])
            self.held[key].append((post["started_on"], post["ended_on"], None))
        self.people_loaded |= person_pks

    def _check_overlaps(self, posts) -> None:
        """No two secretaries of one party organization, and no one holding the same post twice, at once."""
        sheet = POST_SHEET
        checkable = [
            post for post in posts
            if post["id_number"] and post["party_organization_id"] and post["role"] and post["started_on"]
            and "ended_on" not in post["_bad"]
        ]
        self._load_periods(checkable)
        for post in checkable:
            start, end, row = post["started_on"], post["ended_on"], post["_row"]
            key = (post["id_number"], post["party_organization_id"], post["role"])
            clash = next((source for s, e, source in self.held[key] if overlaps(start, end, s, e)), False)
            if clash is None:
                self.error(sheet, row, "started_on", _("This person already holds the same post in this period."))
            elif clash:
                self.error(sheet, row, "started_on", _(
                    "This person already holds the same post in an overlapping period in row %(row)d."
                ) % {"row": clash})
            self.held[key].append((start, end, row))
            if post["role"] != Post.Role.SECRETARY:
                continue
            periods = self.secretaries[post["party_organization_id"]]
            clash = next((source for s, e, source in periods if overlaps(start, end, s, e)), None)
            if isinstance(clash, tuple):
                org, person, since = clash
                self.error(sheet, row, "started_on", _(
                    "%(org)s already has a secretary in this period: %(person)s from %(start)s."
                ) % {"org": org, "person": person, "start": since})
            elif clash is not None:
                self.error(sheet, row, "started_on", _(
                    "%(org)s already has a secretary in an overlapping period in row %(row)d."
                ) % {"org": post["party_organization"], "row": clash})
            periods.append((start, end, row))

    def write(self, plan) -> dict[str, int]:
        people = posts = 0
        for chunk in self.spool.read("people"):
            Person.unscoped.bulk_create([Person(**dict(zip(PERSON_FIELDS, values, strict=True))) for values in chunk])
            people += len(chunk)
        for chunk in self.spool.read("posts"):
            person_pks = dict(Person.unscoped.filter(id_number__in={values[0] for values in chunk}).values_list(
                "id_number", "pk"))
            instances = []
            for values in chunk:
                fields = dict(zip(POST_FIELDS, values, strict=True))
                fields["person_id"] = person_pks[fields.pop("id_number")]
                instances.append(Post(**fields))
            Post.unscoped.bulk_create(instances)
            # bulk_create skips Post.save(), which keeps the person's first secretary post up to date
            Person.refresh_first_secretary_on(sorted({post.person_id for post in instances}))
            posts += len(chunk)
        return {"people": people, "posts": posts}


IMPORTERS: dict[str, type[Importer]] = {
    "organs": OrganImporter,
    "party-organizations": PartyOrganizationImporter,
    "people": PeopleImporter,
}


def registry_import(*, kind: str, file, by, progress: Callable[[int, int], None] | None = None,
                    filename: str = "", before_writing: Callable[[], None] | None = None) -> ImportResult:
    """Import a registry workbook of `kind` (organs, party-organizations or people): all rows or none.

    Every row is checked before anything is written; the result lists the errors as (sheet, row,
    column, message), the first settings.IMPORT_MAX_REPORTED_ERRORS of them, and counts them all. Files
    that would unpack to too much or have too many rows are refused before they are read (reading.py).
    Organizers import anything; a unit administrator imports party organizations,
    people and posts of their own organs only, and no organs (organizations/rules.py). One audit
    entry of action "import" records the counts. `progress(done, total)` hears how many rows have been
    checked; `before_writing()` is called when every row has passed, before the one transaction.
    Large files run as a background job (organizations/tasks.py); the `import` command calls this directly.
    """
    spec = get_kind(kind)
    require_perm(by, "organizations.import_registry")
    if kind == "organs":
        require_perm(by, "organizations.import_organs")
    return import_workbook(spec=spec, importer_class=IMPORTERS[kind], file=file, by=by, progress=progress,
                           filename=filename, before_writing=before_writing)


def import_workbook(*, spec: Kind, importer_class: type[Importer], file, by,
                    progress: Callable[[int, int], None] | None = None, filename: str = "",
                    before_writing: Callable[[], None] | None = None, audit_model: str = "") -> ImportResult:
    """The all-or-nothing import of a workbook laid out as `spec`, checked and written by `importer_class`
    (validate every row, then write all in one transaction, audited as one "import" entry). The caller has
    asked the permission. Also the ledger's import of training records (ledger/spreadsheets.py) runs on it."""
    kind = spec.key
    result = ImportResult(kind=kind)
    problems = Problems(limit=max_reported_errors(), order=error_order(spec))
    spool = Spool()
    try:
        with open_workbook(file, spec, problems) as sheets:
            if sheets is None:
                return result.fail(problems)
            tick = Progress(progress, sum(rows.total for rows in sheets))
            importer = importer_class(user=by, errors=problems, tick=tick, spool=spool)
            plan = importer.validate(sheets)
            tick.finish()
            if not problems and not any(rows.seen for rows in sheets):
                problems.append(no_data_rows())
        if problems:
            return result.fail(problems)
        if before_writing is not None:
            before_writing()
        try:
            with transaction.atomic():
                counts = importer.write(plan)
                audit_record(
                    actor=by, action="import", model=audit_model or spec.model._meta.label_lower,
                    object_repr=_("Import of %(kind)s: %(counts)s") % {
                        "kind": spec.label,
                        "counts": ", ".join(f"{COUNT_LABELS[key]} {count}" for key, count in counts.items()),
                    },
                    changes={"kind": kind, "counts": counts, "file": filename or getattr(file, "name", "") or ""},
                )
        except IntegrityError:
            # Someone else registered one of these records between the check and the write.
            result.errors.append(file_error(_(
                "The registry changed while this file was being imported, so nothing was imported. Please try "
                "again."
            )))
            result.error_count = 1
            return result
    finally:
        spool.close()
    result.counts = counts
    return result
