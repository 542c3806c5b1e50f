from django.urls import path

from .aggregates import AggregatesExportView, AggregatesView, PeriodsView
from .research import ResearchExtractView

urlpatterns = [
    path("onderzoeksbestand", ResearchExtractView.as_view(), name="research-extract"),
    path("aggregaten", AggregatesView.as_view(), name="aggregates"),
    path("aggregaten/export", AggregatesExportView.as_view(), name="aggregates-export"),
    path("aggregaten/perioden", PeriodsView.as_view(), name="aggregates-periods"),
]
