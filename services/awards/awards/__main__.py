"""``awards migrate | serve | asyncapi | jobs``: see ``common.service_cli``."""

from common.service_cli import ServiceCommand

main = ServiceCommand.named("awards").main

if __name__ == "__main__":
    raise SystemExit(main())
