"""Analysis of the anonymous answers (issue 13, item 2): scores per dimension, overall score and response rate per
session, course, instructor, teaching form, phase and program, and across years for a course or an instructor;
keywords of the open answers (jieba, stop words removed) and a few representative quotes; the answers of one group
(drill-down).

Anonymity: a group with fewer answers than settings.DANGJIAN_RULES["evaluation_min_answers"] shows its number of
answers and its response rate only — no scores, no texts, no keywords, no quotes (`Stats.hidden`); every page, API
endpoint and export reads these functions, so the rule holds everywhere. Quotes of a larger group are drawn only from
groups (sessions) that reach the minimum, and are shown without a date or a session. Nothing here reads a person.

Queries: `program_analysis` reads the program's sessions, rosters, receipts, forms, the sessions' instructors and
the answers (their JSON decoded in one pass) — a constant number whatever the number of answers.
"""

import contextlib
import functools
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Count, Max
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.conf import rule
from dangjian.evaluation import selectors
from dangjian.evaluation.definitions import label
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationForm
from dangjian.training.models import Course, Instructor, Session, TeachingForm

STOPWORDS_PATH = Path(__file__).parent / "data" / "stopwords.txt"
GROUPINGS = ("session", "course", "instructor", "form", "phase")
KEYWORDS = 12
CACHE_SECONDS = 600
QUOTES = 3


def min_answers() -> int:
    return int(rule("evaluation_min_answers"))


def hidden_note() -> str:
    return _("fewer than %(count)d answers: hidden to keep the answers anonymous") % {"count": min_answers()}


# --- Keywords and quotes ------------------------------------------------------------------------------

@functools.cache
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


WORD = re.compile(r"^[\w\u4e00-\u9fff]+$")


@functools.lru_cache(maxsize=50_000)
def words_of(text: str) -> tuple[str, ...]:
    """The distinct content words of a text (jieba, precise mode without the HMM; stop words, one-character words
    and numbers dropped), in the order they first occur."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    seen, words = set(), []
    stop = stopwords()
    for word in jieba.lcut(text, HMM=False):
        word = word.strip()
        if len(word) < 2 or word in stop or word.isdigit() or not WORD.match(word) or word in seen:
            continue
        seen.add(word)
        words.append(word)
    return tuple(words)


def keywords(texts: list[str], top: int = KEYWORDS) -> list[tuple[str, int]]:
    """The words found in most answers: [(word, number of answers)], most first, then by the word."""
    counts = Counter(word for text in texts for word in words_of(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def quotes(texts: list[str], top: int = QUOTES) -> list[str]:
    """A few representative answers, chosen deterministically: those sharing most of the group's keywords (the sum
    of their words' counts over the answers), longer ones first on a tie, then alphabetical; one of each text."""
    counts = Counter(word for text in texts for word in words_of(text))
    distinct = sorted({text.strip() for text in texts if len(text.strip()) >= 6})
    ranked = sorted(distinct, key=lambda text: (-sum(counts[w] for w in words_of(text) if counts[w] > 1),
                                                -len(text), text))
    return ranked[:top]


# --- Figures of a group of answers --------------------------------------------------------------------

@dataclass
class Stats:
    """The figures of a group of answers. `hidden` (below the minimum): only the number of answers is shown."""

    answers: int = 0
    hidden: bool = True
    dimensions: list[dict] = field(default_factory=list)  # {"id", "label", "mean", "max", "count"}
    overall: float | None = None  # 0–100: the mean points as a share of the maximum
    satisfied: float | None = None  # share of ratings at the top two levels (满意度)
    keywords: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)

    @property
    def overall_rounded(self) -> float | None:
        return None if self.overall is None else round(self.overall, 1)

    @property
    def satisfied_percent(self) -> float | None:
        return None if self.satisfied is None else round(self.satisfied * 100, 1)


class _Scale:
    """Points of a form's levels: level_points when given (the card: 20/15/10/5), else the level itself."""

    def __init__(self, definition: dict):
        levels = [int(level["value"]) for level in definition.get("levels", [])] or [4, 3, 2, 1]
        given = {int(k): float(v) for k, v in (definition.get("level_points") or {}).items()}
        self.points = {level: given.get(level, float(level)) for level in levels}
        self.max = max(self.points.values())
        self.top_two = set(sorted(levels, reverse=True)[:2])


