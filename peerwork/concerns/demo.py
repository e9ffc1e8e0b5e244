"""The concerns part of the demo story (``/work/shared/DEMO.md``; issue 8 item 9): each
area seeds its part in its own module, imported here so the seed finds its steps."""

from . import demo_meetings  # noqa: F401
