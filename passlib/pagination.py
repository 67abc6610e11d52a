from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator told its total (from per-status counts): no second COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count
