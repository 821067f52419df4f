"""The overview's charts (pyqtgraph), their panel and their exports."""
