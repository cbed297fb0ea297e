import json
import logging

from . import context


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = context.current().request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: CR/LF in messages cannot forge log entries."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", ""),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
