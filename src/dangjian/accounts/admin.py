"""User administration (roles, organ scopes) in the Django admin, for organizers with is_staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "last_login"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "full_name"]
    filter_horizontal = ["groups", "organs"]
    autocomplete_fields = ["person"]
    fieldsets = [
        (None, {"fields": ["username", "password", "full_name", "email", "is_active", "is_staff"]}),
        (_("Roles and scope"), {"fields": ["groups", "organs", "person"],
                                "description": _("Roles are the groups named organizer, approver, unit_admin, "
                                                 "college_staff, instructor, participant, editor and reviewer.")}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["user", "digest", "prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request):
        return False  # tokens are issued with `dangjian apitoken`, which shows the token once
