"""wenyi — a platform for union arts campaigns (文艺工作者深入职工创作实践活动)."""

__version__ = "0.1.0"
