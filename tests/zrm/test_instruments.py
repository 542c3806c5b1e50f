"""ZRM versions ship as data: the right domains, labels and mapping; one active version."""
import pytest
from django.db import IntegrityError, transaction

from common.audit import Actor
from common.models import AuditEvent
from tests.zrm.factories import CHILD_CODES, CODES_2013, CODES_2017, version
from zrm import selectors, services
from zrm.models import Domain, DomainMapping, InstrumentVersion, LevelLabel

pytestmark = pytest.mark.django_db


def test_zrm_2013_loads_eleven_domains_plus_the_four_domain_child_module():
    domains = list(Domain.objects.filter(version__code="zrm-2013").order_by("order"))
    assert [d.code for d in domains if not d.is_child_module] == CODES_2013
    assert [d.code for d in domains if d.is_child_module] == CHILD_CODES
    assert len(domains) == 15


def test_zrm_2017_loads_thirteen_domains_without_a_child_module():
    domains = list(Domain.objects.filter(version__code="zrm-2017").order_by("order"))
    assert [d.code for d in domains] == CODES_2017
    assert not any(d.is_child_module for d in domains)
    assert domains[1].name == "Werk & opleiding"


def test_both_versions_carry_the_five_public_level_labels():
    for code in ("zrm-2013", "zrm-2017"):
        labels = dict(LevelLabel.objects.filter(version__code=code).values_list("level", "label"))
        assert labels == {1: "Acute problematiek", 2: "Niet zelfredzaam", 3: "Beperkt zelfredzaam",
                          4: "Voldoende zelfredzaam", 5: "Volledig zelfredzaam"}


def test_domain_aliases_name_the_other_names_in_use():
    assert "Inkomen" in Domain.objects.get(version__code="zrm-2013", code="financien").aliases
    assert "Gezinsrelaties" in Domain.objects.get(version__code="zrm-2013", code="huiselijke_relaties").aliases
    assert "Fysieke gezondheid" in Domain.objects.get(version__code="zrm-2013", code="lichamelijke_gezondheid").aliases


def test_mapping_2013_to_2017_splits_dagbesteding_and_adl_and_renames_verslaving():
    mapping = {}
    for src, tgt in DomainMapping.objects.values_list("source__code", "target__code"):
        mapping.setdefault(src, set()).add(tgt)
    assert mapping["dagbesteding"] == {"werk_opleiding", "tijdsbesteding"}
    assert mapping["adl"] == {"basale_adl", "instrumentele_adl"}
    assert mapping["verslaving"] == {"middelengebruik"}
    for same in ("financien", "huisvesting", "huiselijke_relaties", "geestelijke_gezondheid",
                 "lichamelijke_gezondheid", "sociaal_netwerk", "maatschappelijke_participatie", "justitie"):
        assert mapping[same] == {same}
    assert not set(CHILD_CODES) & set(mapping)
    # every 2017 domain has exactly one 2013 parent
    targets = list(DomainMapping.objects.values_list("target__code", flat=True))
    assert sorted(targets) == sorted(CODES_2017)


def test_2017_domains_report_in_the_groningen_cluster_of_their_2013_parent():
    clusters_2013 = dict(Domain.objects.filter(version__code="zrm-2013").values_list("code", "cluster"))
    for mapping in DomainMapping.objects.select_related("source", "target"):
        assert mapping.target.cluster == clusters_2013[mapping.source.code]
    assert clusters_2013["financien"] == clusters_2013["huisvesting"] == "financien"
    assert {clusters_2013[c] for c in CHILD_CODES} == {"opvoeding"}


def test_zrm_2017_is_the_active_version_and_a_beheerder_can_switch(social_worker):
    assert selectors.active_version().code == "zrm-2017"
    services.set_active_version(actor=Actor(user=social_worker.user), version=version("zrm-2013"))
    assert selectors.active_version().code == "zrm-2013"
    assert InstrumentVersion.objects.filter(is_active=True).count() == 1
    assert AuditEvent.objects.filter(object_type="instrumentversion", action="update").exists()


def test_the_database_allows_only_one_active_version_per_instrument():
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentVersion.objects.filter(code="zrm-2013").update(is_active=True)


def test_old_measurements_keep_their_version_after_the_municipality_switches(social_worker):
    from tests.zrm.factories import case_with_adult, record

    case, person = case_with_adult()
    old = record(case, person)
    draft = record(case, person, finalise=False, type="tussenmeting")
    services.set_active_version(actor=Actor(user=social_worker.user), version=version("zrm-2013"))
    old.refresh_from_db()
    assert old.version.code == "zrm-2017"
    # a concept started under 2017 is finished under 2017; a new measurement uses 2013
    finished = services.finalise_measurement(actor=Actor(user=case.regisseur.user), measurement=draft).measurement
    assert finished.version.code == "zrm-2017" and finished.scores.count() == 13
    assert record(case, person, type="tussenmeting", scores={"dagbesteding": 3}).version.code == "zrm-2013"
