"""Maturity (到期), automatic extension under the certificate's clause (展期), overdue marks and
reminders: a daily job."""
