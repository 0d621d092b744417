#!/usr/bin/env python3
"""Convert world-atlas countries-110m.json (TopoJSON) to a GeoJSON FeatureCollection.

Dev-time tool, not imported at run time. It documents how
arrival/reports/static/reports/world-110m.geojson was made:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    pip install pycountry          # in a scratch environment
    python scripts/make_world_geojson.py /tmp/package/countries-110m.json [OUTPUT]

The source geometry is Natural Earth 1:110m admin-0 countries (public domain),
as packaged by world-atlas (ISC licence). Coordinates are rounded to 2 decimal
places. Each feature gets properties:

    iso_n3  3-digit ISO 3166-1 numeric code as in the TopoJSON id ("" if none)
    iso_a2  ISO 3166-1 alpha-2 code looked up in pycountry ("" if none;
            "XK" for Kosovo, which has no ISO numeric code)
    name    the name given by world-atlas (Natural Earth's short map label)
"""
import json
import sys
from pathlib import Path

import pycountry

DEFAULT_OUT = (Path(__file__).resolve().parent.parent / "arrival" / "reports"
               / "static" / "reports" / "world-110m.geojson")
PRECISION = 2

# Features without an ISO numeric id in world-atlas, matched by name.
ALPHA2_BY_NAME = {"Kosovo": "XK"}


def decode_arcs(topology):
    """Return absolute [lon, lat] coordinates for every arc."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:  # delta-encoded, quantized
                x += dx
                y += dy
                points.append([x * sx + tx, y * sy + ty])
        else:
            points = [list(p[:2]) for p in arc]
        arcs.append(points)
    return arcs


def ring_coords(arc_indexes, arcs):
    """Stitch arcs into one ring; a negative index ~i means arc i reversed."""
    coords = []
    for index in arc_indexes:
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        # consecutive arcs share their joining point: skip the duplicate
        coords.extend(points[1:] if coords else points)
    return coords


def round_ring(coords):
    out = []
    for lon, lat in coords:
        point = [round(lon, PRECISION), round(lat, PRECISION)]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def polygon(rings, arcs):
    result = []
    for i, ring in enumerate(rings):
        coords = round_ring(ring_coords(ring, arcs))
        if coords is None:
            if i == 0:
                return None  # exterior ring collapsed: drop the polygon
            continue  # hole collapsed: drop the hole
        result.append(coords)
    return result


def convert(topology, object_name="countries"):
    arcs = decode_arcs(topology)
    by_numeric = {c.numeric: c.alpha_2 for c in pycountry.countries}
    features = []
    for geom in topology["objects"][object_name]["geometries"]:
        name = (geom.get("properties") or {}).get("name", "")
        iso_n3 = str(geom["id"]).zfill(3) if geom.get("id") is not None else ""
        iso_a2 = by_numeric.get(iso_n3, "") if iso_n3 else ALPHA2_BY_NAME.get(name, "")

        if geom["type"] == "Polygon":
            parts = [polygon(geom["arcs"], arcs)]
        elif geom["type"] == "MultiPolygon":
            parts = [polygon(p, arcs) for p in geom["arcs"]]
        else:
            raise ValueError(f"unexpected geometry type {geom['type']} for {name}")
        parts = [p for p in parts if p]
        if not parts:
            print(f"warning: {name} collapsed entirely, skipped", file=sys.stderr)
            continue
        geometry = ({"type": "Polygon", "coordinates": parts[0]} if len(parts) == 1
                    else {"type": "MultiPolygon", "coordinates": parts})
        features.append({
            "type": "Feature",
            "properties": {"iso_n3": iso_n3, "iso_a2": iso_a2, "name": name},
            "geometry": geometry,
        })
    return {"type": "FeatureCollection", "features": features}


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    src = Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    collection = convert(json.loads(src.read_text(encoding="utf-8")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(collection['features'])} features to {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv)
