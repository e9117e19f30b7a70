from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The staff user. Custom from day one so fields can be added without a data move.

    Visitors and donors are not users: they never log in.
    """

    class Meta:
        db_table = "users_user"
