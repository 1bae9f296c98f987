from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Activity figures, periodic reports and the portal's costs (báo cáo)"
