"""The training library's pages (issue 8 item 7; App. 10): the list at ``library/`` and one
literal route per case, ``library/case-<number>/`` (the guide's numbers: there is no case
4). The number is fixed by each route, not a path parameter, so the organisation walk has
nothing to make and an unknown number is simply not found."""

from django.urls import URLPattern, path

from . import library, library_views

urlpatterns: list[URLPattern] = [
    path("library/", library_views.library_page, name="library"),
    *(
        path(
            f"library/case-{case.number}/",
            library_views.case_page,
            {"number": case.number},
            name=f"library_case_{case.number}",
        )
        for case in library.CASES
    ),
]
