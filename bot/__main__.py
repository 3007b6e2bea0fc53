"""``python -m bot`` is the ``tuanle`` command."""

from bot.cli import main

raise SystemExit(main())
