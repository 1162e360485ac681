"""TrendMiner: Instagram fashion trend mining.

Stages (each one public function taking a connection, a window and the settings):
collect → enrich → detect → trends → report.
"""

__version__ = "0.1.0"
