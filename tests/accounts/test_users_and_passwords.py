"""Sign-up, password sign-in, the operator role and Echo on/off."""

import pytest
import sqlalchemy as sa

from mobile_gateway.accounts import passwords, users
from mobile_gateway.storage.models import User


class TestSignup:
    """Sign-up applies the name and password rules and stores only a hash."""

    def test_signup_then_authenticate(self, session):
        """A new user can sign in with the password chosen at sign-up."""
        user = users.signup(session, "Taro_1", "correct horse")
        assert users.authenticate(session, "Taro_1", "correct horse") == user

    def test_wrong_password(self, session, make_user):
        """A wrong password or unknown name signs nobody in."""
        make_user("taro", "correct horse")
        assert users.authenticate(session, "taro", "correct hors") is None
        assert users.authenticate(session, "taro", "") is None
        assert users.authenticate(session, "jiro", "correct horse") is None

    def test_name_is_case_insensitive(self, session, make_user):
        """Names differing only in case collide and sign in as the same user."""
        user = make_user("Taro")
        with pytest.raises(users.NameTaken):
            users.signup(session, "tARO", "another password")
        assert users.authenticate(session, "TARO", "correct horse") == user
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1

    def test_duplicate_caught_by_database(self, session, other_session, make_user):
        """The unique key refuses a duplicate even when the name check is passed by."""
        make_user("hanako")
        with pytest.raises(sa.exc.IntegrityError):
            other_session.add(User(name="HANAKO", password_hash="x"))
            other_session.commit()

    def test_concurrent_signup(self, session, make_user, monkeypatch):
        """A sign-up racing another for the same name raises NameTaken, not IntegrityError."""
        make_user("hanako")
        monkeypatch.setattr(users, "find_user", lambda *args: None)
        with pytest.raises(users.NameTaken):
            users.signup(session, "Hanako", "another password")

    @pytest.mark.parametrize(
        "name",
        ["", "<script>", "a" * 21, "ta ro", "たろう", "taro!", "x'; DROP TABLE users; --", "a\n"],
    )
    def test_bad_names_refused(self, session, name):
        """Markup, spaces, non-ASCII, quotes and over-long names are refused."""
        with pytest.raises(users.InvalidName):
            users.signup(session, name, "correct horse")
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    @pytest.mark.parametrize("password", ["", "short77", "x" * 129])
    def test_bad_passwords_refused(self, session, password):
        """Passwords shorter than 8 or longer than 128 characters are refused."""
        with pytest.raises(users.InvalidPassword):
            users.signup(session, "taro", password)

    def test_password_limits_accepted(self, session):
        """Passwords of exactly 8 and 128 characters are accepted (when hard to guess)."""
        users.signup(session, "eight", "k7#Qz!2v")
        long = ("晴れのち雨🌂" * 30)[:127] + "9"
        users.signup(session, "long", long)
        assert users.authenticate(session, "long", long) is not None

    def test_sql_metacharacters_stored_literally(self, session):
        """Names with LIKE wildcards and comment dashes, and quoted display names, are data."""
        quoted = "'; DROP TABLE users; --"
        user = users.signup(session, "a_b--", "correct horse", display_name=quoted)
        session.expire_all()
        stored = session.get(User, user.id)
        assert stored.name == "a_b--"
        assert stored.display_name == quoted
        assert users.find_user(session, "axb--") is None  # "_" is not a wildcard
        assert users.find_user(session, "A_B--") == stored


class TestHashing:
    """Passwords are stored as self-describing scrypt hashes."""

    @pytest.mark.real_kdf
    def test_hash_format(self, session):
        """The stored hash names scrypt and its parameters, with a 16-byte salt."""
        user = users.signup(session, "taro", "correct horse")
        scheme, n, r, p, salt, key = user.password_hash.split("$")
        assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
        assert len(passwords._unb64(salt)) == 16
        assert len(passwords._unb64(key)) == 32
        assert "correct horse" not in user.password_hash

    def test_salted(self):
        """The same password hashes differently each time, and both verify."""
        first = passwords.hash_password("correct horse")
        second = passwords.hash_password("correct horse")
        assert first != second
        assert passwords.verify_password(first, "correct horse")
        assert passwords.verify_password(second, "correct horse")

    @pytest.mark.parametrize(
        "stored",
        ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA$AA", "scrypt$1073741824$8$1$AA$AA"],
    )
    def test_malformed_hash_matches_nothing(self, stored):
        """A malformed or absurdly expensive stored hash never matches."""
        assert passwords.verify_password(stored, "anything") is False

    def test_old_parameters_upgraded_at_sign_in(self, session, make_user, monkeypatch):
        """Signing in re-hashes a password stored with an older cost."""
        user = make_user("taro")
        assert user.password_hash.startswith("scrypt$16$")
        monkeypatch.setattr(passwords, "SCRYPT_N", 2**5)
        assert users.authenticate(session, "taro", "correct horse") == user
        assert user.password_hash.startswith("scrypt$32$")


class TestRoles:
    """Operators and the Echo switch."""

    def test_grant_and_revoke_operator(self, session, make_user):
        """An operator can be made by name and unmade again."""
        user = make_user("taro")
        assert not user.is_operator
        users.grant_operator(session, "TARO")
        session.expire_all()
        assert session.get(User, user.id).is_operator
        users.revoke_operator(session, user)
        assert not user.is_operator

    def test_grant_unknown_user(self, session):
        """Granting the role to a name nobody has raises UnknownUser."""
        with pytest.raises(users.UnknownUser):
            users.grant_operator(session, "nobody")

    def test_echo_switch(self, session, make_user):
        """Echo is on for new users and can be turned off and on."""
        user = make_user("taro")
        assert user.echo_enabled is True
        users.set_echo_enabled(session, user, False)
        session.expire_all()
        assert session.get(User, user.id).echo_enabled is False
        users.set_echo_enabled(session, user, True)
        assert user.echo_enabled is True
