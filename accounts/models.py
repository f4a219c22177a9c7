"""Staff accounts, the organisations that are parties to consultations, roles held in a
scope, and API tokens. Residents act without an account (phone number and tracking code)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import keys
from places.models import Area


class Organisation(models.Model):
    """A party: property company, owners' committee, department, CPPCC committee, utility…"""

    class Kind(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("Property company")  # 物业公司
        OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")  # 业主委员会
        PARTY_BRANCH = "party_branch", _("Party branch")  # 党支部 / 党委
        RESIDENTS_COMMITTEE = "residents_committee", _("Community committee")  # 社区居委会
        STREET_OFFICE = "street_office", _("Subdistrict office")  # 街道办事处
        GOVERNMENT_DEPARTMENT = "government_department", _("Government department")  # 职能部门
        LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement bureau")  # 综合执法局
        UTILITY = "utility", _("Utility company")  # 自来水公司、供电、供热
        CPPCC = "cppcc", _("CPPCC committee")  # 政协
        MANAGEMENT_COMMITTEE = "management_committee", _("Management committee")  # 管委会
        PRACTICE_STATION = (
            "practice_station",
            _("Civilisation practice station"),
        )  # 新时代文明实践站
        SERVICE_PROVIDER = "service_provider", _("Service provider")  # 检测公司等
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas served"), related_name="organisations", blank=True
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff account: community workers, officers, organisation representatives."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.Model):
    """A role held by a user in a scope: an area, an organisation, or both."""

    class Kind(models.TextChoices):
        GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员: a grid
        VOLUNTEER = "volunteer", _("Building head / volunteer / party member")  # a grid
        COMMUNITY_STAFF = "community_staff", _("Community staff")  # 社区干部: a community
        SECRETARY = "secretary", _("Community party secretary")  # 党支部书记: a community
        STREET_OFFICER = "street_officer", _("Subdistrict officer")  # 街道: a street
        DISTRICT_OFFICER = "district_officer", _("District officer")  # 区: a district
        ORG_REPRESENTATIVE = "org_rep", _("Organisation representative")  # an organisation
        CPPCC_MEMBER = "cppcc_member", _("CPPCC member")  # 政协委员: a district (+ CPPCC org)
        # 政协办公室 (社情民意 staff): reviews the members' public-opinion reports of a district
        CPPCC_OFFICE = "cppcc_office", _("CPPCC office")
        ADMIN = "admin", _("Administrator")  # everything

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=32, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "area", "organisation"], name="role_unique"
            )
        ]

    def __str__(self) -> str:
        scope = self.area or self.organisation or "*"
        return f"{self.get_kind_display()} @ {scope}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from accounts.permissions import ROLE_AREA_KIND

        needed = ROLE_AREA_KIND.get(self.kind)
        if needed and (self.area is None or self.area.kind not in needed):
            raise ValidationError({"area": _("This role is held in an area of the right level.")})
        if self.kind == Role.Kind.ORG_REPRESENTATIVE and self.organisation is None:
            raise ValidationError({"organisation": _("Name the organisation represented.")})


class ApiToken(models.Model):
    """A bearer token for staff apps. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    hash = staticmethod(keys.key_hash)

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        key = keys.new_key("ys_")
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash(key))
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=cls.hash(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
