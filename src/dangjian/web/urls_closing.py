"""URLs of the closing pack (结业材料) of a program: make one, download one (PDF, ZIP of the parts)."""

from django.urls import path

from dangjian.web.views import closing

urlpatterns = [
    path("training/programs/<int:pk>/closing-pack/", closing.closing_pack_make, name="closing_pack_make"),
    path("closing-packs/<int:pk>.pdf", closing.closing_pack_pdf, name="closing_pack_pdf"),
    path("closing-packs/<int:pk>.zip", closing.closing_pack_zip, name="closing_pack_zip"),
]
