from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerns.intake import fitting, model


def _staff_pairs(district: str) -> list[tuple[str, list[str], bool]]:
    try:
        from concerns.intake.store import labelled_pairs
    except ImportError as error:  # the store's labelled pairs are not installed
        raise CommandError(f"staff corrections are not available: {error}") from None
    return labelled_pairs(district)


class Command(BaseCommand):
    help = (
        "Rebuild the grouping model's weights file (concerns/intake/weights.json) from labelled "
        "pairs: the tuning sets' streams and, with --district, that district's staff "
        "corrections; the join bar is chosen on the validation sets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="add this district's staff corrections (its code)")
        parser.add_argument("--output", type=Path, default=model.WEIGHTS_FILE)
        parser.add_argument("--data", type=Path, default=fitting.DATA, help="the sets' folder")
        parser.add_argument(
            "--check", action="store_true", help="fit, and fail unless the output file is the same"
        )

    def handle(self, *args, **options):
        data = options["data"]
        tuning = fitting.existing(fitting.TUNING_SETS, data)
        validation = fitting.existing(fitting.VALIDATION_SETS, data)
        if not tuning or not validation:
            raise CommandError(f"no tuning or no validation sets in {data}")
        corrections = _staff_pairs(options["district"]) if options["district"] else []
        fitted = fitting.fit(tuning, validation, corrections)
        output: Path = options["output"]
        if options["check"]:
            if fitting.dumps(fitted) != output.read_text(encoding="utf-8"):
                raise CommandError(f"{output} is not what the labelled pairs fit")
            self.stdout.write(f"{output} is what the labelled pairs fit.")
            return
        fitting.write(fitted, output)
        figures = fitted["validation"]
        self.stdout.write(
            f"{output}: {fitted['pairs']} pairs, join at {fitted['join_probability']}; "
            f"validation P {figures['precision']} R {figures['recall']} F1 {figures['f1']}"  # type: ignore[index]
        )
