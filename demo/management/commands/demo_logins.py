"""Print the demo accounts (username, role, team), the shared demo password and the URL."""
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
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {small.DEMO_PASSWORD}; alleen voor demo's):")
        self.stdout.write("")
        self.stdout.write(line.format(*header).rstrip())
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
