from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.organizations.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Registered for the user form's person lookup; the registry itself is edited in the staff pages.

    Read-only, and the ID number and mobile phone only masked: seeing them in full is a reveal, audited, on
    the person's staff page."""

    search_fields = ["name"]
    list_display = ["name", "organ"]
    fields = ["name", "gender", "organ", "position", "masked_id_number", "masked_mobile"]
    readonly_fields = ["masked_id_number", "masked_mobile"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("organ")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("mobile phone"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)
