from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "cms.users"
    label = "users"
    verbose_name = "Users"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from cms.users.middleware import session_start_record

        user_logged_in.connect(session_start_record, dispatch_uid="users_session_start")
