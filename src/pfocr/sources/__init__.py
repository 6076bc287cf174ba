"""Upstream data sources and the builder of the vendored lexicon files in ``pfocr/data``.

One module per upstream (``hgnc``, ``famplex``), ``wheels`` to fetch pinned package files and
``build`` to write the data files and their manifest. Nothing here runs at import time.
"""
