"""Wagtail admin hooks of the news portal."""

from wagtail import hooks


@hooks.register("construct_homepage_summary_items", order=100)  # after Wagtail adds its own
def keep_the_page_count_only(request, summary_items):
    """The editor's dashboard counts the portal's pages; the counts of images and documents (two more queries
    over their collections' permissions on every visit) tell an editor nothing they act on."""
    summary_items[:] = [item for item in summary_items if type(item).__name__ == "PagesSummaryItem"]
