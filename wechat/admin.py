"""Connecting a community's 公众号: the secrets are typed in, sealed, and never shown back."""

import base64
import binascii

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wechat.models import OfficialAccount

_KEEP = _("Leave empty to keep the value stored.")


class OfficialAccountForm(forms.ModelForm):
    token = forms.CharField(
        label=_("Token"),
        required=False,
        max_length=32,
        widget=forms.PasswordInput(render_value=False),
        help_text=_KEEP,
    )
    aes_key = forms.CharField(
        label=_("EncodingAESKey"),
        required=False,
        max_length=43,
        widget=forms.PasswordInput(render_value=False),
        help_text=format_lazy("{} {}", _("43 characters; needed for the safe mode."), _KEEP),
    )
    app_secret = forms.CharField(
        label=_("AppSecret"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False),
        help_text=format_lazy("{} {}", _("Needed only for template messages."), _KEEP),
    )

    class Meta:
        model = OfficialAccount
        fields = ["community", "name", "app_id", "template_id", "active"]

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if token and not (3 <= len(token) <= 32 and token.isprintable() and " " not in token):
            raise forms.ValidationError(_("WeChat takes a token of 3 to 32 characters."))
        if not token and not (self.instance.pk and self.instance.token_sealed):
            raise forms.ValidationError(_("Enter the token set in the WeChat back office."))
        return token

    def clean_aes_key(self) -> str:
        key = self.cleaned_data["aes_key"].strip()
        if key:
            try:
                valid = len(key) == 43 and len(base64.b64decode(key + "=")) == 32
            except (binascii.Error, ValueError):
                valid = False
            if not valid:
                raise forms.ValidationError(_("An EncodingAESKey has 43 letters and digits."))
        return key

    def save(self, commit: bool = True) -> OfficialAccount:
        account = super().save(commit=False)
        for field in ("token", "aes_key", "app_secret"):
            value = self.cleaned_data.get(field)
            if value:
                setattr(account, field, value)
        if commit:
            account.save()
        return account


@admin.register(OfficialAccount)
class OfficialAccountAdmin(admin.ModelAdmin):
    form = OfficialAccountForm
    list_display = ["community", "name", "app_id", "safe_mode", "templates", "active"]
    list_select_related = ["community"]
    search_fields = ["community__name", "community__code", "name"]
    readonly_fields = ["secrets_stored", "endpoint"]
    # In the order of the WeChat back office (开发 → 基本配置), then template messages.
    fieldsets = [
        (None, {"fields": ["community", "name", "active"]}),
        (
            _("Server configuration"),
            {"fields": ["endpoint", "app_id", "token", "aes_key", "secrets_stored"]},
        ),
        (_("Template messages"), {"fields": ["app_secret", "template_id"]}),
    ]

    @admin.display(description=_("Secrets stored"))
    def secrets_stored(self, obj: OfficialAccount) -> str:
        stored = [
            label
            for label, value in (
                ("Token", obj.token_sealed),
                ("EncodingAESKey", obj.aes_key_sealed),
                ("AppSecret", obj.app_secret_sealed),
            )
            if value
        ]
        return "、".join(stored) or "—"

    @admin.display(description=_("Server address (URL)"))
    def endpoint(self, obj: OfficialAccount) -> str:
        if not obj.pk:
            return "—"
        return f"{settings.SITE_URL.rstrip('/')}/wechat/{obj.community.code}/"

    @admin.display(boolean=True, description=_("Safe mode ready"))
    def safe_mode(self, obj: OfficialAccount) -> bool:
        return bool(obj.aes_key_sealed and obj.app_id)

    @admin.display(boolean=True, description=_("Template messages"))
    def templates(self, obj: OfficialAccount) -> bool:
        return obj.sends_templates
