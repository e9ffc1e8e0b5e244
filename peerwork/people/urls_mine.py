"""Routes of "My information" and "Shared with me" (``mine_views``).

Each disclosure category has its own fixed path (no path parameter): one view serves them
all, told the category by the route. Share routes name their id by what the actor does with
it: ``grant_id`` for one's own share, ``shared_id`` for a share made to one
(``peerwork.people.isolation``).
"""

from django.urls import path

from . import mine_views
from .models import Category

# The path of each category's page under ``me/``: words a person can read in the address.
CATEGORY_PATHS = {
    Category.DRUG_USE: "drug-use",
    Category.OST: "ost",
    Category.HEALTH: "health",
    Category.ACCOMMODATIONS: "accommodations",
    Category.CRIMINAL_RECORD: "criminal-record",
}

urlpatterns = [
    path("me", mine_views.mine, name="mine"),
    path("me/profile", mine_views.profile, name="profile"),
    path("me/shares", mine_views.shares, name="shares"),
    path("me/shares/new", mine_views.share_new, name="share_new"),
    path("me/shares/<str:grant_id>/revoke", mine_views.grant_revoke, name="grant_revoke"),
    path("me/shares/<str:grant_id>/renew", mine_views.grant_renew, name="grant_renew"),
    path("me/shares/<str:grant_id>/confirm", mine_views.grant_confirm, name="grant_confirm"),
    path("me/reads", mine_views.reads, name="reads"),
    path("shared", mine_views.shared, name="shared"),
    path("shared/<str:shared_id>", mine_views.shared_grant, name="shared_grant"),
]
for category, slug in CATEGORY_PATHS.items():
    urlpatterns += [
        path(
            f"me/{slug}",
            mine_views.disclosure,
            {"category": category.value},
            name=f"disclosure_{category.value}",
        ),
        path(
            f"me/{slug}/remove",
            mine_views.disclosure_remove,
            {"category": category.value},
            name=f"disclosure_{category.value}_remove",
        ),
    ]
