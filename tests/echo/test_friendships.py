"""Friends ("mai-miku"): request, accept, refuse, cancel, remove."""

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import users
from mobile_gateway.echo import friends
from mobile_gateway.storage.models import Friendship


@pytest.fixture
def pair(make_user):
    """Return two users who are not friends yet."""
    return make_user("taro"), make_user("hanako")


def names(users):
    """Return the names of *users*."""
    return [user.name for user in users]


class TestFlow:
    """A request waits for the other side, which accepts or refuses it."""

    def test_request_and_accept(self, session, pair):
        """After accept both users list each other as friends."""
        taro, hanako = pair
        friends.request(session, taro, "hanako")
        assert names(friends.outgoing(session, taro)) == ["hanako"]
        assert names(friends.incoming(session, hanako)) == ["taro"]
        assert friends.friends(session, taro) == []
        assert friends.relation(session, taro, hanako) == "outgoing"
        assert friends.relation(session, hanako, taro) == "incoming"
        friends.accept(session, hanako, taro)
        assert names(friends.friends(session, taro)) == ["hanako"]
        assert names(friends.friends(session, hanako)) == ["taro"]
        assert friends.incoming(session, hanako) == []
        assert friends.are_friends(session, hanako, taro)

    def test_refuse(self, session, pair):
        """A refused request is gone and can be made again."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        friends.refuse(session, hanako, taro)
        assert friends.relation(session, taro, hanako) == "none"
        friends.request(session, taro, hanako)
        assert friends.relation(session, taro, hanako) == "outgoing"

    def test_cancel(self, session, pair):
        """The requester can withdraw a pending request."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        friends.cancel(session, taro, hanako)
        assert friends.incoming(session, hanako) == []

    def test_requester_cannot_accept_own_request(self, session, pair):
        """Only the addressee can accept or refuse."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        with pytest.raises(friends.NoSuchRequest):
            friends.accept(session, taro, hanako)
        with pytest.raises(friends.NoSuchRequest):
            friends.refuse(session, taro, hanako)

    def test_crossed_requests_make_friends(self, session, pair):
        """Asking someone who already asked you accepts their request."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        friendship = friends.request(session, hanako, taro)
        assert friendship.status == "accepted"
        assert friends.are_friends(session, taro, hanako)
        assert session.scalar(sa.select(sa.func.count()).select_from(Friendship)) == 1

    def test_remove_is_mutual(self, session, pair, make_user):
        """Removing a friend ends the friendship for both sides only."""
        taro, hanako = pair
        kenji = make_user("kenji")
        for other in (hanako, kenji):
            friends.request(session, taro, other)
            friends.accept(session, other, taro)
        friends.remove(session, hanako, "TARO")
        assert names(friends.friends(session, taro)) == ["kenji"]
        assert friends.friends(session, hanako) == []


class TestErrors:
    """Sensible refusals."""

    def test_self_request(self, session, pair):
        """Nobody can befriend themselves."""
        with pytest.raises(friends.SelfRequest):
            friends.request(session, pair[0], "Taro")

    def test_duplicate_request(self, session, pair):
        """Asking twice raises AlreadyRequested; asking a friend, AlreadyFriends."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        with pytest.raises(friends.AlreadyRequested):
            friends.request(session, taro, hanako)
        friends.accept(session, hanako, taro)
        with pytest.raises(friends.AlreadyFriends):
            friends.request(session, taro, hanako)
        with pytest.raises(friends.AlreadyFriends):
            friends.request(session, hanako, taro)

    def test_unknown_user(self, session, pair):
        """Requests to names nobody has raise UnknownUser."""
        with pytest.raises(users.UnknownUser):
            friends.request(session, pair[0], "nobody")
        with pytest.raises(users.UnknownUser):
            friends.request(session, pair[0], "<script>")

    def test_remove_non_friend(self, session, pair):
        """Removing someone who is only asked, or not at all, raises NotFriends."""
        taro, hanako = pair
        with pytest.raises(friends.NotFriends):
            friends.remove(session, taro, hanako)
        friends.request(session, taro, hanako)
        with pytest.raises(friends.NotFriends):
            friends.remove(session, taro, hanako)

    def test_database_refuses_reverse_duplicate(self, session, other_session, pair):
        """The stored pair order makes a second row for the same two users impossible."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        low, high = sorted((taro.id, hanako.id))
        other_session.add(Friendship(user_low_id=low, user_high_id=high, requester_id=hanako.id))
        with pytest.raises(sa.exc.IntegrityError):
            other_session.commit()

    def test_concurrent_crossed_requests(self, session, pair, monkeypatch):
        """A request racing the reverse one raises AlreadyRequested, not IntegrityError."""
        taro, hanako = pair
        friends.request(session, taro, hanako)
        # As if hanako's check ran just before taro's request landed.
        monkeypatch.setattr(friends, "_find", lambda *args: None)
        with pytest.raises(friends.AlreadyRequested):
            friends.request(session, hanako, taro)
        monkeypatch.undo()
        assert friends.relation(session, taro, hanako) == "outgoing"
