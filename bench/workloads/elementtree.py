"""ElementTree: build a document as text, parse it, walk it."""
import xml.etree.ElementTree as ET
text = "<root>" + "".join('<item id="%d" kind="k%d"><name>n%d</name><v>%d</v></item>' % (i, i % 5, i, i * 3)
                          for i in range(150_000)) + "</root>"
tree = ET.fromstring(text)
count = sum(1 for e in tree.iter("item") if e.get("kind") == "k1")
