"""Asks for input in the terminal: the e2e test types the answer."""

name = input("Your name? ")
KEPT = bytes(len(name) * 1024 * 1024)  # line 4: one MiB per character typed
print("hello", name)
