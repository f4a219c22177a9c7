from django.contrib import admin

from places.models import Area, Building, Compound


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    # Uploaded on the contact cards page, through the shared image cleaner, never raw here.
    exclude = ["wechat_qr"]


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 1
    autocomplete_fields = ["grid"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "address"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["grid"]
    inlines = [BuildingInline]
