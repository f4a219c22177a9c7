from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.models import ApiToken, Organisation, Role, User

# The admin's login counts failures with the staff login's counters (per account and address).
admin.site.login_form = ThrottledAdminAuthenticationForm


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["area", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Yishi"), {"fields": ("full_name", "phone")}),
    )
    inlines = [RoleInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["areas"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]

    def has_add_permission(self, request):
        # Tokens are issued with `manage.py create_api_token`, which shows the key once.
        return False
