"""The wording of each kind of message: Django templates in templates/outbox/messages/<language>/, written as a
whole in each language (a notice is not translated phrase by phrase), Chinese first.

    <kind>.txt      e-mail: the first line is the subject, the rest (after one blank line) the text
    <kind>.sms.txt  SMS: the text alone, short (one SMS holds 70 characters)

A language without its own template falls back to Chinese (zh-hans). Plain text: nothing is HTML-escaped.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine
from django.template.exceptions import TemplateDoesNotExist
from django.utils import translation

from dangjian.outbox.enums import Channel

MESSAGES_DIR = Path(__file__).resolve().parent / "templates" / "outbox" / "messages"
DEFAULT_LANGUAGE = "zh-hans"


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(MESSAGES_DIR)], autoescape=False, builtins=["django.templatetags.i18n"])


def message_language(language: str | None) -> str:
    """The language a message is written in: the recipient's if it is one of the platform's, else Chinese."""
    codes = {code for code, _name in settings.LANGUAGES}
    language = (language or "").lower()
    if language in codes:
        return language
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def template_names(*, kind: str, channel: str, language: str) -> list[str]:
    suffix = ".sms.txt" if channel == Channel.SMS else ".txt"
    return [f"{language}/{kind}{suffix}", f"{DEFAULT_LANGUAGE}/{kind}{suffix}"]


def render_message(*, kind: str, channel: str, language: str, context: dict) -> Rendered:
    """Subject and text of a message of `kind` for `channel`, in `language` (dates and numbers formatted in it)."""
    language = message_language(language)
    engine = _engine()
    for name in template_names(kind=kind, channel=channel, language=language):
        try:
            template = engine.get_template(name)
            break
        except TemplateDoesNotExist:
            continue
    else:
        raise TemplateDoesNotExist(f"no wording for messages of kind {kind!r} ({channel})")
    with translation.override(language):
        text = template.render(Context(context, autoescape=False)).strip()
    if channel == Channel.SMS:
        return Rendered(subject="", body=" ".join(line.strip() for line in text.splitlines() if line.strip()))
    subject, _blank, body = text.partition("\n")
    return Rendered(subject=subject.strip(), body=body.strip() + "\n")
