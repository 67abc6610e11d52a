from django.core.paginator import Paginator

from passlib.params import page_number


class CountedPaginator(Paginator):
    """A paginator told its total (from per-status counts): no second COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def counted_page(request, queryset, counts: dict[str, int], status: str, per_page: int):
    """The requested page of a list whose total comes from its per-status counts."""
    total = counts.get(status, 0) if status else sum(counts.values())
    page = page_number(request.GET.get("page"))
    return CountedPaginator(queryset, per_page, count=total).get_page(page)
