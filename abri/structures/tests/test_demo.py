import datetime
import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from abri.communs.erreurs import ErreurMetier
from abri.operateurs.models import Operateur
from abri.operateurs.regles import siret_valide
from abri.structures import demo, regles
from abri.structures.models import CodeDna, Structure, TypeStructure
from abri.territoires.models import CodePostal, Departement
from abri.territoires.services import charger_referentiel

DEPARTEMENTS = ["01", "2A", "973"]
Territoire = tuple[list[demo.RegionDemo], list[demo.DepartementDemo]]


@pytest.fixture
def territoire(db):
    charger_referentiel(communes=False)
    return demo.charger_territoire()


@pytest.fixture
def communes(db):
    charger_referentiel(departements=DEPARTEMENTS)


def plan(territoire: Territoire, seed: int = 2026, echelle: float = 1) -> demo.PlanParc:
    regions, departements = territoire
    return demo.planifier_parc(seed, echelle, regions, departements)


def parc() -> list[tuple]:
    structures = Structure.objects.avec_capacite(datetime.date(2026, 1, 1))
    return [
        (
            s.nom,
            s.type,
            s.commune_id,
            s.code_postal,
            s.adresse,
            s.finess,
            s.operateur.nom,
            s.places_autorisees_au,
            tuple(s.codes_dna.values_list("code", flat=True)),
            tuple(s.adresses.values_list("adresse", "commune_id", "places_autorisees")),
            tuple(s.evenements.values_list("date_effet", "acte", "places_autorisees")),
        )
        for s in structures.select_related("operateur").order_by("id")
    ]


def test_repartir_keeps_the_total_and_the_caps():
    parts = demo.repartir(100, [5, 1, 1, 3], plafonds=[30, 50, 50, 50])

    assert sum(parts) == 100
    assert parts[0] == 30
    assert parts[3] > parts[1]


def test_sizes_stay_within_the_bounds_of_the_type():
    gabarit = demo.GABARITS[TypeStructure.CADA]

    tailles = demo.tailles_structures(random.Random(1), 4_500, gabarit)

    assert sum(tailles) == 4_500
    assert min(tailles) >= 30
    assert max(tailles) <= 250
    assert 80 <= sum(tailles) / len(tailles) <= 100


def test_regional_targets_add_up_to_the_2022_national_totals(territoire):
    regions, _ = territoire

    objectifs = demo.objectifs_regionaux({r.code: r.population for r in regions})

    assert len(objectifs) == 18
    assert sum(o[TypeStructure.CPH] for o in objectifs.values()) == 9_918
    assert sum(sum(o.values()) for o in objectifs.values()) == 113_832
    assert objectifs["11"][TypeStructure.CPH] == 3_166  # Île-de-France, 2022


def test_the_park_is_split_by_type_like_the_real_one(territoire):
    structures = plan(territoire).structures

    places = Counter()
    for s in structures:
        places[s.type] += s.places
    parts = {t: places[t] / 113_832 for t in TypeStructure}
    assert 1_100 <= len(structures) <= 1_300
    assert 0.38 <= parts[TypeStructure.HUDA] <= 0.50
    assert 0.36 <= parts[TypeStructure.CADA] <= 0.45
    assert 0.07 <= parts[TypeStructure.CPH] <= 0.10
    assert 0.06 <= parts[TypeStructure.CAES] + parts[TypeStructure.PRAHDA] <= 0.12


def test_every_departement_has_structures_overseas_included(territoire):
    structures = plan(territoire).structures

    par_departement = Counter(s.departement for s in structures)
    assert len(par_departement) == 101
    assert par_departement["976"] < par_departement["75"]


def test_operators_form_national_groups_and_independent_associations(territoire):
    operateurs = plan(territoire).operateurs

    groupes = [o for o in operateurs if o.groupe is None and not o.departement]
    filiales = Counter(o.groupe for o in operateurs if o.groupe is not None)
    assert 280 <= len(operateurs) <= 320
    assert len(groupes) == 15
    assert all(2 <= n <= 10 for n in filiales.values())
    assert len({o.nom for o in operateurs}) == len(operateurs)


def test_dna_codes_are_unique_and_a_few_are_deliberately_incoherent(territoire):
    structures = plan(territoire).structures

    codes = [c for s in structures for c in s.codes_dna]
    incoherents = [s for s in structures if s.code_incoherent]
    assert len(codes) == len(set(codes))
    assert all(regles.normaliser_code_dna(c) == c for c in codes)
    assert 0.005 * len(structures) <= len(incoherents) <= 0.015 * len(structures)


def test_finess_numbers_start_with_the_departement(territoire):
    structures = plan(territoire).structures

    autorisees = [s for s in structures if s.type in ("CADA", "CPH")]
    assert all(regles.finess_valide(s.finess, s.departement) for s in autorisees)
    assert not any(s.finess for s in structures if s.type not in ("CADA", "CPH"))


def test_same_seed_plans_the_same_park_and_another_seed_another(territoire):
    premier, second, autre = (plan(territoire, seed) for seed in (7, 7, 8))

    assert premier == second
    assert premier.structures != autre.structures


def test_generation_is_identical_for_the_same_seed(communes):
    demo.generer_parc(seed=7, departements=DEPARTEMENTS)
    premier = parc()
    demo.supprimer_parc_demo()

    demo.generer_parc(seed=7, departements=DEPARTEMENTS)

    assert parc() == premier
    assert len(premier) > 10


