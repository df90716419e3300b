"""The blocks of the home page that feature apps contribute.

The core renders what the installed apps declare, the way citizens collects
notification events and role permissions: an app lists templates on its
AppConfig,

    home_blocks = ["news/_home_latest.html"]

each drawn with the page's context (the template loads its own tags). An app
taken out of INSTALLED_APPS takes its block with it; the home page still works.
"""

from django.apps import apps


def home_blocks() -> list[str]:
    """The templates of the home page's blocks, in the order of INSTALLED_APPS."""
    return [
        template
        for config in apps.get_app_configs()
        for template in getattr(config, "home_blocks", ())
    ]


def offline_blocks() -> list[str]:
    """The offline page's blocks (an app's `offline_blocks`), in the same way."""
    return [
        template
        for config in apps.get_app_configs()
        for template in getattr(config, "offline_blocks", ())
    ]
