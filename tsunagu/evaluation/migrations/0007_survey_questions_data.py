"""A survey had one question (its `question` text): it becomes question 1, and its answers answer it."""

from django.db import migrations


def forwards(apps, schema_editor):
    Survey = apps.get_model("evaluation", "Survey")
    SurveyQuestion = apps.get_model("evaluation", "SurveyQuestion")
    SurveyResult = apps.get_model("evaluation", "SurveyResult")
    for survey in Survey.objects.all():
        if not SurveyQuestion.objects.filter(survey=survey).exists():
            q = SurveyQuestion.objects.create(municipality_id=survey.municipality_id, survey=survey, number=1,
                                              text=survey.question or survey.title)
            SurveyResult.objects.filter(survey=survey, question__isnull=True).update(question=q)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_surveyquestion_alter_surveyresult_options_and_more")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