def test_another_seed_generates_another_park(communes):
    demo.generer_parc(seed=7, departements=DEPARTEMENTS)
    premier = parc()
    demo.supprimer_parc_demo()

    demo.generer_parc(seed=8, departements=DEPARTEMENTS)

    assert parc() != premier


def test_restricted_generation_keeps_the_structures_of_the_whole_park(
    communes, territoire
):
    prevues = [s for s in plan(territoire).structures if s.departement in DEPARTEMENTS]

    demo.generer_parc(departements=DEPARTEMENTS)

    codes = sorted(c for s in prevues for c in s.codes_dna)
    assert sorted(CodeDna.objects.values_list("code", flat=True)) == codes


def test_operators_have_valid_sirets(communes):
    demo.generer_parc(departements=DEPARTEMENTS)

    sirets = list(Operateur.objects.values_list("siret", flat=True))
    assert sirets
    assert all(siret_valide(s) for s in sirets)


def test_structures_stand_in_a_commune_of_their_departement(communes):
    demo.generer_parc(departements=DEPARTEMENTS)

    postaux = set(CodePostal.objects.values_list("code", "commune_id"))
    for s in Structure.objects.select_related("commune"):
        assert s.commune.departement_id == s.departement_id
        assert (s.code_postal, s.commune_id) in postaux
        assert s.recherche == s.texte_recherche()


def test_addresses_carry_the_authorised_places_but_for_the_deliberate_gaps(
    communes,
):
    compteurs = demo.generer_parc(departements=DEPARTEMENTS)

    ecarts = 0
    structures = Structure.objects.avec_capacite(datetime.date(2026, 1, 1)).annotate(
        places_adresses=Sum("adresses__places_autorisees")
    )
    for s in structures:
        if s.places_adresses != s.places_autorisees_au:
            ecarts += 1
            assert regles.ecart_adresses_excessif(
                s.places_adresses, s.places_autorisees_au
            )
        assert s.type_bati == regles.type_bati_des_adresses(
            s.adresses.values_list("type_bati", flat=True)
        )
    assert ecarts == compteurs["ecarts_adresses"]


def test_specialised_places_exceed_authorised_only_where_planned(communes):
    compteurs = demo.generer_parc(departements=DEPARTEMENTS)

    structures = Structure.objects.avec_capacite(datetime.date(2026, 1, 1))
    invalides = [
        s
        for s in structures
        if not regles.Capacite(
            s.places_autorisees_au,
            s.places_pmr_au,
            s.places_lgbt_au,
            s.places_fvv_teh_au,
        ).est_valide
    ]
    assert len(invalides) == compteurs["places_specialisees_excessives"]


def test_generation_refuses_a_base_that_has_structures(communes):
    demo.generer_parc(departements=["2A"])

    with pytest.raises(ErreurMetier):
        demo.generer_parc(departements=["2A"])


def test_si_vide_generates_nothing_the_second_time(communes):
    call_command(
        "generer_parc_demo", "--departement", "01", "--si-vide", stdout=StringIO()
    )
    avant = Structure.objects.count(), Operateur.objects.count()
    sortie = StringIO()

    call_command("generer_parc_demo", "--departement", "01", "--si-vide", stdout=sortie)

    assert (Structure.objects.count(), Operateur.objects.count()) == avant
    assert "rien n'est généré" in sortie.getvalue()


def test_command_refuses_to_run_twice_without_a_flag(communes):
    call_command("generer_parc_demo", "--departement", "2A", stdout=StringIO())

    with pytest.raises(CommandError):
        call_command("generer_parc_demo", "--departement", "2A", stdout=StringIO())


def test_remplacer_rebuilds_the_demo_park_without_duplicates(communes):
    call_command("generer_parc_demo", "--departement", "01", stdout=StringIO())
    avant = Structure.objects.count(), Operateur.objects.count()

    call_command(
        "generer_parc_demo", "--departement", "01", "--remplacer", stdout=StringIO()
    )

    assert (Structure.objects.count(), Operateur.objects.count()) == avant


def test_remplacer_refuses_when_a_structure_is_not_from_the_demo(communes):
    demo.generer_parc(departements=["2A"])
    Structure.objects.create(
        type=TypeStructure.CADA,
        nom="CADA saisi à la main",
        operateur=Operateur.objects.first(),
        departement=Departement.objects.get(code="2A"),
        public="tous",
    )

    with pytest.raises(ErreurMetier):
        demo.supprimer_parc_demo()

    assert Structure.objects.count() > 1


def test_full_park_at_scale_1_carries_the_national_places(db):
    charger_referentiel()

    compteurs = demo.generer_parc()

    places = Structure.objects.avec_capacite(datetime.date(2026, 1, 1)).aggregate(
        total=Sum("places_autorisees_au")
    )
    assert places["total"] == compteurs["places_autorisees"] == 113_832
    assert Structure.objects.count() == compteurs["structures"]
    assert Structure.objects.values("departement").distinct().count() == 101


def test_remplacer_keeps_everything_when_an_account_points_at_a_demo_operator(
    communes, django_user_model
):
    demo.generer_parc(departements=["2A"])
    avant = Structure.objects.count()
    django_user_model.objects.create_user(
        "operateur@example.org", role="operateur", operateur=Operateur.objects.first()
    )

    with pytest.raises(ErreurMetier):
        demo.supprimer_parc_demo()

    assert Structure.objects.count() == avant
