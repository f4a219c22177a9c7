from django.contrib import admin

from places.models import Area, AreaFacility, AreaFigure, AreaProfile, Building, Compound


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]


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


class AreaFigureInline(admin.TabularInline):
    model = AreaFigure
    extra = 0
    fields = ["kind", "value", "qualifier", "as_of", "source", "recorded_at"]
    readonly_fields = ["recorded_at"]


class AreaFacilityInline(admin.TabularInline):
    model = AreaFacility
    extra = 0
    fields = ["kind", "name", "note", "as_of", "source", "removed_on"]


@admin.register(AreaProfile)
class AreaProfileAdmin(admin.ModelAdmin):
    list_display = ["area", "covers", "updated_at"]
    search_fields = ["area__name", "area__code", "covers"]
    autocomplete_fields = ["area"]
    inlines = [AreaFigureInline, AreaFacilityInline]
