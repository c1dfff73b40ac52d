from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.search.selectors import search_entries, search_entry_ids, search_hits

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 10


@require_GET
def search(request):
    """The portal's search page: /portal/search/?q=书记&page=2."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page_obj, hits = None, []
    if query:
        paginator = Paginator(search_entry_ids(query=query), PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        hits = search_hits(entries=search_entries(ids=list(page_obj.object_list)), query=query)
    return render(request, "search/search.html", {"query": query, "page_obj": page_obj, "hits": hits})
