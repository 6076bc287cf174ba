"""Gene recognition: lexicon, PFOCR transforms, tokenisation and the matcher."""

from pfocr.recognise.lexicon import Lexicon, Term, default_lexicon
from pfocr.recognise.matcher import (
    ContextRule,
    FigureContext,
    GeneReading,
    Recogniser,
    StopList,
    WordMatch,
    load_context_rules,
    resolve_ambiguous,
)
from pfocr.recognise.tokenise import Candidate, candidates, is_skippable, words_from_lines
from pfocr.recognise.transforms import RULES

__all__ = [
    "RULES",
    "Candidate",
    "ContextRule",
    "FigureContext",
    "GeneReading",
    "Lexicon",
    "Recogniser",
    "StopList",
    "Term",
    "WordMatch",
    "candidates",
    "default_lexicon",
    "is_skippable",
    "load_context_rules",
    "resolve_ambiguous",
    "words_from_lines",
]
