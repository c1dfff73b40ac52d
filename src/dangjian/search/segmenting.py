"""Chinese word segmentation with jieba, the same way for indexed text and for queries.

jieba loads its dictionary (about a second) on first use, once per process, behind a lock.
"""

import logging
import re
import threading

_WORD = re.compile(r"\w+")
_lock = threading.Lock()
_tokenizer = None


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def _words(pieces) -> list[str]:
    """Lower-cased word characters only: punctuation and spaces dropped, 'COVID-19' → 'covid', '19'."""
    return [word for piece in pieces for word in _WORD.findall(piece.lower())]


def index_tokens(text: str) -> str:
    """Text → space-separated search tokens: jieba's search mode gives the words and their dictionary sub-words
    (南阳市直机关 → 南阳 市直 机关 市直机关), so a query for any of them matches."""
    if not text:
        return ""
    return " ".join(_words(_jieba().cut_for_search(text)))


def query_groups(query: str, max_words: int = 10) -> list[list[str]]:
    """The query's words (jieba's precise mode), each with its alternatives: the word itself first, then its
    dictionary sub-words (大别山 → ['大别山', '大别', '别山'] when those are words). A page matches when it has
    every word; a word matches by itself or, failing that, by all of its sub-words together."""
    groups, seen = [], set()
    tokenizer = _jieba()
    for word in _words(tokenizer.cut(query)):
        if word in seen:
            continue
        seen.add(word)
        subwords = [sub for sub in _words(tokenizer.cut_for_search(word)) if sub != word]
        groups.append([word, *subwords])
        if len(groups) == max_words:
            break
    return groups


def highlight_terms(query: str) -> list[str]:
    """Every word and sub-word of the query, longest first (for highlighting)."""
    terms = {term for group in query_groups(query) for term in group}
    return sorted(terms, key=lambda term: (-len(term), term))
