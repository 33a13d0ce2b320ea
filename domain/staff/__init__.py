"""Staff accounts: the people of the back office, their roles and their sign-ins."""
