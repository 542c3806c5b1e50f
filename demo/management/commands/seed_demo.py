"""Load fictitious demo data: teams, staff with demo logins, households, persons and cases.

`--scale demo` (default) is the small hand-built set of demo/small; `tiny`, `leeuwarden` and
`amsterdam` are the municipal-scale sets of demo/bulk, loaded into PostgreSQL with COPY.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import bulk, small
from reporting import services


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # Dutch thousands separator


def _decimal(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")  # Dutch decimal comma


class Command(BaseCommand):
    help = (
        "Laadt demogegevens (teams, medewerkers met demo-accounts, huishoudens, personen en casussen in elke "
        "status) in een lege database. Alleen voor demonstraties."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted({*small.SCALES, *bulk.COMMAND_SCALES}), default="demo",
            help="Omvang van de dataset: 'demo' (2 teams, 200 huishoudens), 'tiny' (2 teams, 400 casussen), "
                 "'leeuwarden' (8 teams, 40.000 casussen over 5 jaar, 250.000 ZRM-metingen) of 'amsterdam' "
                 "(tien keer Leeuwarden).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Doe niets als de database al gegevens bevat (voor `make run`).")
        parser.add_argument("--seed", type=int, default=small.DEFAULT_SEED,
                            help="Startwaarde van de generator; dezelfde seed geeft dezelfde gegevens.")
        parser.add_argument("--no-rebuild", action="store_true",
                            help="Grote schalen: sla het herberekenen van de rapportagecijfers na het laden over.")

    def handle(self, *args, scale, if_empty, seed, no_rebuild, **options):
        if scale in bulk.COMMAND_SCALES:
            return self._bulk(bulk.SCALES[scale], if_empty, seed, no_rebuild)
        if if_empty and small.has_data(small.SCALES[scale]):
            self.stdout.write("Demodata niet geladen: de database bevat al gegevens.")
            return
        try:
            summary = small.seed(scale, seed=seed)
        except small.DemoDataExists as exc:
            raise CommandError(
                f"{exc} Demodata gaan alleen in een lege database; gebruik --if-empty om dit over te slaan."
            ) from exc
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _bulk(self, scale, if_empty, seed, no_rebuild):
        if if_empty and bulk.has_data(scale):
            self.stdout.write("Demodata niet geladen: de database bevat al gegevens.")
            return
        today = timezone.localdate()
        try:
            c = bulk.seed(scale, today, seed_value=seed)
        except small.DemoDataExists as exc:
            raise CommandError(
                f"{exc} Demodata gaan alleen in een lege database; gebruik --if-empty om dit over te slaan."
            ) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Demodata geladen (schaal {scale.name}, seed {seed}): {c['teams']} teams, "
            f"{_decimal(c['fte'])} fte, {_number(c['staff'])} medewerkers, "
            f"{_number(c['households'])} huishoudens, {_number(c['persons'])} personen, "
            f"{_number(c['cases'])} casussen (aangemeld {_number(c['aangemeld'])}, "
            f"in behandeling {_number(c['in_behandeling'])}, afgesloten {_number(c['afgesloten'])}; "
            f"{_number(c['reopened'])} heropend), {_number(c['measurements'])} ZRM-metingen, "
            f"{_number(c['interventions'])} trajecten, {_number(c['plans'])} plannen, "
            f"{_number(c['escalations'])} escalaties in {_decimal(c['seconds'])} s."
        ))
        if no_rebuild:
            self.stdout.write("Rapportagecijfers niet herberekend (--no-rebuild); dat gebeurt 's nachts.")
            return
        run = services.rebuild_all(on=today, trigger="seed_demo")
        self.stdout.write(self.style.SUCCESS(
            f"Rapportagecijfers herberekend: {_number(run.cells_written or 0)} cellen in "
            f"{_decimal(run.duration_ms / 1000)} s."
        ))
