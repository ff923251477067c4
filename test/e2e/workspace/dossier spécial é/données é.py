"""A file whose folder and name hold a space and non-ASCII characters."""

DONNÉES = bytes(8 * 1024 * 1024)  # line 3: 8 MiB
print("données prêtes")
