"""json.dumps / json.loads of a medium document, several times."""
import json
doc = [{"id": i, "title": "item %d" % i, "values": list(range(i % 20)), "ok": i % 3 == 0} for i in range(40_000)]
for _ in range(4):
    text = json.dumps(doc)
    back = json.loads(text)
assert back == doc
