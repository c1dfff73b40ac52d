"""Demo certificates (结业证书) of the 2022 class: one for everyone who completed, issued by the organizer three days
after the last phase ended, and one reissued a week later because the name was printed wrong (the first one
revoked). The PDFs are made when first downloaded (or by the issuing job), so loading the demo stays quick.
Idempotent: a program that has certificates gets none again."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from dangjian.certificates import services
from dangjian.certificates.models import Certificate
from dangjian.training.enums import ProgramStatus

REISSUE_REASON = "姓名有误，重新颁发"


def load_certificates(program) -> dict:
    if program.status not in (ProgramStatus.CLOSED, ProgramStatus.ARCHIVED):
        return {"certificates": 0}
    if Certificate.unscoped.filter(program=program).exists():
        return {"certificates": 0, "created": False}
    organizer = get_user_model().objects.get(username="organizer")
    issued = services.certificates_issue(program=program, by=organizer).issued
    if not issued:
        return {"certificates": 0}
    last_day = program.phases.aggregate(last=Max("ends_on"))["last"] or timezone.localdate()
    issued_at = timezone.make_aware(datetime.datetime.combine(last_day + datetime.timedelta(days=3),
                                                              datetime.time(10, 0)))
    Certificate.unscoped.filter(pk__in=[c.pk for c in issued]).update(issued_at=issued_at)
    wrong = Certificate.unscoped.get(pk=issued[len(issued) // 3].pk)
    new = services.certificate_reissue(certificate=wrong, by=organizer, reason=REISSUE_REASON)
    reissued_at = issued_at + datetime.timedelta(days=7)
    Certificate.unscoped.filter(pk=wrong.pk).update(revoked_at=reissued_at)
    Certificate.unscoped.filter(pk=new.pk).update(issued_at=reissued_at)
    return {"certificates": len(issued) + 1, "revoked": 1}
