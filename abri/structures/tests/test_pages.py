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