class _Group:
    """Sums of one group while the answers are read."""

    __slots__ = ("answers", "counts", "max_points", "points", "quotable", "rated", "satisfied", "sums", "texts")

    def __init__(self):
        self.answers = 0
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.points = self.max_points = 0.0
        self.satisfied = self.rated = 0
        self.texts: list[str] = []
        self.quotable: list[str] = []

    def add(self, scores: dict, texts: list[str], scale: _Scale, *, quotable: bool = True) -> None:
        """One answer: {dimension: level}."""
        self.add_counts(1, {dimension: {level: 1} for dimension, level in scores.items()}, scale)
        self.add_texts(texts, quotable=quotable)

    def add_counts(self, answers: int, counts: dict[str, dict], scale: _Scale) -> None:
        """Answers counted in SQL: {dimension: {level: number of ratings}}."""
        self.answers += answers
        for dimension, levels in counts.items():
            for level, number in levels.items():
                points = scale.points.get(int(level))
                if points is None or not number:
                    continue
                self.sums[dimension] += points * number
                self.counts[dimension] += number
                self.points += points * number
                self.max_points += scale.max * number
                self.rated += number
                if int(level) in scale.top_two:
                    self.satisfied += number

    def add_texts(self, texts: list[str], *, quotable: bool = True) -> None:
        self.texts.extend(texts)
        if quotable:
            self.quotable.extend(texts)

    def merge(self, other: "_Group", *, quotable: bool = True) -> None:
        self.answers += other.answers
        for dimension, total in other.sums.items():
            self.sums[dimension] += total
            self.counts[dimension] += other.counts[dimension]
        self.points += other.points
        self.max_points += other.max_points
        self.satisfied += other.satisfied
        self.rated += other.rated
        self.texts.extend(other.texts)
        if quotable:
            self.quotable.extend(other.quotable)

    def stats(self, dimensions: list[dict], *, maximum: float, words: bool = True) -> Stats:
        if self.answers < min_answers():
            return Stats(answers=self.answers, hidden=True)
        rows = [{"id": row["id"], "label": label(row), "max": maximum, "count": self.counts[row["id"]],
                 "mean": round(self.sums[row["id"]] / self.counts[row["id"]], 2) if self.counts[row["id"]] else None}
                for row in dimensions if self.counts.get(row["id"])]
        return Stats(
            answers=self.answers, hidden=False, dimensions=rows,
            overall=self.points * 100 / self.max_points if self.max_points else None,
            satisfied=self.satisfied / self.rated if self.rated else None,
            keywords=keywords(self.texts) if words else [],
            quotes=quotes(self.quotable) if words else [])


def _texts(answer_texts: dict) -> list[str]:
    return [text.strip() for text in (answer_texts or {}).values() if isinstance(text, str) and text.strip()]


# --- A program ----------------------------------------------------------------------------------------

@dataclass
class Row:
    """One session, course, instructor, teaching form or phase of a program, with its figures."""

    by: str
    key: str
    label: str
    stats: Stats
    answered: int = 0  # receipts
    roster: int = 0
    detail: str = ""  # e.g. the session's date and phase

    @property
    def percent(self) -> int | None:
        return round(self.answered * 100 / self.roster) if self.roster else None


@dataclass
class ChoiceCount:
    """One choice question of the program questionnaire (e.g. the three sessions one was most satisfied with):
    how often each option was chosen, most chosen first (options nobody chose left out)."""

    id: str
    label: str
    options: list[tuple[str, int]]  # (option's words, times chosen)
    answered: int  # questionnaires that answered this question


@dataclass
class ProgramAnalysis:
    program: object
    card: EvaluationForm
    questionnaire_form: EvaluationForm
    overall: Stats  # all session cards
    questionnaire: Stats
    questionnaire_answered: int
    questionnaire_placed: int
    rows: dict[str, list[Row]]  # by grouping
    answered: int = 0
    roster: int = 0
    min_answers: int = 0
    choices: list[ChoiceCount] = field(default_factory=list)  # empty while the questionnaire is hidden

    @property
    def percent(self) -> int | None:
        return round(self.answered * 100 / self.roster) if self.roster else None

    @property
    def questionnaire_percent(self) -> int | None:
        placed = self.questionnaire_placed
        return round(self.questionnaire_answered * 100 / placed) if placed else None


def _card_dimensions(definition: dict) -> list[dict]:
    return list(definition.get("dimensions", [])) + list(definition.get("onsite_dimensions", []))


def _forms(program) -> tuple[dict[str, EvaluationForm], dict[int, _Scale]]:
    forms = selectors.program_forms(program)
    return forms, {form.pk: _Scale(form.definition) for form in forms.values()}


