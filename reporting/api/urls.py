from django.urls import path

from .research import ResearchExtractView

urlpatterns = [
    path("onderzoeksbestand", ResearchExtractView.as_view(), name="research-extract"),
]
