from abri.ui.tests.test_navigateur import navigateur, serveur

__all__ = ["navigateur", "serveur"]  # the browser fixtures, for test_navigateur
