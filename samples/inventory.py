"""A small program with the usual memory stories, for trying MemLens.

It parses a JSON catalogue (memory allocated inside the json module counts on the line that
called it), keeps an index of every item, holds a cache that is never trimmed, and builds a
large temporary report that is freed again (it shows at the peak, not at exit).
"""
import json
import time
import xml.etree.ElementTree as ET

_cache = {}


def load_catalogue(count):
    text = json.dumps([{"sku": "SKU-%06d" % i, "name": "Item %d" % i, "price": i % 97 / 4,
                        "tags": ["tag%d" % (i % 13), "tag%d" % (i % 7)]} for i in range(count)])
    return json.loads(text)


def build_index(items):
    return {item["sku"]: item for item in items}


def price_with_tax(sku, index):
    # A cache keyed by every request, never trimmed: it grows with the number of requests.
    key = (sku, time.monotonic_ns())
    _cache[key] = "%.2f" % (index[sku]["price"] * 1.2)
    return _cache[key]


def export_report(items):
    root = ET.Element("report")
    for item in items:
        ET.SubElement(root, "item", sku=item["sku"], name=item["name"])
    data = ET.tostring(root)
    time.sleep(0.2)  # Writing it out would take a while.
    return len(data)


def main():
    items = load_catalogue(60_000)
    index = build_index(items)
    for item in items[:40_000]:
        price_with_tax(item["sku"], index)
    print("report:", export_report(items), "bytes")
    return index


if __name__ == "__main__":
    kept = main()
