"""Background task sending the outbox: run by ``db_worker`` in production, inline in tests."""

from django_tasks import task

from cms.emails.sender import outbox_send_due


@task()
def outbox_send_task() -> dict[str, int]:
    report = outbox_send_due()
    return {"sent": report.sent, "retrying": report.retrying, "dead": report.dead}
