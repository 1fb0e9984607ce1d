"""Settings split by environment.

``base`` reads every environment variable the site uses; ``dev``, ``test`` and
``production`` adjust it. ``manage.py`` defaults to ``dev``.
"""
