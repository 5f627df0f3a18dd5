"""What the domain modules share: database, extensions, errors, money, i18n, auth."""
