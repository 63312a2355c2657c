"""Factories of the test suite (factory-boy), with traits for the usual states."""

import datetime

import factory
from factory.django import DjangoModelFactory

from abri.comptes.models import Role, Utilisateur
from abri.operateurs.models import Operateur
from abri.structures.models import (
    AdresseHebergement,
    CodeDna,
    EvenementCapacite,
    NatureEvenement,
    Public,
    Structure,
    TypeBati,
    TypeStructure,
)
from abri.territoires.models import Commune, Departement, Region


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "84"
    nom = "Auvergne-Rhône-Alpes"


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "69"
    nom = "Rhône"
    region = factory.SubFactory(RegionFactory)
    rang = factory.Sequence(lambda n: n + 1)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code_insee",)

    code_insee = "69123"
    nom = "Lyon"
    nom_recherche = "lyon"
    departement = factory.SubFactory(DepartementFactory)


class OperateurFactory(DjangoModelFactory):
    class Meta:
        model = Operateur

    nom = factory.Sequence(lambda n: f"Association Accueil {n}")
    siret = None


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    type = TypeStructure.CADA
    nom = factory.Sequence(lambda n: f"CADA numéro {n}")
    operateur = factory.SubFactory(OperateurFactory)
    departement = factory.SubFactory(DepartementFactory)
    public = Public.TOUS

    class Params:
        places = 0

    @factory.post_generation
    def capacite(self, create: bool, extracted: int | None, **kwargs: object) -> None:
        places = extracted if extracted is not None else 0
        if create and places:
            EvenementCapacite.objects.create(
                structure=self,
                nature=NatureEvenement.CREATION,
                date_effet=datetime.date(2020, 1, 1),
                acte="Arrêté de création",
                places_autorisees=places,
            )
        if create:
            self.recherche = self.texte_recherche()
            Structure.objects.filter(pk=self.pk).update(recherche=self.recherche)


class CodeDnaFactory(DjangoModelFactory):
    class Meta:
        model = CodeDna

    structure = factory.SubFactory(StructureFactory)
    code = factory.Sequence(lambda n: f"C69{n % 100:02d}")


class AdresseFactory(DjangoModelFactory):
    class Meta:
        model = AdresseHebergement

    structure = factory.SubFactory(StructureFactory)
    adresse = factory.Sequence(lambda n: f"{n} rue de la République")
    code_postal = "69001"
    places_autorisees = 10
    type_bati = TypeBati.COLLECTIF


class UtilisateurFactory(DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@abri.test")
    role = Role.DEPARTEMENTAL
    password = factory.django.Password("mot-de-passe-de-test")

    @factory.post_generation
    def departements(
        self, create: bool, extracted: list | None, **kwargs: object
    ) -> None:
        if create and extracted:
            self.departements.set(extracted)
