"""Zalo Official Accounts and Facebook Pages: the accounts the operator configures, and the records
that keep a post from going out twice."""
