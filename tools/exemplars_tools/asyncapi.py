"""The AsyncAPI document of the whole system: ``python -m exemplars_tools.asyncapi > docs/asyncapi.json``.

Each service in the registry is built as it would run (nothing connects) and FastStream writes its
document from the subscribers and publishers it registers; the documents are merged. Streams that
no service writes (``nomination.submissions``: unit systems post there) are documented from the
event contract.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from faststream.redis import RedisBroker
from pydantic import SecretStr

from common import registry
from common.asyncapi import declare_publishers, document, merge_documents, service_document
from common.runtime import Runtime

__all__ = ["system_document"]

TITLE = "Exemplars: events on Redis Streams"
VERSION = "1.0.0"


def documentation_runtime(entry: registry.ServiceEntry) -> Runtime[Any, Any]:
    """The service as ``python -m <name> serve`` would build it, with settings for documents only."""
    settings_class = importlib.import_module(f"{entry.name}.config").Settings
    settings = settings_class(
        database_url=f"sqlite:///{entry.name}-unused.db",  # never opened: building connects nothing
        auth_secret=SecretStr("documentation-only-" + "0" * 32),
        consumer_name=f"{entry.name}-1",
    )
    runtime: Runtime[Any, Any] = importlib.import_module(f"{entry.name}.bootstrap").build(settings)
    return runtime


def system_document() -> dict[str, Any]:
    documents = [service_document(documentation_runtime(entry), VERSION) for entry in registry.SERVICES]
    outside = RedisBroker()
    declare_publishers(outside, set(registry.streams_read()) - set(registry.streams_written()))
    documents.append(document(outside, TITLE, VERSION))
    return merge_documents(documents, title=TITLE, version=VERSION)


def main() -> None:
    print(json.dumps(system_document(), ensure_ascii=False, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
