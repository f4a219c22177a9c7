from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from open311.models import ApiKey
from places.models import Area


class Command(BaseCommand):
    help = (
        "Create an Open311 API key for a partner organisation, limited to some areas. "
        "The key is printed once; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="the organisation's name, short name or id")
        parser.add_argument(
            "--area",
            dest="areas",
            action="append",
            required=True,
            metavar="CODE",
            help="an area code the key may report in (repeat for several)",
        )
        parser.add_argument("--name", default="", help="what the key is for")

    def handle(self, *args, organisation, areas, name, **options):
        lookup = Organisation.objects.filter(active=True)
        found = (
            lookup.filter(pk=int(organisation)).first()
            if organisation.isdigit()
            else lookup.filter(name=organisation).first()
            or lookup.filter(short_name=organisation).first()
        )
        if found is None:
            raise CommandError(f"No active organisation {organisation!r}.")
        area_objects = list(Area.objects.filter(code__in=areas))
        missing = sorted(set(areas) - {a.code for a in area_objects})
        if missing:
            raise CommandError(f"No area with code {', '.join(missing)}.")
        api_key, key = ApiKey.issue(name=name or found.name, organisation=found, areas=area_objects)
        self.stderr.write(f"Key {api_key.prefix}… for {found.name}; it is shown only now:")
        self.stdout.write(key)
