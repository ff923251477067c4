"""minidom: a deep pure-Python library (allocations far below the user's line)."""
from xml.dom import minidom
text = "<root>" + "".join('<item id="%d"><name>n%d</name></item>' % (i, i) for i in range(40_000)) + "</root>"
dom = minidom.parseString(text)
names = [n.firstChild.data for n in dom.getElementsByTagName("name")]
