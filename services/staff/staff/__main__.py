"""``staff migrate | serve | accounts …``: see ``common.service_cli`` and ``staff.cli``."""

from common.service_cli import ServiceCommand

main = ServiceCommand.named("staff").main

if __name__ == "__main__":
    raise SystemExit(main())
