"""Load fictitious demo data: teams, staff with demo logins, households, persons and cases."""
from django.core.management.base import BaseCommand, CommandError

from cases import demo


class Command(BaseCommand):
    help = (
        "Laadt demogegevens (teams, medewerkers met demo-accounts, huishoudens, personen en casussen in elke "
        "status) in een lege database. Alleen voor demonstraties."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="demo",
                            help="Omvang van de dataset (nu alleen 'demo': 2 teams, 200 huishoudens).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Doe niets als de database al gegevens bevat (voor `make run`).")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED,
                            help="Startwaarde van de generator; dezelfde seed geeft dezelfde gegevens.")

    def handle(self, *args, scale, if_empty, seed, **options):
        if if_empty and demo.has_data(demo.SCALES[scale]):
            self.stdout.write("Demodata niet geladen: de database bevat al gegevens.")
            return
        try:
            summary = demo.seed(scale, seed=seed)
        except demo.DemoDataExists as exc:
            raise CommandError(
                f"{exc} Demodata gaan alleen in een lege database; gebruik --if-empty om dit over te slaan."
            ) from exc
        self.stdout.write(self.style.SUCCESS(summary.line()))
