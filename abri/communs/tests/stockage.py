"""A local S3-compatible bucket (moto on 127.0.0.1) as the ``documents`` storage, for
the tests of every app that stores documents."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest


@dataclass(frozen=True)
class Bucket:
    point: str
    """The endpoint URL."""
    nom: str


def client_s3(point: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=point,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def cles(bucket: Bucket) -> list[str]:
    """The keys stored in the bucket."""
    reponse = client_s3(bucket.point).list_objects_v2(Bucket=bucket.nom)
    return [o["Key"] for o in reponse.get("Contents", [])]


@pytest.fixture
def bucket(settings: Any) -> Iterator[Bucket]:
    """A new bucket each time (moto keeps its buckets for the whole process)."""
    from moto.server import ThreadedMotoServer

    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    serveur.start()
    hote, port = serveur.get_host_and_port()
    point = f"http://{hote}:{port}"
    nom = f"abri-documents-{uuid.uuid4().hex[:12]}"
    client_s3(point).create_bucket(Bucket=nom)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": nom,
                "endpoint_url": point,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "documents",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield Bucket(point, nom)
    serveur.stop()
