"""Alembic environment of the review datastore."""

from alembic import context

from common.migrations import run_env
from review.adapters.orm import metadata

run_env(context.config, metadata)
