import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.fabriques import CodeDnaFactory, CommuneFactory, StructureFactory
from abri.structures.models import Structure


def test_list_search_ignores_accents_and_case(client, national, parc):
    StructureFactory(
        nom="CADA Saint-Étienne Centre", departement=parc.rhone, capacite=10
    )
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"q": "saint etienne"})

    assert [s.nom for s in reponse.context["page"].object_list] == [
        "CADA Saint-Étienne Centre"
    ]


def test_list_search_finds_a_dna_code(client, national, parc):
    CodeDnaFactory(structure=parc.huda_ain, code="H0101")
    parc.huda_ain.recherche = parc.huda_ain.texte_recherche()
    parc.huda_ain.save()
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"q": "h0101"})

    assert [s.nom for s in reponse.context["page"].object_list] == ["HUDA de Bourg"]


def test_list_search_finds_a_commune(client, national, parc):
    lyon = CommuneFactory(code_insee="69123", nom="Lyon", departement=parc.rhone)
    StructureFactory(nom="HUDA Gerland", departement=parc.rhone, commune=lyon)
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"q": "lyon"})

    assert [s.nom for s in reponse.context["page"].object_list] == ["HUDA Gerland"]


def test_list_filters_by_region(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"region": "84"})

    noms = {s.nom for s in reponse.context["page"].object_list}
    assert noms == {"CADA des Pentes", "HUDA de Bourg"}


def test_list_sorts_by_places(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"tri": "-places"})

    places = [s.places_autorisees_au for s in reponse.context["page"].object_list]
    assert places == [80, 50, 40, 30]


def test_csv_export_neutralises_formulas(client, national, parc):
    Structure.objects.filter(pk=parc.huda_ain.pk).update(nom="=HYPERLINK(1)")
    client.force_login(national)

    contenu = client.get(reverse("structures:export", args=["csv"])).content.decode(
        "utf-8-sig"
    )

    assert "'=HYPERLINK(1)" in contenu
    assert ";=HYPERLINK" not in contenu


def test_unknown_export_format_answers_404(client, national, parc):
    client.force_login(national)

    assert client.get(reverse("structures:export", args=["pdf"])).status_code == 404


def _requetes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def _grossir_parc(parc, nombre: int) -> None:
    for i in range(nombre):
        structure = StructureFactory(
            departement=parc.rhone if i % 2 else parc.ain,
            operateur=parc.filiale,
            capacite=10,
        )
        CodeDnaFactory(structure=structure, code=f"C69{i:02d}")


@pytest.mark.parametrize(
    "url",
    [
        lambda parc: reverse("pilotage:accueil"),
        lambda parc: reverse("structures:liste"),
        lambda parc: reverse("structures:liste") + "?region=84&q=cada",
        lambda parc: reverse("structures:fiche", args=[parc.cada_rhone.pk]),
        lambda parc: reverse("operateurs:liste"),
        lambda parc: reverse("operateurs:fiche", args=[parc.filiale.pk]),
        lambda parc: reverse("pilotage:anomalies"),
    ],
    ids=[
        "accueil",
        "liste",
        "liste-filtree",
        "fiche",
        "operateurs",
        "operateur",
        "qualite",
    ],
)
def test_query_count_does_not_grow_with_the_park(url, client, regional, parc):
    client.force_login(regional)
    _requetes(client, url(parc))  # warms the per-process caches (content types)
    avant = _requetes(client, url(parc))

    _grossir_parc(parc, 30)

    assert _requetes(client, url(parc)) == avant


def test_dna_code_typed_with_a_space_finds_that_code_only(client, national, parc):
    for structure, code in [(parc.huda_ain, "H0101"), (parc.cada_rhone, "C0101")]:
        CodeDnaFactory(structure=structure, code=code)
        structure.recherche = structure.texte_recherche()
        structure.save()
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"q": "C 0101"})

    assert [s.nom for s in reponse.context["page"].object_list] == ["CADA des Pentes"]


def test_very_long_search_answers_a_page(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"q": " ".join(["mot"] * 2000)})

    assert reponse.status_code == 200


def test_filter_outside_the_perimeter_matches_nothing(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    reponse = client.get(reverse("structures:liste"), {"departement": "44"})

    assert list(reponse.context["page"].object_list) == []
    assert "pas valable pour votre périmètre" in reponse.content.decode()


def test_export_with_an_impossible_filter_exports_nothing(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    reponse = client.get(
        reverse("structures:export", args=["csv"]),
        {"departement": "44", "type": "CADA"},
    )

    lignes = reponse.content.decode("utf-8-sig").strip().splitlines()
    assert len(lignes) == 1  # the header alone


def test_huge_operator_filter_answers_a_page(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:liste"), {"operateur": "9" * 30})

    assert reponse.status_code == 200


def test_export_file_is_named_with_its_date(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:export", args=["xlsx"]))

    assert "structures-20" in reponse["Content-Disposition"]


def test_unknown_structure_answers_a_french_404_page(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("structures:fiche", args=[999_999]))

    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()


def test_refusal_answers_a_french_403_page(client, lecteur, parc):
    client.force_login(lecteur)

    reponse = client.get(reverse("structures:modifier", args=[parc.cph_paris.pk]))

    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


def test_structure_journal_reads_field_names_in_french(client, agent_rhone, parc):
    from abri.structures import services

    services.modifier_structure(
        agent_rhone, parc.cada_rhone.pk, {"nom": "CADA Neuf"}, 1
    )
    client.force_login(agent_rhone)

    contenu = client.get(reverse("structures:fiche", args=[parc.cada_rhone.pk])).content

    assert "<strong>Nom</strong> : CADA des Pentes → CADA Neuf" in contenu.decode()


def test_list_without_filters_shows_the_whole_perimeter(client, regional, parc):
    client.force_login(regional)

    reponse = client.get(reverse("structures:liste"))

    assert reponse.context["page"].paginator.count == 2
