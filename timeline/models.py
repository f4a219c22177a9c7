"""One row per state change of anything: the story of every object is read from here."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    # Indexed with subject_id in Meta.indexes, not on its own.
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # A dotted verb such as "issue.escalated", declared in its app's verbs module (see
    # timeline.verbs: labels, who may see it, resident wording).
    verb = models.CharField(_("what happened"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who acted, as the public may read it ("网格员", "居民"): never a personal name.
    actor_label = models.CharField(_("by (public)"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("public"), default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The outbox: False until the work deferred out of requests (planning notifications, in
    # `manage.py send_notifications`) has seen the event. Written with the event, in its
    # transaction, so a crash between the commit and that work loses nothing.
    dispatched = models.BooleanField(_("dispatched"), default=False)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "created_at"]),
            # Small: only the events waiting in the outbox.
            models.Index(fields=["id"], condition=models.Q(dispatched=False), name="event_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} #{self.subject_id}"

    @property
    def label(self) -> str:
        from timeline.verbs import label_for

        return label_for(self.verb)

    @property
    def resident_label(self) -> str:
        """How the step reads to residents ("" when they are not shown it)."""
        from timeline.verbs import resident_label_for

        return resident_label_for(self.verb)
