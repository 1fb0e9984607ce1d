"""The REST API under ``/api/v1/``: shared machinery for every app's ``api.py``.

Each app keeps its serializers and views in ``<app>/api.py``; this package
contains what they share: URL routing, authentication, permissions, cursor
pagination, throttling, the error shape and schema helpers.
"""
