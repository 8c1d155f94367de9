"""``pgkit sweep``: seeds × a grid of settings in one compiled call, with honest statistics.

``grid`` parses and checks the axes, ``population`` trains one compiled population,
``statistics`` aggregates final returns with rliable (IQM, stratified-bootstrap CIs),
``report`` writes the sweep folder, ``command`` is the CLI.
"""
