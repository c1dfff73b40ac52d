"""The demo's evaluation (issue 13, item 7): the 2022 class's anonymous answers.

Each participant marked present or late at a session of a teaching form that is evaluated answers its card with a
probability of about 85 %; about 85 % of the participants answer the program questionnaire. Scores vary by course
and by instructor (a seeded quality per course and per instructor, a little noise per rating); open answers are
drawn from data/feedback_snippets.txt (suggestions as "improvement", the rest as "main gain"). Written directly with
bulk_create — the answering rules refer to 2022 dates — receipts and answers alike, dated on the session's day (the
questionnaire on the phase's last day). Deterministic and idempotent: nothing is written when the program has
answers already.
"""

import hashlib
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dangjian.attendance.enums import Mark
from dangjian.attendance.models import Attendance
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Placement
from dangjian.evaluation import selectors
from dangjian.evaluation.definitions import dimensions_for
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
from dangjian.training.models import Session

SNIPPETS_PATH = Path(__file__).parent / "data" / "feedback_snippets.txt"
CARD_SHARE = 0.85
QUESTIONNAIRE_SHARE = 0.85


def snippets() -> tuple[list[str], list[str]]:
    """(gains, suggestions) of the feedback snippets; the follow-up ones (训后…) are left for the follow-up."""
    lines = [line.strip() for line in SNIPPETS_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("训后")]
    suggestions = [line for line in lines if line.startswith(("建议", "希望")) or "建议" in line]
    return [line for line in lines if line not in suggestions], suggestions


def _quality(key: str, low: float, high: float) -> float:
    """A stable number in [low, high] for a key (a course's or an instructor's), whatever the database ids."""
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return low + (high - low) * digest


def _level(rng: random.Random, mean: float) -> int:
    return max(1, min(4, round(rng.gauss(mean, 0.55))))


def _pick(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    """`count` different items, each drawn with the given weights."""
    items, weights, picked = list(items), list(weights), []
    while items and len(picked) < count:
        index = rng.choices(range(len(items)), weights=weights)[0]
        picked.append(items.pop(index))
        weights.pop(index)
    return picked


def _choices(rng: random.Random, definition: dict, sessions: list, quality: dict[int, float]) -> dict:
    """The questionnaire's choice questions as about two thirds answer them: the sessions most liked drawn towards
    the better-rated ones, the least liked towards the weaker ones, one or two topics wished for."""
    if rng.random() > 0.7 or not sessions:
        return {}
    choices = {}
    for row in definition.get("choices", []):
        if row.get("options_source") == "class_sessions":
            high = row["max_select"] > 1  # "most satisfied (up to 3)" / "least satisfied (1)"
            weights = [max(0.01, quality.get(s.pk, 3.3) - 2.7 if high else 4.0 - quality.get(s.pk, 3.3)) ** 3
                       for s in sessions]
            choices[row["id"]] = [str(s.pk) for s in _pick(rng, sessions, weights, row["max_select"])]
        elif row.get("options"):
            options = [option["id"] for option in row["options"] if option["id"] != "other"]
            weights = [len(options) - n for n in range(len(options))]  # the first ones wished for more often
            choices[row["id"]] = _pick(rng, options, weights, rng.choice((1, 2)))
    return choices


def load_evaluation(program) -> dict:
    """The 2022 class's cards and questionnaires (see the module's docstring)."""
    if EvaluationAnswer.objects.filter(program=program).exists():
        return {"created": False}
    rng = random.Random(13)
    forms = selectors.program_forms(program)
    card, questionnaire = forms[FormKind.SESSION_CARD], forms[FormKind.PROGRAMME]
    gains, suggestions = snippets()
    sessions = list(Session.unscoped.filter(phase__program=program, hours__gt=0)
                    .exclude(form__in=selectors.NOT_EVALUATED).select_related("course")
                    .prefetch_related("instructors").order_by("starts_at", "pk"))
    attended: dict[int, list[int]] = {}
    for session_id, nomination_id in (Attendance.unscoped.filter(session__in=sessions,
                                                                 mark__in=(Mark.PRESENT, Mark.LATE))
                                      .order_by("session_id", "nomination_id")
                                      .values_list("session_id", "nomination_id")):
        attended.setdefault(session_id, []).append(nomination_id)
    receipts, answers = [], []
    quality: dict[int, float] = {}  # session id: its mean level (for the questionnaire's choices)
    for session in sessions:
        course = session.course.code if session.course_id else session.title
        mean = _quality(f"course:{course}", 3.0, 3.75)
        teachers = list(session.instructors.all())
        if teachers:
            mean += sum(_quality(f"instructor:{t.name}", -0.25, 0.2) for t in teachers) / len(teachers)
        quality[session.pk] = mean
        day = timezone.localdate(session.ends_at)
        dimensions = dimensions_for(card.definition, teaching_form=session.form)
        for nomination_id in attended.get(session.pk, []):
            if rng.random() > CARD_SHARE:
                continue
            scores = {row["id"]: _level(rng, mean + rng.uniform(-0.15, 0.15)) for row in dimensions}
            texts = {}
            if rng.random() < 0.35:
                texts["main_gain"] = rng.choice(gains)
            if rng.random() < 0.12:
                texts["improvement"] = rng.choice(suggestions)
            receipts.append(EvaluationReceipt(nomination_id=nomination_id, form=card, session=session,
                                              answered_on=day))
            answers.append(EvaluationAnswer(form=card, program=program, session=session, answered_on=day,
                                            scores=scores, texts=texts))
    placements = list(Placement.unscoped.filter(phase__program=program, nomination__status=NominationStatus.CONFIRMED)
                      .select_related("phase").order_by("phase__number", "nomination_id"))
    question_ids = [row["id"] for row in questionnaire.definition.get("open_questions", [])]
    for placement in placements:
        if rng.random() > QUESTIONNAIRE_SHARE:
            continue
        scores = {row["id"]: _level(rng, 3.55) for row in questionnaire.definition.get("dimensions", [])}
        texts = {question_ids[0]: rng.choice(gains + suggestions)} if question_ids and rng.random() < 0.5 else {}
        day = placement.phase.ends_on
        choices = _choices(rng, questionnaire.definition, [session for session in sessions
                                                            if session.phase_id == placement.phase_id
                                                            and selectors.on_roster(session, placement)], quality)
        receipts.append(EvaluationReceipt(nomination_id=placement.nomination_id, form=questionnaire, session=None,
                                          answered_on=day))
        answers.append(EvaluationAnswer(form=questionnaire, program=program, session=None, answered_on=day,
                                        scores=scores, choices=choices, texts=texts))
    rng.shuffle(answers)  # stored in no order that follows the receipts
    with transaction.atomic():
        EvaluationReceipt.objects.bulk_create(receipts, batch_size=1000)
        EvaluationAnswer.objects.bulk_create(answers, batch_size=1000)
    return {"created": True, "answers": len(answers), "receipts": len(receipts)}
