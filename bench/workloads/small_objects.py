"""Many small containers: dicts, tuples and strings, as a record-processing program holds them."""
rows = []
for i in range(600_000):
    rows.append({"id": i, "name": "user%d" % i, "tags": ("a", "b", str(i % 7))})
index = {r["name"]: r for r in rows}
total = sum(len(r["tags"]) for r in rows)
