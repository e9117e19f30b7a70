"""Settings package: ``base`` (secure defaults) and one module per environment.

``dev`` is for ``make run``, ``test`` for pytest, ``production`` for deployments.
"""
