"""The social worker's own households: ZRM progress per person in the open cases they direct."""
from __future__ import annotations

from django.urls import reverse

from cases.models import CaseStatus

from ..models import PersonProgress
from .formatting import Cell, Section, Table
from .names import CATEGORY_LABELS


def my_progress(user):
    """Progress of the persons in the open cases this user directs (a queryset, to be paged)."""
    return (
        PersonProgress.objects.filter(regisseur__user=user, case__status__in=[CaseStatus.REGISTERED,
                                                                               CaseStatus.IN_PROGRESS])
        .select_related("person", "case", "basis_version")
        .order_by("case_id", "person__date_of_birth", "person_id")
    )


def my_progress_section(rows: list[PersonProgress]) -> Section:
    table_rows, chart_labels, improved, equal, worse = [], [], [], [], []
    for row in rows:
        url = reverse("cases:case_detail", args=[row.case_id])
        name = f"{row.person.first_name} (casus {row.case_id})"
        table_rows.append([
            Cell(name, url=url, header=True),
            Cell(f"{row.baseline_date:%d-%m-%Y}"),
            Cell(f"{row.latest_date:%d-%m-%Y}" if row.has_followup else "nog geen vervolgmeting"),
            Cell(f"{row.baseline_problem_domains} → {row.latest_problem_domains}" if row.has_followup
                 else str(row.baseline_problem_domains)),
            Cell(f"{row.baseline_bucket} → {row.latest_bucket}" if row.has_followup else row.baseline_bucket),
            Cell(f"{CATEGORY_LABELS.get(row.baseline_category, '–')} → {CATEGORY_LABELS.get(row.latest_category, '–')}"
                 if row.has_followup else CATEGORY_LABELS.get(row.baseline_category, "–")),
            Cell(f"{row.domains_improved} / {row.domains_equal} / {row.domains_worse}" if row.has_followup else "–"),
            Cell("ja" if row.crossed_versions else "nee"),
        ])
        if row.has_followup:
            chart_labels.append(name)
            improved.append(row.domains_improved)
            equal.append(row.domains_equal)
            worse.append(row.domains_worse)
    section = Section("mijn-voortgang", "Voortgang van mijn huishoudens",
                      "Per persoon de eerste en de laatste vastgestelde ZRM in de casus.")
    section.tables.append(Table("ZRM-voortgang per persoon", [
        "Persoon", "Beginmeting", "Laatste meting", "Probleemdomeinen", "Klasse", "Categorie",
        "Domeinen vooruit / gelijk / achteruit", "Versies gekruist"], table_rows,
        note="" if table_rows else "Nog geen vastgestelde ZRM-metingen in uw open casussen."))
    section.chart = {"type": "bar", "labels": chart_labels, "stacked": True, "indexAxis": "y", "yTitle": "Domeinen",
                     "datasets": [{"label": "Vooruit", "data": improved}, {"label": "Gelijk", "data": equal},
                                  {"label": "Achteruit", "data": worse}]}
    return section
