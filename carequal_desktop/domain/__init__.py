"""Plain-Python rules of the self-evaluation world: framework, scale, quantity words, vocabulary.

Nothing here touches Qt, SQL or files other than the read-only resources.
"""
