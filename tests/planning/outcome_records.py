"""Historical outcome records written as a real CSV file, for the outcome-model tests."""

from __future__ import annotations

import math
import random
from pathlib import Path

HEADER = ("size,locality_id,population,outcome,skill_care,skill_construction,languages,preferences,demand_care,"
          "demand_construction,key_language:ar")


def outcome_lines(count: int = 120, seed: int = 5) -> list[str]:
    """Seeded records where demand match raises the chance of success and family size lowers it a little."""
    rng = random.Random(seed)
    localities = [(f"H{j}", rng.randint(20_000, 900_000), rng.uniform(0, 30), rng.uniform(0, 20), rng.random())
                  for j in range(8)]
    top_care = max(loc[2] for loc in localities)
    lines = [HEADER]
    for _ in range(count):
        lid, population, care, construction, arabic = rng.choice(localities)
        size = rng.randint(1, 5)
        skill = round(rng.random(), 2)
        z = -0.8 + 3.0 * skill * care / top_care - 0.15 * size
        outcome = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0
        languages = rng.choice(["ar", "fa", "ar;en"])
        preference = rng.choice(["", lid, "H0;H1"])
        lines.append(f"{size},{lid},{population},{outcome},{skill},,{languages},{preference},{care:.1f},"
                     f"{construction:.1f},{arabic:.2f}")
    return lines


def write_outcomes(path: Path, lines: list[str] | None = None) -> Path:
    path.write_text("\n".join(lines if lines is not None else outcome_lines()) + "\n", encoding="utf-8")
    return path
