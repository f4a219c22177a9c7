"""Who acted, as the public may read it on a timeline ("社区", "居民"): never a personal name.

The labels go through the translations like every interface string, and are stored in the
site's language (settings.LANGUAGE_CODE) whatever language the person acting browses in, so a
timeline reads the same to everyone.
"""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

COMMUNITY = pgettext_lazy("actor", "Community")  # 社区: the community office, its staff
STREET = pgettext_lazy("actor", "Street office")  # 街道
DEPARTMENT = pgettext_lazy("actor", "Department")  # 职能部门
GRID_WORKER = pgettext_lazy("actor", "Grid worker")  # 网格员
RESIDENT = pgettext_lazy("actor", "Resident")  # 居民
RESIDENTS = pgettext_lazy("actor", "Residents")  # 居民 (ratings counted together)
PARTICIPANT = pgettext_lazy("actor", "Participant")  # 参会人
FIELD_TEAM = pgettext_lazy("actor", "Field-visit team")  # 调研组
SYSTEM = pgettext_lazy("actor", "System")  # 系统: reminders sent by the platform


def stored(label: str | Promise) -> str:
    """The label as an event stores it: in the site's language."""
    if isinstance(label, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            return str(label)
    return label
