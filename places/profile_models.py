"""Area profiles (区域概况): the facts a consultation is prepared with.

A community or a street keeps one profile. Each figure (population, households, companies…)
is a row with its value, the date it was counted and where it comes from: a new count adds a
row, so the profile shows the latest of each kind and keeps the history behind it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from places.models import Area


class AreaProfile(models.Model):
    # Only these levels keep a profile: a grid's facts are its community's.
    KINDS = (Area.Kind.COMMUNITY, Area.Kind.STREET)

    area = models.OneToOneField(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="profile"
    )
    # What the area is known as beyond its name: 阅海湾社区 serves 阅海湾商务区.
    covers = models.CharField(
        _("also known as"),
        max_length=100,
        blank=True,
        help_text=_("The name residents use for the area, such as a business district."),
    )
    summary = models.TextField(_("summary"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("area profile")
        verbose_name_plural = _("area profiles")

    def __str__(self) -> str:
        return str(self.area)


class AreaFigure(models.Model):
    class Kind(models.TextChoices):
        REGISTERED_POPULATION = "registered_population", _("Registered population")  # 户籍人口
        RESIDENT_POPULATION = "resident_population", _("Resident population")  # 常住人口
        HOUSEHOLDS = "households", _("Households")  # 户数
        COMPOUNDS = "compounds", _("Residential compounds")  # 小区
        BUILDINGS = "buildings", _("Residential buildings")  # 住宅楼栋
        OFFICE_BUILDINGS = "office_buildings", _("Office buildings")  # 企业楼宇
        COMPANIES = "companies", _("Companies")  # 企业
        SHOPS = "shops", _("Shops")  # 商户

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        ABOUT = "about", _("about")  # 约
        NEARLY = "nearly", _("nearly")  # 近
        OVER = "over", _("more than")  # 余

    profile = models.ForeignKey(
        AreaProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="figures"
    )
    kind = models.CharField(_("figure"), max_length=32, choices=Kind.choices)
    value = models.PositiveIntegerField(_("value"))
    qualifier = models.CharField(
        _("precision"), max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")
        # The latest of each kind first: the newest count, then the newest correction of it.
        ordering = ["kind", "-as_of", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["profile", "kind", "as_of"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} ({self.as_of})"

    @property
    def display(self) -> str:
        from places.profiles import format_figure  # reads this module

        return format_figure(self.kind, self.value, self.qualifier)


class AreaFacility(models.Model):
    class Kind(models.TextChoices):
        PARK = "park", _("Park")
        SPORTS = "sports", _("Sports ground")
        SCHOOL = "school", _("School")
        KINDERGARTEN = "kindergarten", _("Kindergarten")
        CLINIC = "clinic", _("Clinic")
        ELDERLY = "elderly", _("Elderly care")
        CENTRE = "centre", _("Community centre")
        MARKET = "market", _("Market")
        OTHER = "other", _("Other")

    profile = models.ForeignKey(
        AreaProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="facilities"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=100)
    # A facility that closes stays in the history.
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["kind", "id"]  # in the order they were entered

    def __str__(self) -> str:
        return self.name
