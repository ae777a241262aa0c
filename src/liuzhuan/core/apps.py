from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuzhuan.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
        from .discovery import app_modules

        # Every app's ``integrity`` module registers its invariants for ``liuzhuan verify``; the
        # registry lives here so no business app needs to import the regulator's app.
        for _config, _module in app_modules("integrity"):
            pass
