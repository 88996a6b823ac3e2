"""``ganzoo.datasets``: the user-facing name of :mod:`ganzoo.data` (the same functions).

```python
ds = ganzoo.datasets.load("digits", batch_size=128)
```
"""

from ganzoo.data import *  # noqa: F403
from ganzoo.data import __all__  # noqa: F401
