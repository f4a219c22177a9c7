from django.core.management.base import BaseCommand, CommandError

from concerns.intake import model, store
from places.models import Area


def evaluate(community: Area) -> dict[str, int]:
    """Today's model on the community's own labelled pairs: how many it would join that staff
    said are one matter (tp), join that are not (fp), keep apart that are (fn), keep apart that
    are not (tn); pairs whose issue had no other concern are skipped."""
    names = store.place_names(community)
    district = store.district_id(community)
    tally = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "skipped": 0}
    for text, texts, same in store.community_labels(community):
        if not texts:
            tally["skipped"] += 1
            continue
        reading = model.read(text, names)
        others = [model.read(other, names) for other in texts]
        terms = frozenset().union(*map(model.document_terms, [reading, *others]))
        weights = model.idf(*store.term_counts(district, terms))
        stored = ""
        for other in others:
            stored = model.fold(stored, other, weights)
        joined = model.probability(reading, stored, weights) >= model.JOIN_PROBABILITY
        tally[("t" if joined == same else "f") + ("p" if joined else "n")] += 1
    return tally


class Command(BaseCommand):
    help = (
        "Precision and recall of today's grouping model on one community's own corrections "
        "by staff (every confirm, move, merge and split is kept as a labelled pair)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="the community's area code")

    def handle(self, *args, community: str, **options):
        area = store.community_by_code(community)
        if area is None:
            raise CommandError(f"No community with code {community!r}.")
        tally = evaluate(area)
        labelled = sum(tally.values())
        rated = labelled - tally["skipped"]
        tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
        out = self.stdout.write
        out(f"{area.code} {area.name}: {labelled} labelled pairs from staff, {rated} rated")
        if not rated:
            out("No pair to rate yet: staff have confirmed, moved, merged or split nothing here.")
            return
        precision = f"{tp / (tp + fp):.3f}" if tp + fp else "-"
        recall = f"{tp / (tp + fn):.3f}" if tp + fn else "-"
        out(f"joins at probability ≥ {model.JOIN_PROBABILITY:.2f}")
        out(f"precision {precision}  recall {recall}")
        out(
            f"joined rightly {tp}, joined wrongly {fp}, kept apart wrongly {fn}, "
            f"kept apart rightly {tally['tn']}, skipped {tally['skipped']} "
            "(the issue had no other concern)"
        )
