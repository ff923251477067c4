"""String work: split, join, regular expressions, a word count."""
import re
from collections import Counter
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
text = "\n".join(" ".join(words[(i * j) % 8] for j in range(12)) for i in range(150_000))
counts = Counter()
for line in text.splitlines():
    counts.update(re.findall(r"[a-z]+", line))
upper = [line.upper() for line in text.splitlines()]
