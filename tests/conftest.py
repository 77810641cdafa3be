"""Settings shared by every test directory."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# pytester runs the plugin's own tests in a throwaway pytest session.
pytest_plugins = ["pytester"]

# The "ci" profile (the default under CI=true) derandomizes nothing but prints the seed and never
# times examples: CI machines are slow and shared, and speed is measured by bench/, not tests.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "fast", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
