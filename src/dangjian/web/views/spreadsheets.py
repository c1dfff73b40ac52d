"""Excel templates, import and export of the registry (implementation in progress)."""

from django.http import Http404


def index(request):
    raise Http404


def template_download(request, kind):
    raise Http404


def import_upload(request, kind):
    raise Http404


def export_download(request, kind):
    raise Http404
