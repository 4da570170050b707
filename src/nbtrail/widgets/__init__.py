"""In-notebook views of runs: a browser, a comparison, plots and HTML cards.

Modules, one job each: ``model`` (records from the Store API, filter/sort),
``browser`` and ``comparison`` (ipywidgets views that take records),
``explorer`` (the controller joining them and refreshing after each cell),
``plots`` (matplotlib figures), ``html`` (escaped static HTML), ``api``
(``show``/``plot``). Only ``api`` is imported with ``nbtrail``; the rest load
ipywidgets and matplotlib, so they load on first use.
"""

from nbtrail.widgets.api import plot, show

__all__ = ["plot", "show"]
