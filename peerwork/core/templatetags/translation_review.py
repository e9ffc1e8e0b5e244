"""``{% load translation_review %}``: the layout's notice for unreviewed translations."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from ..translations import is_unreviewed

register = template.Library()


@register.simple_tag
def translation_unreviewed() -> bool:
    """Whether the page's language has a catalog no speaker has reviewed yet."""
    language = get_language()
    return bool(language) and is_unreviewed(language)
