"""Base of abri's management commands: logs their start, end, duration and outcome,
so that an operator of the service can follow scheduled jobs in one place."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand

logger = logging.getLogger("abri.commandes")


class CommandeAbri(BaseCommand):
    """Subclasses implement :meth:`executer` and may return a summary line, which is
    printed on stdout and logged with the duration."""

    def executer(self, *args: Any, **options: Any) -> str | None:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        nom = self.__module__.rsplit(".", 1)[-1]
        debut = time.monotonic()
        logger.info("%s: start", nom)
        try:
            resume = self.executer(*args, **options)
        except Exception:
            logger.exception("%s: failed after %.1f s", nom, time.monotonic() - debut)
            raise
        duree = time.monotonic() - debut
        logger.info("%s: end in %.1f s — %s", nom, duree, resume or "done")
        if resume:
            self.stdout.write(self.style.SUCCESS(resume))
