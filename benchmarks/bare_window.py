"""A bare PySide6 main window started the same way as CareQual's smoke check: the baseline."""

import sys
import time

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Hello"))
window.resize(1366, 768)
window.show()
window.repaint()
app.processEvents()
print(f"painted {time.time():.6f}", file=sys.stderr, flush=True)
