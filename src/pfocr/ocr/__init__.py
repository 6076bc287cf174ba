"""OCR layer: engines behind one small interface (``OcrEngine``)."""

from pfocr.ocr.base import OcrEngine, create_engine, engine_names, register_engine

__all__ = ["OcrEngine", "create_engine", "engine_names", "register_engine"]
