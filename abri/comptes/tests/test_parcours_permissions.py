"""Walks every URL of the project for every role.

Each URL name must be described in ``COUVERTURE``: a new URL without a description
fails ``test_every_url_is_covered``. An object outside the perimeter answers 404 to
GET and POST alike; lists and exports show nothing outside the perimeter; a role
that may not write is refused.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from python_calamine import CalamineWorkbook

from abri.activite.models import (
    CorrespondanceOperateur,
    ImportActivite,
    LigneEnAttente,
)
from abri.appels.models import AppelAProjets, Candidature, Lot, ObjectifRegional
from abri.appels.tests.fabriques import appels_du_parc
from abri.comptes.droits import (
    peut_candidater,
    peut_creer_objectif,
    peut_declarer_activite,
    peut_deposer_budget,
    peut_deposer_document,
    peut_deposer_document_budget,
    peut_gerer_actes,
    peut_gerer_appels,
    peut_importer_activite,
    peut_importer_parc,
    peut_instruire_budget,
    peut_lire_journal_complet,
    peut_modifier_adresses,
    peut_modifier_operateur,
    peut_modifier_structure,
    peut_ouvrir_campagne,
    peut_signer_pour_operateur,
)
from abri.conventions.models import Acte, Cpom, Document
from abri.conventions.tests.conftest import actes_du_parc
from abri.finances.models import Budget, Campagne, DocumentBudget
from abri.finances.tests.fabriques import budgets_cpom_du_parc, donnees_finances
from abri.operateurs.models import Operateur
from abri.pilotage.models import Anomalie
from abri.pilotage.services import peut_justifier
from abri.structures.models import Site, Structure

PERSONAS = [
    "national",
    "regional",
    "agent_rhone",
    "agent_loire",
    "operateur",
    "lecteur",
]


@dataclass(frozen=True)
class Liste:
    """A page listing things of the perimeter; ``permis`` says who may open it."""

    url: Callable[[], str]
    permis: Callable = lambda user: True
    fichier: str = ""  # "csv" or "xlsx" for exports


@dataclass(frozen=True)
class Objet:
    """A page about one object; ``modele`` gives the objects, ``ecrit`` the writers."""

    modele: type
    url: Callable[[int], str]
    ecrit: Callable | None = None  # None: read-only page
    lecture_seule_get: bool = True


@dataclass(frozen=True)
class Publique:
    url: Callable[[], str]


COUVERTURE: dict[str, object] = {
    "pilotage:accueil": Liste(lambda: reverse("pilotage:accueil")),
    "pilotage:anomalies": Liste(lambda: reverse("pilotage:anomalies")),
    "pilotage:justifier": Objet(
        Anomalie,
        lambda pk: reverse("pilotage:justifier", args=[pk]),
        ecrit=peut_justifier,
        lecture_seule_get=False,
    ),
    "comptes:connexion": Publique(lambda: reverse("comptes:connexion")),
    "comptes:deconnexion": Publique(lambda: reverse("comptes:deconnexion")),
    "operateurs:liste": Liste(lambda: reverse("operateurs:liste")),
    "operateurs:fiche": Objet(
        Operateur, lambda pk: reverse("operateurs:fiche", args=[pk])
    ),
    "operateurs:modifier": Objet(
        Operateur,
        lambda pk: reverse("operateurs:modifier", args=[pk]),
        ecrit=peut_modifier_operateur,
    ),
    "operateurs:ajouter_contact": Objet(
        Operateur,
        lambda pk: reverse("operateurs:ajouter_contact", args=[pk]),
        ecrit=peut_modifier_operateur,
        lecture_seule_get=False,
    ),
    "structures:liste": Liste(lambda: reverse("structures:liste")),
    "structures:export": Liste(
        lambda: reverse("structures:export", args=["csv"]), fichier="csv"
    ),
    "structures:fiche": Objet(
        Structure, lambda pk: reverse("structures:fiche", args=[pk])
    ),
    "structures:modifier": Objet(
        Structure,
        lambda pk: reverse("structures:modifier", args=[pk]),
        ecrit=peut_modifier_structure,
    ),
    "structures:evenement": Objet(
        Structure,
        lambda pk: reverse("structures:evenement", args=[pk]),
        ecrit=peut_modifier_structure,
    ),
    "structures:transfert": Objet(
        Structure,
        lambda pk: reverse("structures:transfert", args=[pk]),
        ecrit=peut_modifier_structure,
    ),
    "structures:ajouter_site": Objet(
        Structure,
        lambda pk: reverse("structures:ajouter_site", args=[pk]),
        ecrit=peut_modifier_structure,
    ),
    "structures:supprimer_site": Objet(
        Site,
        lambda pk: reverse("structures:supprimer_site", args=[pk]),
        ecrit=peut_modifier_structure,
        lecture_seule_get=False,
    ),
    "structures:import_adresses": Objet(
        Structure,
        lambda pk: reverse("structures:import_adresses", args=[pk]),
        ecrit=peut_modifier_adresses,
    ),
    "structures:import_parc": Liste(
        lambda: reverse("structures:import_parc"), permis=peut_importer_parc
    ),
    "structures:modele_import_parc": Liste(
        lambda: reverse("structures:modele_import_parc"),
        permis=peut_importer_parc,
        fichier="xlsx",
    ),
    "activite:places": Liste(lambda: reverse("activite:places")),
    "activite:export": Liste(
        lambda: reverse("activite:export", args=["csv"]), fichier="csv"
    ),
    "activite:import": Liste(
        lambda: reverse("activite:import"), permis=peut_importer_activite
    ),
    "activite:en_attente": Liste(
        lambda: reverse("activite:en_attente"), permis=peut_importer_activite
    ),
    "activite:correspondances": Liste(
        lambda: reverse("activite:correspondances"), permis=peut_importer_activite
    ),
    "activite:rattacher": Objet(
        LigneEnAttente,
        lambda pk: reverse("activite:rattacher", args=[pk]),
        ecrit=peut_importer_activite,
    ),
    "activite:supprimer_correspondance": Objet(
        CorrespondanceOperateur,
        lambda pk: reverse("activite:supprimer_correspondance", args=[pk]),
        ecrit=peut_importer_activite,
        lecture_seule_get=False,
    ),
    "activite:declarer": Objet(
        Structure,
        lambda pk: reverse("activite:declarer", args=[pk]),
        ecrit=peut_declarer_activite,
    ),
    "finances:tableau": Liste(lambda: reverse("finances:tableau")),
    "finances:export": Liste(
        lambda: reverse("finances:export", args=["deficits", "csv"]), fichier="csv"
    ),
    "finances:tarifs": Liste(lambda: reverse("finances:tarifs")),
    "finances:campagnes": Liste(lambda: reverse("finances:campagnes")),
    "finances:ouvrir_campagne": Liste(
        lambda: reverse("finances:ouvrir_campagne"), permis=peut_ouvrir_campagne
    ),
    "finances:campagne": Objet(
        Campagne, lambda pk: reverse("finances:campagne", args=[pk])
    ),
    "finances:completer_campagne": Objet(
        Campagne,
        lambda pk: reverse("finances:completer_campagne", args=[pk]),
        ecrit=peut_ouvrir_campagne,
        lecture_seule_get=False,
    ),
    "finances:budget": Objet(Budget, lambda pk: reverse("finances:budget", args=[pk])),
    "finances:proposition": Objet(
        Budget,
        lambda pk: reverse("finances:proposition", args=[pk]),
        ecrit=peut_deposer_budget,
    ),
    "finances:comptes": Objet(
        Budget,
        lambda pk: reverse("finances:comptes", args=[pk]),
        ecrit=peut_deposer_budget,
    ),
    "finances:instruction": Objet(
        Budget,
        lambda pk: reverse("finances:instruction", args=[pk]),
        ecrit=peut_instruire_budget,
    ),
    "finances:affectation": Objet(
        Budget,
        lambda pk: reverse("finances:affectation", args=[pk]),
        ecrit=peut_instruire_budget,
    ),
    "finances:renvoyer": Objet(
        Budget,
        lambda pk: reverse("finances:renvoyer", args=[pk]),
        ecrit=peut_instruire_budget,
        lecture_seule_get=False,
    ),
    "finances:rouvrir_instruction": Objet(
        Budget,
        lambda pk: reverse("finances:rouvrir_instruction", args=[pk]),
        ecrit=peut_instruire_budget,
        lecture_seule_get=False,
    ),
    "finances:versement": Objet(
        Budget,
        lambda pk: reverse("finances:versement", args=[pk]),
        ecrit=peut_instruire_budget,
        lecture_seule_get=False,
    ),
    "finances:document": Objet(
        Budget,
        lambda pk: reverse("finances:document", args=[pk]),
        ecrit=peut_deposer_document_budget,
        lecture_seule_get=False,
    ),
    "finances:decision_tarifaire": Objet(
        Budget, lambda pk: reverse("finances:decision_tarifaire", args=[pk])
    ),
    "finances:telecharger": Objet(
        DocumentBudget, lambda pk: reverse("finances:telecharger", args=[pk])
    ),
    # conventions
    "conventions:liste": Liste(lambda: reverse("conventions:liste")),
    "conventions:export": Liste(
        lambda: reverse("conventions:export", args=["csv"]), fichier="csv"
    ),
    "conventions:echeances": Liste(lambda: reverse("conventions:echeances")),
    "conventions:import": Liste(
        lambda: reverse("conventions:import"), permis=peut_gerer_actes
    ),
    "conventions:acte": Objet(Acte, lambda pk: reverse("conventions:acte", args=[pk])),
    "conventions:etape": Objet(
        Acte,
        lambda pk: reverse("conventions:etape", args=[pk, "envoyer"]),
        ecrit=peut_gerer_actes,
        lecture_seule_get=False,
    ),
    "conventions:nouvel_avenant": Objet(
        Acte,
        lambda pk: reverse("conventions:nouvel_avenant", args=[pk]),
        ecrit=peut_gerer_actes,
    ),
    "conventions:denoncer": Objet(
        Acte,
        lambda pk: reverse("conventions:denoncer", args=[pk]),
        ecrit=peut_signer_pour_operateur,
    ),
    "conventions:renouveler": Objet(
        Acte,
        lambda pk: reverse("conventions:renouveler", args=[pk]),
        ecrit=peut_gerer_actes,
    ),
    "conventions:deposer": Objet(
        Acte,
        lambda pk: reverse("conventions:deposer", args=[pk]),
        ecrit=peut_deposer_document,
        lecture_seule_get=False,
    ),
    "conventions:brouillon": Objet(
        Acte,
        lambda pk: reverse("conventions:brouillon", args=[pk, "pdf"]),
        ecrit=peut_gerer_actes,
    ),
    "conventions:document": Objet(
        Document, lambda pk: reverse("conventions:document", args=[pk])
    ),
    "conventions:nouvel_acte": Objet(
        Structure,
        lambda pk: reverse("conventions:nouvel_acte", args=[pk]),
        ecrit=peut_gerer_actes,
    ),
    "conventions:cpom": Objet(Cpom, lambda pk: reverse("conventions:cpom", args=[pk])),
    "conventions:cpom_avenant": Objet(
        Cpom,
        lambda pk: reverse("conventions:cpom_avenant", args=[pk]),
        ecrit=peut_gerer_actes,
    ),
    "conventions:cpom_deposer": Objet(
        Cpom,
        lambda pk: reverse("conventions:cpom_deposer", args=[pk]),
        ecrit=peut_deposer_document,
        lecture_seule_get=False,
    ),
    "conventions:nouveau_cpom": Liste(
        lambda: reverse("conventions:nouveau_cpom"), permis=peut_gerer_actes
    ),
    "conventions:cpom_renouveler": Objet(
        Cpom,
        lambda pk: reverse("conventions:cpom_renouveler", args=[pk]),
        ecrit=peut_gerer_actes,
        lecture_seule_get=False,
    ),
    "conventions:ajouter_evaluation": Objet(
        Structure,
        lambda pk: reverse("conventions:ajouter_evaluation", args=[pk]),
        ecrit=peut_gerer_actes,
        lecture_seule_get=False,
    ),
    "conventions:cpom_etape": Objet(
        Cpom,
        lambda pk: reverse("conventions:cpom_etape", args=[pk, "envoyer"]),
        ecrit=peut_gerer_actes,
        lecture_seule_get=False,
    ),
    "conventions:cpom_adhesion": Objet(
        Cpom,
        lambda pk: reverse("conventions:cpom_adhesion", args=[pk]),
        ecrit=peut_gerer_actes,
        lecture_seule_get=False,
    ),
    # appels
    "appels:liste": Liste(lambda: reverse("appels:liste")),
    "appels:nouvel_appel": Liste(
        lambda: reverse("appels:nouvel_appel"), permis=peut_gerer_appels
    ),
    "appels:appel": Objet(AppelAProjets, lambda pk: reverse("appels:appel", args=[pk])),
    "appels:modifier": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:modifier", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    "appels:etape": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:etape", args=[pk, "publier"]),
        ecrit=peut_gerer_appels,
        lecture_seule_get=False,
    ),
    "appels:candidater": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:candidater", args=[pk]),
        ecrit=peut_candidater,
    ),
    "appels:instruction": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:instruction", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    "appels:import": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:import", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    "appels:recevoir": Objet(
        AppelAProjets,
        lambda pk: reverse("appels:recevoir", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    "appels:candidature": Objet(
        Candidature, lambda pk: reverse("appels:candidature", args=[pk])
    ),
    "appels:decider": Objet(
        Candidature,
        lambda pk: reverse("appels:decider", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    "appels:lettre": Objet(
        Candidature,
        lambda pk: reverse("appels:lettre", args=[pk, "docx"]),
        ecrit=peut_gerer_appels,
    ),
    "appels:ouvrir_lot": Objet(
        Lot,
        lambda pk: reverse("appels:ouvrir_lot", args=[pk]),
        ecrit=peut_gerer_appels,
        lecture_seule_get=False,
    ),
    "appels:ouverture": Liste(lambda: reverse("appels:ouverture")),
    "appels:lots": Liste(lambda: reverse("appels:lots")),
    "appels:objectifs": Liste(lambda: reverse("appels:objectifs")),
    "appels:nouvel_objectif": Liste(
        lambda: reverse("appels:nouvel_objectif"), permis=peut_creer_objectif
    ),
    "appels:objectif": Objet(
        ObjectifRegional, lambda pk: reverse("appels:objectif", args=[pk])
    ),
    "appels:planifier": Objet(
        ObjectifRegional,
        lambda pk: reverse("appels:planifier", args=[pk]),
        ecrit=peut_gerer_appels,
    ),
    # Readable by the perimeter; the opening form (POST) is for agents only.
    "appels:lot": Objet(Lot, lambda pk: reverse("appels:lot", args=[pk])),
    "appels:export": Liste(
        lambda: reverse("appels:export", args=["csv"]), fichier="csv"
    ),
    "journal:recherche": Liste(
        lambda: reverse("journal:recherche"), permis=peut_lire_journal_complet
    ),
}


LISTES_DE_STRUCTURES = {"structures:liste", "structures:export"}


def noms_des_urls(patterns=None, namespace: str | None = None) -> set[str]:
    noms = set()
    for motif in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(motif, URLResolver):
            if motif.namespace == "admin":
                continue
            noms |= noms_des_urls(motif.url_patterns, motif.namespace or namespace)
        elif isinstance(motif, URLPattern) and motif.name:
            noms.add(f"{namespace}:{motif.name}" if namespace else motif.name)
    return noms


def test_every_url_is_covered():
    manquantes = noms_des_urls() - set(COUVERTURE)
    assert not manquantes, f"URL sans règle de périmètre dans COUVERTURE : {manquantes}"


def test_no_covered_url_is_stale():
    assert set(COUVERTURE) - noms_des_urls() == set()


@pytest.fixture
def anomalies(parc, settings, tmp_path):
    donnees_finances(settings, tmp_path)
    for structure in Structure.objects.all():
        Site.objects.create(
            structure=structure, libelle="Siège", adresse="1 rue", code_postal="01000"
        )
    import_activite = ImportActivite.objects.create(nom_fichier="Liste 10.25.xlsx")
    for rang, departement in enumerate(
        [parc.rhone, parc.ain, parc.loire_atlantique, parc.paris]
    ):
        LigneEnAttente.objects.create(
            code_dna=f"C99{rang:02d}",
            mois=datetime.date(2025, 10, 1),
            operateur_libelle="INCONNU",
            departement=departement,
            import_activite=import_activite,
        )
    for operateur in Operateur.objects.all():
        CorrespondanceOperateur.objects.create(
            libelle=operateur.nom.upper(),
            cle=f"{operateur.nom.lower()} fichier",
            operateur=operateur,
        )
    actes_du_parc()
    assert budgets_cpom_du_parc()
    appels_du_parc()
    return [
        Anomalie.objects.create(structure=s, regle="DNA-02", message="Deux codes.")
        for s in Structure.objects.all()
    ]


def _obtenir(client, url: str):
    """GET ``url`` and read a streamed response to the end. A document download is a
    streamed file response: its file is closed when the response is, which the test
    client does once the content has been read to the end (closing the response by
    hand would also close the database connection, as at the end of a request)."""
    reponse = client.get(url)
    if reponse.streaming:
        b"".join(reponse.streaming_content)
    return reponse


def _hors_perimetre(modele: type, user) -> list:
    visibles = modele.objects.for_user(user).values_list("pk", flat=True)
    return list(modele.objects.exclude(pk__in=list(visibles)))


def _dans_perimetre(modele: type, user) -> list:
    return list(modele.objects.for_user(user))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "nom", sorted(n for n, r in COUVERTURE.items() if isinstance(r, Objet))
)
def test_object_outside_perimeter_answers_404(nom, persona, request, client, anomalies):
    user = request.getfixturevalue(persona)
    regle = COUVERTURE[nom]
    client.force_login(user)
    dehors = _hors_perimetre(regle.modele, user)
    if persona == "national":
        assert dehors == []
    for obj in dehors:
        url = regle.url(obj.pk)
        assert _obtenir(client, url).status_code in {404, 405}, url
        assert client.post(url, {"justification": "x"}).status_code == 404, url


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "nom", sorted(n for n, r in COUVERTURE.items() if isinstance(r, Objet))
)
def test_object_inside_perimeter_is_served_to_whom_may(
    nom, persona, request, client, anomalies
):
    user = request.getfixturevalue(persona)
    regle = COUVERTURE[nom]
    client.force_login(user)
    for obj in _dans_perimetre(regle.modele, user):
        url = regle.url(obj.pk)
        reponse = _obtenir(client, url)
        if not regle.lecture_seule_get:
            assert reponse.status_code == 405, url
        elif regle.ecrit is None or regle.ecrit(user):
            assert reponse.status_code == 200, url
        else:
            assert reponse.status_code == 403, url
        if regle.ecrit is not None and not regle.ecrit(user):
            assert client.post(url, {}).status_code == 403, url


def _contenu(reponse, fichier: str) -> str:
    if fichier == "xlsx":
        classeur = CalamineWorkbook.from_filelike(io.BytesIO(reponse.content))
        return " ".join(
            str(cellule)
            for nom in classeur.sheet_names
            for ligne in classeur.get_sheet_by_name(nom).to_python()
            for cellule in ligne
        )
    if fichier == "csv":
        return reponse.content.decode("utf-8-sig")
    return reponse.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "nom", sorted(n for n, r in COUVERTURE.items() if isinstance(r, Liste))
)
def test_lists_show_nothing_outside_perimeter(nom, persona, request, client, parc):
    user = request.getfixturevalue(persona)
    regle = COUVERTURE[nom]
    client.force_login(user)
    reponse = client.get(regle.url())
    if not regle.permis(user):
        assert reponse.status_code == 403
        return
    assert reponse.status_code == 200
    contenu = _contenu(reponse, regle.fichier).replace("&#x27;", "'")
    for structure in _hors_perimetre(Structure, user):
        assert structure.nom not in contenu, (nom, structure.nom)
    if nom in LISTES_DE_STRUCTURES:
        for structure in _dans_perimetre(Structure, user):
            assert structure.nom in contenu, (nom, structure.nom)


@pytest.mark.parametrize(
    "nom", sorted(n for n, r in COUVERTURE.items() if not isinstance(r, Publique))
)
def test_anonymous_user_is_sent_to_login(nom, client, parc, anomalies):
    regle = COUVERTURE[nom]
    if isinstance(regle, Publique):
        return
    if isinstance(regle, Objet):
        url = regle.url(regle.modele.objects.order_by("pk").first().pk)
    else:
        url = regle.url()
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reverse("comptes:connexion") in reponse["Location"]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "national"])
def test_admin_is_refused_to_all_but_national_admins(persona, request, client):
    client.force_login(request.getfixturevalue(persona))
    reponse = client.get(reverse("admin:index"))
    assert reponse.status_code == 302
    assert reverse("admin:login") in reponse["Location"]


def test_admin_is_open_to_national_admin(national, client):
    client.force_login(national)
    assert client.get(reverse("admin:index")).status_code == 200
