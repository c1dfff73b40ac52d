"""Certificate scoping: a participant's certificate is seen by those who see their completion records
(completion.scoping: organizers all; college staff the programs at their venues; unit administrators their own
organs' people in published programs; a participant their own)."""

from django.db.models import Q

from dangjian.completion.scoping import participant_record_filter


def certificate_filter(user) -> Q:
    return participant_record_filter(user)
