"""Print the demo accounts (username, role, team), the shared demo password and the URL."""
from django.conf import settings
from django.core.management.base import BaseCommand

from demo import small


class Command(BaseCommand):
    help = "Toont de demo-accounts met rol en team, het demowachtwoord en het adres van de app."

    def handle(self, *args, **options):
        rows = [
            (m.user.username, str(m.get_role_display()), m.team.name if m.team else "—")
            for m in small.demo_users()
        ]
        if not rows:
            self.stdout.write("Geen demo-accounts gevonden. Laad ze met: python manage.py seed_demo")
            return
        header = ("Gebruikersnaam", "Rol", "Team")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        line = "  ".join("{:<%d}" % w for w in widths)
        self.stdout.write("")
        self.stdout.write(f"Wijkregie draait op {small.DEMO_URL}")
        self.stdout.write("")
        # A first authenticator app needs a beheerder's one-time code (common.enrolment), demo accounts too.
        state = "aan" if settings.REQUIRE_2FA else "uit (WIJKREGIE_REQUIRE_2FA=false)"
        self.stdout.write(f"Tweestapsverificatie staat {state}. Staat zij aan, dan vraagt de eerste aanmelding van "
                          "een account een inschrijfcode")
        self.stdout.write("voordat de authenticator-app gekoppeld wordt. Geef die uit met:")
        self.stdout.write("  python manage.py issue_enrolment_code <gebruikersnaam>")
        self.stdout.write("of als beheerder in /beheer/ (Gebruikers, actie \"Inschrijfcode voor tweestapsverificatie "
                          "uitgeven\").")
        self.stdout.write("")
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {small.DEMO_PASSWORD}; alleen voor demo's):")
        self.stdout.write("")
        self.stdout.write(line.format(*header).rstrip())
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
