"""The benchmarks' network generator (``bench/generate.py``): a small network, checked."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import F
from django_scopes import scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import MINIMUM_SIZE, generate_network, organisation_sizes, role_plan
from peerwork.core.models import (
    Membership,
    MembershipRole,
    Notification,
    Organisation,
    Role,
    SupportRelationship,
    User,
)

PASSWORD = "bench-network-pass"


@pytest.fixture
def network(db):
    return generate_network(organisations=4, people=90, password=PASSWORD, seed=7)


@settings(max_examples=40, deadline=None)
@given(
    organisations=st.integers(min_value=1, max_value=300),
    extra=st.integers(min_value=0, max_value=30_000),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_organisation_sizes_add_up_and_none_is_below_the_minimum(organisations, extra, seed):
    people = organisations * MINIMUM_SIZE + extra
    sizes = organisation_sizes(random.Random(seed), organisations, people)
    assert len(sizes) == organisations
    assert sum(sizes) == people
    assert min(sizes) >= MINIMUM_SIZE
    assert sizes == sorted(sizes, reverse=True)


def test_too_few_people_for_the_organisations_is_refused():
    with pytest.raises(ValueError, match="cannot fill"):
        organisation_sizes(random.Random(1), 10, 10 * MINIMUM_SIZE - 1)


@pytest.mark.parametrize("size", [MINIMUM_SIZE, 11, 67, 1500])
def test_every_role_is_planned_in_an_organisation_of_any_size(size):
    plan = role_plan(size)
    assert len(plan) == size
    assert {role for roles in plan for role in roles} == set(Role.values)


def test_the_network_has_its_people_and_every_role_in_every_organisation(network):
    with scopes_disabled():
        organisations = Organisation.objects.filter(slug__startswith="net-")
        assert organisations.count() == 4
        assert Membership.objects.count() == 90 == network.people
        assert User.objects.count() == 90
        for organisation in organisations:
            roles = set(
                MembershipRole.objects.filter(organisation=organisation).values_list(
                    "role", flat=True
                )
            )
            assert roles == set(Role.values), organisation.slug
            size = Membership.objects.filter(organisation=organisation).count()
            assert size == network.sizes[organisation.slug] >= MINIMUM_SIZE
        assert Notification.objects.exists()
    assert network.sizes[network.largest] == max(network.sizes.values())


def test_the_person_named_for_each_role_holds_it_as_their_main_role(network):
    assert set(network.largest_by_role) == set(Role.values)
    with scopes_disabled():
        for role, username in network.largest_by_role.items():
            member = Membership.objects.get(
                user__username=username, organisation__slug=network.largest
            )
            assert role in member.roles
            assert member.roles <= {role, Role.STAFF, Role.VOLUNTEER}, (role, member.roles)
        staff = network.largest_by_role[Role.STAFF]
        assert Membership.objects.get(user__username=staff).roles == {Role.STAFF}


def test_everyone_signs_in_with_the_one_password(network):
    user = User.objects.get(username=network.largest_by_role[Role.LINE_MANAGER])
    assert check_password(PASSWORD, user.password)


def test_line_management_and_support_stay_inside_each_organisation_and_apart(network):
    with scopes_disabled():
        members = Membership.objects.all()
        assert not members.exclude(line_manager=None).exclude(
            line_manager__organisation=F("organisation")
        )
        # Only the directors and the coaches have no line manager.
        unmanaged = members.filter(line_manager=None)
        for member in unmanaged.prefetch_related("role_grants"):
            assert member.has_role(Role.DIRECTOR, Role.COACH), member
        relationships = SupportRelationship.objects.select_related("supporter", "person")
        assert relationships.exists()
        for relation in relationships:
            assert relation.supporter.organisation_id == relation.person.organisation_id
            # Mentoring sits outside line management (§3.11).
            assert relation.person.line_manager_id != relation.supporter_id


def test_a_second_network_in_the_same_database_is_refused(network):
    with pytest.raises(ValueError, match="already holds"):
        generate_network(organisations=1, people=MINIMUM_SIZE, password=PASSWORD)


def test_the_benchmarks_list_every_role_in_order():
    from bench.server import ROLES
    from peerwork.core.models import Role

    assert list(ROLES) == [role.value for role in Role]
