"""The jobs table (slow work staged in the business transaction); revision 0003 after 0002."""

from common.migrations import create_jobs_table_v1 as upgrade, drop_jobs_table_v1 as downgrade

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None
__all__ = ["downgrade", "upgrade"]
