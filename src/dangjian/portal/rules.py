"""Who may open the Wagtail editor (/cms/). The role groups also hold the permission (migration 0002), for
Wagtail's own group screens; the predicate answers from the user's roles, already loaded for the menu,
so that the staff pages' query counts do not grow (ModelBackend would read the permission tables)."""

import rules

from dangjian.accounts.rules import is_editor, is_organizer, is_reviewer

rules.add_perm("wagtailadmin.access_admin", is_organizer | is_editor | is_reviewer)
