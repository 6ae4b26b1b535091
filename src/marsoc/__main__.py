"""`marsoc` command line: Django's management commands under the project's name.

`marsoc generate`, `marsoc audit verify`, `marsoc totp <user>` and every Django command
run through here, so operators never need to know where manage.py lives.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