def _session_label(session: Session) -> str:
    return session.display_title


def _session_detail(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    group = f" · {session.group}" if session.group_id else ""
    phase = _("Phase %(number)s") % {"number": session.phase.number}
    return f"{start:%Y-%m-%d %H:%M} · {phase}{group}"


def session_instructors(session_ids) -> dict[int, list[Instructor]]:
    """{session id: its instructors}: one query."""
    through = Session.instructors.through.objects.filter(session_id__in=session_ids).select_related("instructor")
    result: dict[int, list[Instructor]] = defaultdict(list)
    for link in through.order_by("instructor__name", "instructor_id"):
        result[link.session_id].append(link.instructor)
    return result


def _each(column: str) -> str:
    """The SQL table function listing the keys and (text) values of a JSON column."""
    if connection.vendor == "postgresql":
        return f"jsonb_each_text(a.{column}) AS j(key, value)"
    return f"json_each(a.{column}) AS j"  # SQLite


def _counted(program, scales: dict[int, _Scale]) -> tuple[dict[int, _Group], _Group]:
    """The program's answers counted in SQL: ({session id: its cards}, the questionnaires). Four queries: the
    forms used, the answers per session and form, the ratings per session, form, dimension and level (the JSON
    expanded by the database: json_each / jsonb_each_text), and the non-empty open answers' texts."""
    answers = EvaluationAnswer.objects.filter(program=program)
    numbers = list(answers.values_list("session_id", "form_id").annotate(number=Count("pk")).order_by())
    for form in EvaluationForm.objects.filter(pk__in={form_id for _s, form_id, _n in numbers} - set(scales)):
        scales[form.pk] = _Scale(form.definition)
    table = connection.ops.quote_name(EvaluationAnswer._meta.db_table)
    ratings: dict[tuple, dict] = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a.session_id, a.form_id, j.key, j.value, COUNT(*) FROM {table} AS a, "
                       f"{_each('scores')} WHERE a.program_id = %s GROUP BY a.session_id, a.form_id, j.key, "
                       f"j.value", [program.pk])
        for session_id, form_id, dimension, level, number in cursor.fetchall():
            with contextlib.suppress(TypeError, ValueError):
                ratings[(session_id, form_id)][dimension][int(level)] = number
        cursor.execute(f"SELECT a.session_id, j.value FROM {table} AS a, {_each('texts')} "
                       f"WHERE a.program_id = %s", [program.pk])
        texts = cursor.fetchall()
    by_session: dict[int, _Group] = defaultdict(_Group)
    questionnaire = _Group()
    for session_id, form_id, number in numbers:
        target = by_session[session_id] if session_id else questionnaire
        target.add_counts(number, ratings.get((session_id, form_id), {}), scales[form_id])
    for session_id, text in texts:
        if isinstance(text, str) and text.strip():
            (by_session[session_id] if session_id else questionnaire).add_texts([text.strip()])
    return by_session, questionnaire


def _counted_cached(program, scales: dict[int, _Scale]) -> tuple[dict[int, _Group], _Group]:
    """`_counted`, kept in the cache while the program's answers are the same: answers are never edited, so their
    number and greatest (random) key change with each new one; the forms used are in the key too. One query to
    make the key; a hit saves the counting."""
    number, last = EvaluationAnswer.objects.filter(program=program).aggregate(
        n=Count("pk"), last=Max(Cast("pk", CharField()))).values()
    if not number:
        return _counted(program, scales)
    key = f"evaluation:counted:{program.pk}:{number}:{last}:{'-'.join(map(str, sorted(scales)))}"
    found = cache.get(key)
    if found is not None:
        return found
    found = _counted(program, scales)
    cache.set(key, found, CACHE_SECONDS)
    return found


def choice_counts(program, definition: dict, session_titles: dict[str, str]) -> list[ChoiceCount]:
    """The choice questions of the program questionnaire counted: one query (the questionnaires' choices; one per
    participant at most). Options from the class's sessions are named by the session's title (the same session in
    two phases counted together). Nothing while the questionnaires are fewer than the minimum number of answers."""
    picked = list(EvaluationAnswer.objects.filter(program=program, session__isnull=True)
                  .values_list("choices", flat=True))
    if len(picked) < min_answers():
        return []
    counted = []
    for row in definition.get("choices", []):
        names = session_titles if row.get("options_source") == "class_sessions" else {
            str(option["id"]): label(option) for option in row.get("options", [])}
        times: Counter = Counter()  # by the option's words: a course held in each phase is one option
        answered = 0
        for choices in picked:
            chosen = (choices or {}).get(row["id"]) or []
            answered += bool(chosen)
            times.update(names.get(str(option), str(option)) for option in chosen)
        options = sorted(times.items(), key=lambda pair: (-pair[1], pair[0]))
        counted.append(ChoiceCount(id=row["id"], label=label(row), options=options, answered=answered))
    return counted


