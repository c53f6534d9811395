"""Parsing: the tolerant body scanner and the safe frontmatter loader (SPEC §1–§2)."""

from __future__ import annotations

from .frontmatter import load_frontmatter, parse_frontmatter
from .xml import ScanResult, is_raw_text, normalise_name, scan_body
from .yaml_tree import YamlProblem, YamlTree, load_yaml

__all__ = ["ScanResult", "YamlProblem", "YamlTree", "is_raw_text", "load_frontmatter",
           "load_yaml", "normalise_name", "parse_frontmatter", "scan_body"]
