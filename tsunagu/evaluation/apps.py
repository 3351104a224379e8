from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tsunagu.evaluation"
    label = "evaluation"
    verbose_name = "評価"

    def ready(self):
        from tsunagu.privacy.actions import register

        from . import prefecture_services  # noqa: F401  (registers its audit labels)

        register({"export.data": "データ出力", "evaluation.viewed": "評価ダッシュボードの閲覧",
                  "evaluation.manual_saved": "手入力実績の保存",
                  "evaluation.manual_deleted": "手入力実績の削除", "evaluation.target_saved": "年度目標の入力", "prefecture.stats_exported": "県への統計出力",
                  "prefecture.stats_imported": "市町村統計の取込", "export.csv": "CSV出力"})