def program_analysis(program, *, words: bool = True) -> ProgramAnalysis:
    """The figures of a program's answers, per grouping (see the module's docstring). `words=False` leaves out the
    keywords and quotes of the rows (the program's own are kept)."""
    forms, scales = _forms(program)
    card, questionnaire_form = forms[FormKind.SESSION_CARD], forms[FormKind.PROGRAMME]
    rates = selectors.response_rates(program)
    sessions = {row.session.pk: row.session for row in rates}
    for session in sessions.values():
        session.phase.program = program
    teachers = session_instructors(list(sessions))
    by_session, questionnaire = _counted_cached(program, scales)
    visible_sessions = {pk for pk, group in by_session.items() if group.answers >= min_answers()}
    groups: dict[tuple[str, object], _Group] = defaultdict(_Group)
    overall = _Group()
    for session_id, group in by_session.items():
        session = sessions.get(session_id)
        if session is None:
            continue
        quotable = session_id in visible_sessions
        overall.merge(group, quotable=quotable)
        keys = [("session", session_id), ("form", session.form), ("phase", session.phase_id)]
        if session.course_id:
            keys.append(("course", session.course_id))
        keys.extend(("instructor", teacher.pk) for teacher in teachers.get(session_id, []))
        for key in keys:
            groups[key].merge(group, quotable=quotable)

    card_scale = _Scale(card.definition)
    dimensions = _card_dimensions(card.definition)

    def stats(key) -> Stats:
        return groups[key].stats(dimensions, maximum=card_scale.max, words=words) if key in groups \
            else Stats(answers=0, hidden=True)

    rows: dict[str, list[Row]] = {name: [] for name in GROUPINGS}
    sums: dict[tuple[str, object], list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[tuple[str, object], str] = {}
    counted = []
    now = timezone.now()
    for rate in rates:
        session = rate.session
        # Sessions no card is asked for (selectors.NOT_EVALUATED) and those not ended yet: only when answered
        # anyway (a card given before the form of the session changed).
        if (session.form in selectors.NOT_EVALUATED or session.ends_at > now) and not rate.answered:
            continue  # not evaluated, or not yet ended
        counted.append(rate)
        rows["session"].append(Row(by="session", key=str(session.pk), label=_session_label(session),
                                   detail=_session_detail(session), stats=stats(("session", session.pk)),
                                   answered=rate.answered, roster=rate.roster))
        keys = [("form", session.form), ("phase", session.phase_id)]
        labels[("form", session.form)] = str(TeachingForm(session.form).label) \
            if session.form in TeachingForm.values else session.form
        labels[("phase", session.phase_id)] = _("Phase %(number)s") % {"number": session.phase.number}
        if session.course_id:
            keys.append(("course", session.course_id))
            labels[("course", session.course_id)] = session.course.title_zh if session.course else session.display_title
        for teacher in teachers.get(session.pk, []):
            keys.append(("instructor", teacher.pk))
            labels[("instructor", teacher.pk)] = teacher.name
        for key in keys:
            sums[key][0] += rate.answered
            sums[key][1] += rate.roster
    for key, (answered, roster) in sums.items():
        rows[key[0]].append(Row(by=key[0], key=str(key[1]), label=labels[key], stats=stats(key),
                                answered=answered, roster=roster))
    for name in ("course", "instructor", "form"):
        rows[name].sort(key=lambda row: row.label)
    rows["phase"].sort(key=lambda row: row.label)
    answered_q, placed = selectors.questionnaire_rate(program)
    q_scale = _Scale(questionnaire_form.definition)
    return ProgramAnalysis(
        program=program, card=card, questionnaire_form=questionnaire_form,
        overall=overall.stats(dimensions, maximum=card_scale.max),
        questionnaire=questionnaire.stats(questionnaire_form.definition.get("dimensions", []), maximum=q_scale.max),
        questionnaire_answered=answered_q, questionnaire_placed=placed, rows=rows,
        answered=sum(rate.answered for rate in counted), roster=sum(rate.roster for rate in counted),
        min_answers=min_answers(),
        choices=choice_counts(program, questionnaire_form.definition,
                              {str(pk): _session_label(session) for pk, session in sessions.items()}))


# --- Drill-down: the answers of one group ---------------------------------------------------------------

@dataclass
class Drill:
    by: str
    key: str
    label: str
    stats: Stats
    answers: list[dict]  # {"scores": [{"label", "level", "points"}], "texts": [{"label", "text"}]}; [] when hidden


def _group_sessions(program, by: str, key: str) -> tuple[list[int], str]:
    """The session ids of a group of the program and its label; ([], "") for an unknown group."""
    sessions = Session.unscoped.filter(phase__program=program)
    if by == "session":
        session = sessions.filter(pk=int(key)).first() if key.isdigit() else None
        return ([session.pk], session.display_title) if session else ([], "")
    if by == "course" and key.isdigit():
        course = Course.objects.filter(pk=int(key)).first()
        ids = list(sessions.filter(course_id=int(key)).values_list("pk", flat=True))
        return (ids, course.title_zh) if course and ids else ([], "")
    if by == "instructor" and key.isdigit():
        instructor = Instructor.objects.filter(pk=int(key)).first()
        ids = list(sessions.filter(instructors=int(key)).values_list("pk", flat=True))
        return (ids, instructor.name) if instructor and ids else ([], "")
    if by == "form" and key in TeachingForm.values:
        ids = list(sessions.filter(form=key).values_list("pk", flat=True))
        return (ids, str(TeachingForm(key).label)) if ids else ([], "")
    if by == "phase" and key.isdigit():
        rows = list(sessions.filter(phase_id=int(key)).values_list("pk", "phase__number"))
        return ([pk for pk, _n in rows], _("Phase %(number)s") % {"number": rows[0][1]}) if rows else ([], "")
    return [], ""


def drill_down(program, *, by: str, key: str) -> Drill | None:
    """The answers of one session, course, instructor, teaching form or phase of the program: each answer's scores
    and open texts, no person, no date; none below the minimum. None for an unknown group."""
    if by not in GROUPINGS:
        return None
    session_ids, group_label = _group_sessions(program, by, str(key))
    if not session_ids:
        return None
    forms, scales = _forms(program)
    card = forms[FormKind.SESSION_CARD]
    answers = list(EvaluationAnswer.objects.filter(program=program, session_id__in=session_ids)
                   .select_related("form").order_by("id"))
    group = _Group()
    for answer in answers:
        scales.setdefault(answer.form_id, _Scale(answer.form.definition))
        group.add(answer.scores or {}, _texts(answer.texts), scales[answer.form_id])
    dimensions = _card_dimensions(card.definition)
    stats = group.stats(dimensions, maximum=_Scale(card.definition).max)
    shown = []
    if not stats.hidden:
        for answer in answers:
            definition = answer.form.definition
            levels = {int(level["value"]): label(level) for level in definition.get("levels", [])}
            names = {row["id"]: label(row) for row in _card_dimensions(definition)}
            questions = {row["id"]: label(row) for row in definition.get("open_questions", [])}
            scale = scales[answer.form_id]
            shown.append({
                "scores": [{"label": names.get(dim, dim), "level": levels.get(int(level), str(level)),
                            "points": scale.points.get(int(level))}
                           for dim, level in (answer.scores or {}).items()],
                "texts": [{"label": questions.get(qid, qid), "text": text.strip()}
                          for qid, text in (answer.texts or {}).items() if isinstance(text, str) and text.strip()],
            })
    return Drill(by=by, key=str(key), label=group_label, stats=stats, answers=shown)


# --- Across years: a course or an instructor over time ---------------------------------------------------

@dataclass
class HistoryRow:
    program: object
    sessions: int
    stats: Stats


def history(*, programs, course=None, instructor=None) -> list[HistoryRow]:
    """The figures of a course's (or an instructor's) sessions in each of `programs` (a queryset the caller has
    scoped), by year then program: three queries."""
    sessions = Session.unscoped.filter(phase__program__in=programs)
    sessions = sessions.filter(course=course) if course is not None else sessions.filter(instructors=instructor)
    session_program = dict(sessions.values_list("pk", "phase__program_id"))
    session_counts = Counter(session_program.values())
    answers = EvaluationAnswer.objects.filter(session_id__in=list(session_program)).values_list(
        "form_id", "session_id", "scores", "texts").order_by()
    answers = list(answers)
    forms = {form.pk: form for form in EvaluationForm.objects.filter(pk__in={a[0] for a in answers})}
    scales = {pk: _Scale(form.definition) for pk, form in forms.items()}
    per_session = Counter(session_id for _f, session_id, _s, _t in answers)
    groups: dict[int, _Group] = defaultdict(_Group)
    for form_id, session_id, scores, texts in answers:
        groups[session_program[session_id]].add(scores or {}, _texts(texts), scales[form_id],
                                                quotable=per_session[session_id] >= min_answers())
    default_card = selectors.default_forms()[FormKind.SESSION_CARD]
    dimensions = _card_dimensions(default_card.definition)
    maximum = _Scale(default_card.definition).max
    rows = []
    for program in programs.filter(pk__in=set(session_program.values())).order_by("-year", "title", "pk"):
        group = groups.get(program.pk, _Group())
        rows.append(HistoryRow(program=program, sessions=session_counts[program.pk],
                               stats=group.stats(dimensions, maximum=maximum)))
    return rows


# --- Sentences for the closing pack and the news report --------------------------------------------------

def summary_paragraphs(program) -> list[str] | None:
    """The paragraphs of the program's evaluation summary (the closing pack's last part), in the interface
    language; None when nobody has answered."""
    analysis = program_analysis(program, words=True)
    if not analysis.overall.answers and not analysis.questionnaire.answers:
        return None
    paragraphs = [_("%(answered)d of %(roster)d session cards were answered (%(percent)s%%); the program "
                    "questionnaire by %(q_answered)d of %(q_placed)d participants. Answers are anonymous; a group "
                    "with fewer than %(min)d answers is not shown.") % {
        "answered": analysis.answered, "roster": analysis.roster, "percent": analysis.percent or 0,
        "q_answered": analysis.questionnaire_answered, "q_placed": analysis.questionnaire_placed,
        "min": analysis.min_answers}]
    from dangjian.training.documents import punctuation

    p = punctuation()
    overall = analysis.overall
    if not overall.hidden and overall.overall is not None:
        dims = p["semicolon"].join(f"{row['label']} {row['mean']:.1f}/{row['max']:g}" for row in overall.dimensions)
        paragraphs.append(_("Overall score of the sessions: %(score).1f of 100; satisfied or very satisfied: "
                            "%(satisfied).1f%% of the ratings. Per dimension: %(dims)s.") % {
            "score": overall.overall, "satisfied": overall.satisfied_percent or 0, "dims": dims})
        best = sorted((row for row in analysis.rows["course"] if not row.stats.hidden and row.stats.overall),
                      key=lambda row: (-row.stats.overall, row.label))[:3]
        if best:
            paragraphs.append(_("Courses rated highest: %(courses)s.") % {"courses": p["semicolon"].join(
                f"{row.label}{p['open']}{row.stats.overall:.1f}{p['close']}" for row in best)})
        if overall.keywords:
            paragraphs.append(_("Words most used in the open answers: %(words)s.") % {
                "words": p["list"].join(word for word, _count in overall.keywords[:8])})
        for quote in overall.quotes:
            paragraphs.append(f"“{quote}”")
    questionnaire = analysis.questionnaire
    if not questionnaire.hidden and questionnaire.overall is not None:
        paragraphs.append(_("Program questionnaire: overall %(score).1f of 100; satisfied or very satisfied: "
                            "%(satisfied).1f%% of the ratings.") % {
            "score": questionnaire.overall, "satisfied": questionnaire.satisfied_percent or 0})
    return paragraphs


def feedback_sentences(program) -> list[str]:
    """Lines for the news report (in Chinese, as the report): the overall satisfaction and two or three quoted open
    answers; [] when the answers are too few to show."""
    analysis = program_analysis(program, words=True)
    overall = analysis.overall
    if overall.hidden or overall.satisfied is None:
        return []
    lines = [f"培训结束后，学员对{analysis.answered}份课程评估卡作出匿名评价，"
             f"课程总体满意度达{overall.satisfied_percent:g}%。"]
    picked = overall.quotes[:3]
    if not analysis.questionnaire.hidden and analysis.questionnaire.quotes:
        picked = (picked[:2] + [q for q in analysis.questionnaire.quotes if q not in picked][:1])
    if picked:
        quoted = "；".join(f"“{quote.rstrip('。；;')}”" for quote in picked)
        lines.append(f"学员们纷纷表示，{quoted}。")
    return lines

