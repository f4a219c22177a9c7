"""The Open311 GeoReport v2 adapter's own records: partner keys, the extra fields a category
asks for (service definitions), and what a partner sent with each request beyond the concern.

Concerns themselves live in `concerns`; a service request is a concern raised through the
API, and its `service_request_id` is the concern's tracking code.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from concerns.models import Category, Concern
from core import keys
from places.models import Area


class ApiKey(models.Model):
    """A partner system's key (hotline software, a mini-program, a city app).

    Tied to the organisation that runs the partner system and to the areas it may report
    in. Only a hash is stored; the key itself is printed once when it is created."""

    name = models.CharField(_("name"), max_length=80)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="open311_keys",
    )
    areas = models.ManyToManyField(
        Area,
        verbose_name=_("areas"),
        related_name="open311_keys",
        help_text=_("The key may report concerns in these areas and everything below them."),
    )
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    hash = staticmethod(keys.key_hash)

    @classmethod
    def issue(
        cls, *, name: str, organisation: Organisation, areas: list[Area]
    ) -> tuple["ApiKey", str]:
        """Create a key; the plain key is returned here and never again."""
        key = keys.new_key("o311_")
        api_key = cls.objects.create(
            name=name, organisation=organisation, prefix=key[:12], key_hash=cls.hash(key)
        )
        api_key.areas.set(areas)
        return api_key, key

    @classmethod
    def authenticate(cls, key: str) -> "ApiKey | None":
        if not key or len(key) > 200:
            return None
        api_key = (
            cls.objects.select_related("organisation")
            .filter(key_hash=cls.hash(key), revoked_at__isnull=True, organisation__active=True)
            .first()
        )
        if api_key is not None:
            cls.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return api_key

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ServiceAttribute(models.Model):
    """An extra field a category asks for when reported through Open311 (GeoReport v2
    "service definition" attribute): a question with a type and, for lists, its choices."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLEVALUELIST = "singlevaluelist", _("One choice")
        MULTIVALUELIST = "multivaluelist", _("Several choices")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.SlugField(_("code"), max_length=40)
    # False: a notice shown to the person, no input asked.
    variable = models.BooleanField(_("asks for input"), default=True)
    datatype = models.CharField(
        _("type"), max_length=16, choices=Datatype.choices, default=Datatype.STRING
    )
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("type hint"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=300)
    # [{"key": "...", "name": "..."}] for the list types.
    values = models.JSONField(_("choices"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="o311_attribute_code"),
            models.UniqueConstraint(fields=["category", "order"], name="o311_attribute_order"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)

    def value_name(self, key: str) -> str:
        for value in self.values or []:
            if str(value.get("key")) == key:
                return str(value.get("name", key))
        return key


class ServiceRequest(models.Model):
    """What a partner sent with a concern that the concern itself does not keep."""

    concern = models.OneToOneField(
        Concern,
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="open311_request",
    )
    api_key = models.ForeignKey(
        ApiKey,
        verbose_name=_("API key"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    # For GET tokens/{token}: every request gets one, though answers are realtime.
    token = models.CharField(max_length=40, unique=True, editable=False)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_id = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")

    def __str__(self) -> str:
        return self.token

    @staticmethod
    def new_token() -> str:
        return secrets.token_hex(12)
