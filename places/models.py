"""The area tree (district → street → community → grid), compounds and buildings.

Each area keeps a materialised `path` of its ancestors' codes, so "everything under this
street" is one indexed prefix query, never a walk down the tree.
"""

from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Replace, Substr
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City")  # 市: optional, above the districts
        DISTRICT = "district", _("District / county")  # 区 / 县
        STREET = "street", _("Subdistrict / township")  # 街道 / 乡镇
        COMMUNITY = "community", _("Community / village")  # 社区 / 村
        GRID = "grid", _("Grid")  # 网格

    # Which kind may sit directly under which.
    CHILD_KINDS = {
        Kind.CITY: {Kind.DISTRICT},
        Kind.DISTRICT: {Kind.STREET},
        Kind.STREET: {Kind.COMMUNITY},
        Kind.COMMUNITY: {Kind.GRID},
        Kind.GRID: set(),
    }

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("A stable code, such as the administrative division code."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("level"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # What the compounds' contact cards (居民联系卡) post: a community's channels, and for
    # a grid its worker and grid phone (网格手机). Public by design: they are printed and
    # hung at every compound's entrance. A database default too: a row written without
    # them (code from before they existed, during a deploy) still saves.
    public_phone = models.CharField(
        _("public phone"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text=_("For example: 0951-5012345."),
    )
    office_hours = models.CharField(
        _("office hours"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("For example: Monday to Friday 8:30–12:00, 14:30–18:00."),
    )
    wechat_name = models.CharField(
        _("WeChat official account"), max_length=50, blank=True, default="", db_default=""
    )
    wechat_link = models.URLField(
        _("WeChat QR code link"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The address inside the official account's QR code (http://weixin.qq.com/r/…)."
        ),
    )
    # Or the QR code as the account's back office gives it (a picture, through
    # core.uploads.clean_image): printed instead of the one drawn from the link.
    wechat_qr = models.ImageField(
        _("WeChat QR code"), upload_to="wechat/", blank=True, default="", db_default=""
    )
    grid_worker = models.CharField(
        _("grid worker"), max_length=50, blank=True, default="", db_default=""
    )
    grid_phone = models.CharField(
        _("grid phone"), max_length=20, blank=True, default="", db_default=""
    )
    # "/640106/640106003/640106003011/": the codes from the root down to this area.
    path = models.CharField(max_length=400, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.code}/"
        self.depth = self.path.count("/") - 2
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moved or recoded: rewrite every descendant's path in one statement.
                Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )
                Area.objects.filter(path__startswith=self.path).exclude(pk=self.pk).update(
                    depth=Length("path") - Length(Replace("path", Value("/"), Value(""))) - 2
                )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if "/" in self.code:
            raise ValidationError({"code": _("A code may not contain '/'.")})
        if self.parent_id is not None:
            parent = self.parent
            if self.kind not in self.CHILD_KINDS[Area.Kind(parent.kind)]:
                raise ValidationError(
                    {
                        "parent": _("A %(kind)s cannot sit under a %(parent)s.")
                        % {"kind": self.get_kind_display(), "parent": parent.get_kind_display()}
                    }
                )
            if self.pk and parent.path.startswith(self.path):
                raise ValidationError({"parent": _("An area cannot sit under itself.")})

    def subtree(self, include_self: bool = True) -> "models.QuerySet[Area]":
        areas = Area.objects.filter(path__startswith=self.path)
        return areas if include_self else areas.exclude(pk=self.pk)

    def ancestors(self, include_self: bool = False) -> "models.QuerySet[Area]":
        codes = [code for code in self.path.strip("/").split("/") if code]
        if not include_self:
            codes = codes[:-1]
        return Area.objects.filter(code__in=codes).order_by("depth")

    def ancestor_of_kind(self, kind: str) -> "Area | None":
        if self.kind == kind:
            return self
        return self.ancestors().filter(kind=kind).first()

    @property
    def community(self) -> "Area | None":
        return self.ancestor_of_kind(Area.Kind.COMMUNITY)

    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors(include_self=True) if a.kind != "city")


class Compound(models.Model):
    """A residential compound (小区), in one grid."""

    name = models.CharField(_("name"), max_length=100)
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"kind": Area.Kind.GRID},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="compound_unique_in_grid")
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """A building (楼栋) of a compound; it may lie in another grid than the compound's gate."""

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="buildings"
    )
    name = models.CharField(_("name"), max_length=50)
    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="buildings",
        null=True,
        blank=True,
        limit_choices_to={"kind": Area.Kind.GRID},
        help_text=_("Leave empty when the building is in the compound's grid."),
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        # "2号楼" before "10号楼": shorter names first, then by text.
        ordering = ["compound__name", Length("name"), "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_unique_in_compound")
        ]

    def __str__(self) -> str:
        return f"{self.compound.name}{self.name}"

    @property
    def effective_grid_id(self) -> int:
        return self.grid_id or self.compound.grid_id


# Area profiles live in their own module; Django finds models through this one.
from places.profile_models import AreaFacility, AreaFigure, AreaProfile  # noqa: E402

__all__ = ["Area", "AreaFacility", "AreaFigure", "AreaProfile", "Building", "Compound"]
