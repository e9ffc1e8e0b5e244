"""The self-care part of the demo story (``/work/shared/DEMO.md``; issue 7): each area
seeds its part in its own module, imported here so the seed finds its steps."""

from . import demo_circle, demo_programme, demo_pulse, demo_wellbeing  # noqa: F401
