from django_scopes import scopes_disabled

from peerwork.core.models import Membership


def test_the_story_has_two_organisations_with_their_own_people(story):
    with scopes_disabled():
        assert Membership.objects.filter(organisation=story.harbourside).count() == 12
        assert Membership.objects.filter(organisation=story.riverside).count() == 1
    assert story.ravi.manages(story.amina)
    assert not story.taslima.manages(story.amina)
