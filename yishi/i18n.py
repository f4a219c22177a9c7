"""Interface text used by Django itself that Yishi translates its own way."""

from django.utils.translation import gettext_noop

# The suffix Django puts after every form label: Chinese forms use the full-width colon.
LABEL_SUFFIX = gettext_noop(":")
