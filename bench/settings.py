"""Settings for benchmark runs: the project's own settings, with a URLconf that adds the baseline view."""

from config.settings import *  # noqa: F403 - the benchmark measures the real configuration

ROOT_URLCONF = "bench.urls"
