"""``python manage.py load_demo_data``: the demo site, built the same way every time.

Idempotent: a second run finds what the first made and adds nothing. Everything it
creates is fictional; every person in it is invented and obviously so.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.demo import campaigns_ensure
from cms.core.demo_translations import demo_translations_ensure
from cms.donations.demo import donations_demo_ensure
from home.demo import home_content_ensure, home_page_ensure
from stories.demo import stories_ensure


class Command(BaseCommand):
    help = "Load the fictional demo content (idempotent). Never use on production data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin",
            action="store_true",
            help="Also make sure a demo superuser exists, and print its credentials.",
        )

    def handle(self, *args, admin: bool, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is disabled in these settings (DEMO_DATA_ALLOWED is False): "
                "it must never be loaded into a production database."
            )
        admin_user = self._ensure_admin() if admin else None
        home, created = home_page_ensure()
        self.stdout.write(f"Home page {'created' if created else 'already there'}: {home.url}")
        # The demo admin is assigned to the demo storytellers, so the private record screens
        # can be tried (with fictional data) without setting anything up.
        index, stories = stories_ensure(home, staff=[admin_user] if admin_user else [])
        self.stdout.write(f"Stories: {stories} created under {index.url}")
        pages = home_content_ensure(home, story_index=index)
        self.stdout.write(f"Simple pages: {pages} created")
        gifts = donations_demo_ensure()
        self.stdout.write(f"Demo gifts booked in the ledger: {gifts}")
        campaign = campaigns_ensure(home)
        self.stdout.write(f"Campaign: {campaign.url}")
        for language, pages in demo_translations_ensure(home).items():
            self.stdout.write(f"Pages translated into {language}: {pages}")

    def _ensure_admin(self):
        """A superuser for trying the admin; its password lives in an ignored file."""
        User = get_user_model()
        password_file = Path(settings.VAR_DIR) / "demo-admin-password"
        user, _ = User.objects.get_or_create(
            username="admin",
            defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True},
        )
        password = password_file.read_text().strip() if password_file.exists() else ""
        if not password or not user.check_password(password):
            password = secrets.token_urlsafe(18)
            user.set_password(password)
            user.save(update_fields=["password"])
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.touch(mode=0o600)
            password_file.write_text(password + "\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: http://127.0.0.1:8000/admin/  user: admin  password: {password}"
            )
        )
        return user
