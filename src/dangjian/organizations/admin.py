from django.contrib import admin

from dangjian.organizations.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Registered for the user form's person lookup; the registry itself is edited in the staff pages."""

    search_fields = ["name"]
    list_display = ["name", "organ"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("organ")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
