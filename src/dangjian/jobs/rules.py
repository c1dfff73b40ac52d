"""Who may follow a background job: the user who started it, and organizers (jobs/models.py visibility)."""

import rules

from dangjian.accounts.rules import is_organizer


@rules.predicate
def requested_it(user, job) -> bool:
    return job is not None and getattr(user, "is_authenticated", False) and job.requested_by_id == user.pk


rules.add_perm("jobs.view_job", is_organizer | requested_it)
