"""Licensed anchor texts are imported from a CSV file: all or nothing, with clear errors."""
import pytest
from django.core.management import CommandError, call_command

from tests.zrm.factories import case_with_adult
from zrm.models import AnchorText

pytestmark = pytest.mark.django_db

GOOD = (
    "version,domain,level,text\n"
    "ZRM 2017,financien,1,Groeiende complexe schulden.\n"
    "zrm-2017,financien,5,Vrij besteedbaar inkomen en verstandige uitgaven.\n"
    "2013,opvang,3,\"Opvang geregeld, maar kwetsbaar.\"\n"
)


def write(tmp_path, text, name="ankers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_file_is_imported_and_reimporting_replaces_texts(tmp_path, capsys):
    call_command("import_zrm_anchors", write(tmp_path, GOOD))
    assert "3 ankerteksten geïmporteerd." in capsys.readouterr().out
    assert AnchorText.objects.get(domain__version__code="zrm-2017", domain__code="financien", level=1).text == (
        "Groeiende complexe schulden.")
    assert AnchorText.objects.get(domain__version__code="zrm-2013", domain__code="opvang", level=3).text == (
        "Opvang geregeld, maar kwetsbaar.")
    call_command("import_zrm_anchors", write(tmp_path, "version;domain;level;text\nZRM 2017;financien;1;Nieuw.\n"))
    assert AnchorText.objects.count() == 3
    assert AnchorText.objects.get(domain__code="financien", level=1, domain__version__code="zrm-2017").text == "Nieuw."


def test_an_unknown_domain_code_names_the_row_and_code_and_nothing_is_imported(tmp_path):
    bad = GOOD + "ZRM 2017,dagbesteding,2,Geen dagbesteding.\n"  # a 2013 domain under 2017
    with pytest.raises(CommandError) as excinfo:
        call_command("import_zrm_anchors", write(tmp_path, bad))
    message = str(excinfo.value)
    assert "Niets geïmporteerd" in message
    assert "Regel 5: onbekende domeincode 'dagbesteding' in ZRM 2017." in message
    assert AnchorText.objects.count() == 0


def test_every_error_in_a_bad_file_is_listed(tmp_path):
    bad = ("version,domain,level,text\n"
           "ZRM 2099,financien,1,x\n"
           "ZRM 2017,financien,6,x\n"
           "ZRM 2017,justitie,2,\n"
           "ZRM 2017,justitie,3,a\n"
           "ZRM 2017,justitie,3,b\n")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_zrm_anchors", write(tmp_path, bad))
    message = str(excinfo.value)
    assert "Regel 2: onbekende versie 'ZRM 2099'." in message
    assert "Regel 3: niveau '6' moet 1, 2, 3, 4 of 5 zijn." in message
    assert "Regel 4: de tekst is leeg." in message
    assert "Regel 6: Justitie niveau 3 staat dubbel in het bestand." in message
    assert AnchorText.objects.count() == 0


def test_missing_column_or_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="kolom 'level' ontbreekt"):
        call_command("import_zrm_anchors", write(tmp_path, "version,domain,text\nZRM 2017,financien,x\n"))
    with pytest.raises(CommandError, match="Kan het bestand niet lezen"):
        call_command("import_zrm_anchors", str(tmp_path / "bestaat-niet.csv"))


def test_the_entry_screen_shows_anchor_texts_when_present_and_works_without(tmp_path, client):
    case, person = case_with_adult()
    client.force_login(case.regisseur.user)
    url = f"/zrm/casussen/{case.pk}/personen/{person.pk}/nieuwe-meting"
    response = client.get(url)
    assert response.status_code == 200 and "zrm-level__anchor" not in response.content.decode()
    call_command("import_zrm_anchors", write(tmp_path, GOOD))
    html = client.get(url).content.decode()
    assert '<span class="zrm-level__anchor">Groeiende complexe schulden.</span>' in html
