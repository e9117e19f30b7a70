"""The two workflows of DESIGN.md §6, as data.

- "Story publication" (chosen by ``StoryPage.get_workflow()`` in every locale): Consent check
  by case workers, then Safeguarding review by reviewers.
- "Editorial approval" for every other page: moderators approve. It replaces Wagtail's
  default "Moderators approval" on the root page, which is deactivated (and restored when
  this migration is reversed).
"""

from django.db import migrations

STORY_WORKFLOW = "Story publication"
EDITORIAL_WORKFLOW = "Editorial approval"
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def _task(apps, model_name, app_label, name, group_names):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    model = apps.get_model(app_label, model_name)
    # Historical models have no custom __init__: set the polymorphic content type ourselves.
    content_type, _ = ContentType.objects.get_or_create(
        app_label=app_label, model=model_name.lower()
    )
    task, _ = model.objects.get_or_create(
        name=name, defaults={"content_type": content_type, "active": True}
    )
    task.groups.set(Group.objects.filter(name__in=group_names))
    return task


def _workflow(apps, name, tasks):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    workflow, _ = Workflow.objects.get_or_create(name=name, defaults={"active": True})
    for order, task in enumerate(tasks):
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    return workflow


def create_workflows(apps, schema_editor):
    consent = _task(apps, "ConsentCheckTask", "workflows", "Consent check", ["Case workers"])
    review = _task(
        apps, "SafeguardingReviewTask", "workflows", "Safeguarding review",
        ["Safeguarding reviewers"],
    )
    editorial = _task(
        apps, "GroupApprovalTask", "wagtailcore", "Editorial approval", ["Moderators"]
    )
    _workflow(apps, STORY_WORKFLOW, [consent, review])
    editorial_workflow = _workflow(apps, EDITORIAL_WORKFLOW, [editorial])

    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    root = Page.objects.get(depth=1)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": editorial_workflow})
    Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).update(active=False)


def remove_workflows(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")
    default = Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).first()
    if default:
        default.active = True
        default.save(update_fields=["active"])
        WorkflowPage.objects.update_or_create(
            page=Page.objects.get(depth=1), defaults={"workflow": default}
        )
    Workflow.objects.filter(name__in=[STORY_WORKFLOW, EDITORIAL_WORKFLOW]).delete()
    Task.objects.filter(
        name__in=["Consent check", "Safeguarding review", "Editorial approval"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_tasks_and_approvals"),
        ("users", "0002_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflows, remove_workflows)]
