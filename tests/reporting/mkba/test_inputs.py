"""Overrides of a scenario's input: applied on a copy, marked 'handmatig', checked per kind of input."""
from reporting.mkba.inputs import apply_overrides

DOCUMENT = {
    "name": "Basis", "year": 2025,
    "team": {"memberFte": 2, "leaderFte": 0.5, "additionalShare": 0},
    "friction": {"share": 0},
    "extraTrajectories": [{"key": "schuldhulpverlening", "type": "schuldhulpverlening", "count": 3,
                           "source": "registratie"}],
    "benefits": [{"key": "escalation_ots", "category": "escalation", "label": "OTS", "count": 1,
                  "priceKey": "escalation_ots", "year": 1, "source": "registratie"}],
    "typeLabels": {"re_integratie": "Re-integratie"},
    "sources": {"friction.share": "standaard"},
}


def test_overrides_change_a_copy_and_mark_their_lines_handmatig():
    doc, issues = apply_overrides(DOCUMENT, {"values": {
        "friction.share": 0.4, "extraTrajectories.schuldhulpverlening.count": 5,
        "extraTrajectories.re_integratie.count": 2, "benefits.escalation_ots.year": 3, "priceBook.qaly": 50000,
    }, "benefits": [{"key": "handmatig_1", "category": "intangible", "label": "Buurt", "amount": 100, "year": 0}]})
    assert issues == []
    assert DOCUMENT["friction"]["share"] == 0 and DOCUMENT["extraTrajectories"][0]["count"] == 3  # untouched
    assert doc["friction"]["share"] == 0.4 and doc["sources"]["friction.share"] == "handmatig"
    lines = {line["key"]: line for line in doc["extraTrajectories"]}
    assert lines["schuldhulpverlening"] == {"key": "schuldhulpverlening", "type": "schuldhulpverlening", "count": 5,
                                            "source": "handmatig"}
    assert lines["re_integratie"]["count"] == 2 and lines["re_integratie"]["label"] == "Re-integratie"
    assert doc["benefits"][0]["year"] == 3 and doc["benefits"][0]["source"] == "handmatig"
    assert doc["benefits"][1]["source"] == "handmatig" and doc["priceBook"] == {"qaly": 50000}


def test_bad_overrides_are_reported_by_path_in_dutch():
    _, issues = apply_overrides(DOCUMENT, {"values": {
        "friction.share": 1.5, "team.memberFte": -1, "benefits.escalation_ots.year": 11, "team.kleur": 3,
        "benefits.bestaat_niet.count": 1, "coordination.households": "veel",
    }})
    messages = {issue.path: issue.message for issue in issues}
    assert messages == {
        "friction.share": "Vul een percentage tussen 0 en 100 in.",
        "team.memberFte": "Mag niet negatief zijn.",
        "benefits.escalation_ots.year": "Vul een heel jaar tussen 0 en 9 in.",
        "team.kleur": "Onbekend invoerveld.",
        "benefits.bestaat_niet.count": "Deze batenregel bestaat niet (meer).",
        "coordination.households": "Vul een getal in.",
    }
