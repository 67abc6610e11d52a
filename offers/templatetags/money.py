from django import template

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """1250 → "12,50 €", 2000 → "20 €" (French formatting)."""
    if cents is None:
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole},{rest:02d} €" if rest else f"{whole} €"
