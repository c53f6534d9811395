"""The engine: runs a planned workflow (SPEC §6) and records its state (§8.4).

Named ``engine`` rather than ``run`` so that importing it never shadows the public
``flowscript.run`` function. The public names are re-exported by ``flowscript``.
"""
