"""Load licensed ZRM anchor texts: `python manage.py import_zrm_anchors FILE.csv`.

CSV with a header row and the columns version, domain, level, text (comma or semicolon
separated, UTF-8). `version` is a version code (zrm-2017), name (ZRM 2017) or year (2017);
`domain` is the domain code (see the admin, Domeinen). The whole file is checked first: any
error rejects it and nothing is imported.
"""
from django.core.management.base import BaseCommand, CommandError

from zrm.services import AnchorImportError, import_anchor_texts


class Command(BaseCommand):
    help = "Importeer ZRM-ankerteksten uit een CSV-bestand (kolommen: version, domain, level, text)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="pad naar het CSV-bestand")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(f"Kan het bestand niet lezen: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError("Het bestand is geen UTF-8-tekst.") from exc
        try:
            count = import_anchor_texts(text)
        except AnchorImportError as exc:
            raise CommandError(
                "Niets geïmporteerd; het bestand bevat fouten:\n" + "\n".join(exc.errors)
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{count} ankerteksten geïmporteerd."))
